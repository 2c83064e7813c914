import type { TrackerEvent } from "../contract";
import { addedLabels, removedLabels, unique } from "../kit/labels";
import { Envelope, Item } from "./schema";

/** Item types that are tickets, with their path segment in Taiga's web URLs. */
export const WEB_SEGMENTS = new Map([["issue", "issue"], ["userstory", "us"], ["task", "task"]]);

/** Taiga sends tags as names or as `[name, color]` pairs, depending on the serializer. */
function tagNames(tags: unknown): string[] {
  return Array.isArray(tags) ? unique(tags.map((t: unknown) => (Array.isArray(t) ? t[0] : t)).filter((n): n is string => typeof n === "string")) : [];
}

/** The project's slug is the last segment of its permalink; refs are numbered per project. */
function projectSlug(item: Item): string | undefined {
  const slug = item.project.permalink?.replace(/\/+$/, "").split("/").pop();
  return slug || item.project.name || (item.project.id != null ? String(item.project.id) : undefined);
}


/** Issue, user story and task events: creates, tag changes and new comments. */
export function parseTaiga(payload: unknown, baseUrl: string | undefined): TrackerEvent {
  const envelope = Envelope.safeParse(payload);
  if (!envelope.success) return { kind: "skip", reason: "not a Taiga webhook payload" };
  const { action, type, change, by } = envelope.data;
  if (!WEB_SEGMENTS.has(type)) return { kind: "skip", reason: `Taiga ${type.slice(0, 64)} is not a ticket` };
  if (action !== "create" && action !== "change") return { kind: "skip", reason: `${type} ${action.slice(0, 64)}` };
  const result = Item.safeParse(envelope.data.data);
  if (!result.success) return { kind: "skip", reason: `not a Taiga ${type}` };

  const item = result.data;
  const slug = projectSlug(item);
  if (!slug) return { kind: "skip", reason: `${type} names no project` };
  const key = `${slug}#${item.ref}`;
  const id = `#${item.ref}`;
  const actor = by?.username || by?.full_name || undefined;
  const [from, to] = [tagNames(change?.diff?.tags?.from), tagNames(change?.diff?.tags?.to)];
  const added = action === "create" ? [] : addedLabels(from, to);
  const comment = change?.comment?.trim();
  // A comment that comes with a new tag is the tag's event: starting the ticket matters more.
  if (action === "change" && comment && added.length === 0) {
    if (change?.edit_comment_date || change?.delete_comment_date) return { kind: "skip", reason: "comment edited or deleted" };
    return { kind: "comment", comment: { key, id, text: comment, author: actor } };
  }
  if (item.status?.is_closed) return { kind: "ended", ended: { key, id, reason: "closed", author: actor } };
  const removed = action === "create" ? [] : removedLabels(from, to);
  if (added.length === 0 && removed.length > 0) return { kind: "ended", ended: { key, id, reason: "label_removed", labels: removed, author: actor } };

  const labels = tagNames(item.tags);
  return {
    kind: "ticket",
    ticket: {
      key,
      id,
      title: item.subject,
      description: item.description ?? "",
      labels,
      triggerLabels: action === "create" ? labels : added,
      url: item.permalink || (baseUrl ? `${baseUrl}/project/${encodeURIComponent(slug)}/${WEB_SEGMENTS.get(type)}/${item.ref}` : undefined),
      project: item.project.name || slug,
      author: item.owner?.username || by?.username || undefined,
      // Who made this change (created the item, or added the tag).
      ...(actor ? { requestedBy: actor } : {}),
      // The key holds the project-scoped ref; the API wants the item's global id.
      ...(item.id != null ? { reply: { type, itemId: item.id } } : {}),
    },
  };
}
