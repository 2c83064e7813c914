import type { TrackerEvent } from "../contract";
import { splitList, unique } from "../kit/labels";
import { Bug, CommentEvent, Envelope, nameOf } from "./schema";

/** `bug.create`, `bug.modify:<fields>` and `comment.create`; other routing keys are skipped. */
export function parseBugzilla(payload: unknown, baseUrl: string | undefined): TrackerEvent {
  const envelope = Envelope.safeParse(payload);
  if (!envelope.success) return { kind: "skip", reason: "not a Bugzilla webhook" };
  const { event } = envelope.data;
  const routing = event.routing_key;
  if (routing === "comment.create") return parseComment(payload);
  const isCreate = routing === "bug.create";
  if (!isCreate && !routing.startsWith("bug.modify")) return { kind: "skip", reason: `event ${routing.slice(0, 64)}` };
  if (envelope.data.bug?.is_private) return { kind: "skip", reason: "private bug" };
  const parsed = Bug.safeParse(envelope.data.bug);
  if (!parsed.success) return { kind: "skip", reason: "bug payload without a summary" };
  const bug = parsed.data;

  const changed = (field: string, side: "added" | "removed") =>
    (event.changes ?? []).filter((c) => c.field === field).flatMap((c) => splitList(String(c[side] ?? ""), /,/));
  // Bug ids are global to the instance.
  const key = String(bug.id);
  const id = `#${bug.id}`;
  if (bug.resolution) {
    // Only the change that resolved the bug ends its run; later changes to a resolved bug are just not for Devin.
    if (!changed("resolution", "added").length) return { kind: "skip", reason: "bug is resolved" };
    return { kind: "ended", ended: { key, id, reason: "closed", author: nameOf(event.user) } };
  }
  const labels = unique(bug.keywords);
  const added = isCreate ? labels : changed("keywords", "added");
  const removed = changed("keywords", "removed");
  if (!added.length && removed.length) return { kind: "ended", ended: { key, id, reason: "label_removed", labels: removed, author: nameOf(event.user) } };
  return {
    kind: "ticket",
    ticket: {
      key,
      id,
      title: bug.summary,
      // The webhook carries no description; enrich() swaps in comment 0 when it can.
      description: bug.summary,
      labels,
      triggerLabels: added,
      url: baseUrl ? `${baseUrl}/show_bug.cgi?id=${bug.id}` : undefined,
      project: bug.product || undefined,
      author: nameOf(bug.creator_detail) || bug.creator || undefined,
    },
  };
}

function parseComment(payload: unknown): TrackerEvent {
  const parsed = CommentEvent.safeParse(payload);
  if (!parsed.success) return { kind: "skip", reason: "comment.create without a bug and its comment" };
  const { bug, event } = parsed.data;
  const c = bug.comment;
  // BMO strips a private bug's or comment's text before sending: nothing to forward.
  if (bug.is_private || c.is_private) return { kind: "skip", reason: "private comment" };
  if (c.number === 0) return { kind: "skip", reason: "comment 0 is the bug's description" };
  const text = (c.body ?? c.text ?? "").trim();
  if (!text) return { kind: "skip", reason: "empty comment" };
  const comment = { key: String(bug.id), id: `#${bug.id}`, text, author: nameOf(event.user) };
  return { kind: "comment", comment: c.id != null ? { ...comment, commentId: String(c.id) } : comment };
}
