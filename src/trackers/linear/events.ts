import type { TicketFields, TrackerEvent } from "../contract";
import { addedLabels } from "../kit/labels";
import { Comment, Envelope, Issue, UpdatedFrom } from "./schema";

/** Linear is one SaaS: its API is not something a payload can name. */
export const LINEAR_API = "https://api.linear.app";
// Workflow state types that mean the issue is done with (Linear's WorkflowState.type).
const FINISHED = new Set(["completed", "canceled"]);

/**
 * Linear's data-change webhooks (`type` Issue / Comment; `action` create /
 * update / remove). Tickets are keyed by the issue's UUID: the `ENG-128`
 * identifier changes when an issue moves team, and comments carry the UUID.
 */
export function parseLinear(payload: unknown): TrackerEvent {
  const envelope = Envelope.safeParse(payload);
  if (!envelope.success) return { kind: "skip", reason: "not a Linear webhook payload" };
  const e = envelope.data;
  if (e.type === "Comment") return parseComment(e);
  if (e.type !== "Issue") return { kind: "skip", reason: `Linear ${e.type.slice(0, 64)} events are not issues` };
  const result = Issue.safeParse(e.data);
  if (!result.success) return { kind: "skip", reason: "not a Linear issue payload" };
  const issue = result.data;
  const author = e.actor?.name || undefined;
  if (e.action === "remove") return { kind: "ended", ended: { key: issue.id, id: issue.identifier, reason: "closed", author } };
  if (e.action !== "create" && e.action !== "update") return { kind: "skip", reason: `issue ${e.action.slice(0, 32)}` };

  const before = UpdatedFrom.safeParse(e.updatedFrom ?? {}).data ?? {};
  const finished = FINISHED.has(issue.state?.type ?? "") || issue.trashed === true;
  if (finished && e.action === "update" && before.stateId) return { kind: "ended", ended: { key: issue.id, id: issue.identifier, reason: "closed", author } };
  if (finished) return { kind: "skip", reason: issue.trashed ? "issue is trashed" : `issue is ${issue.state?.type}` };

  const names = issue.labels.map((l) => l.name);
  let trigger: string[] = [];
  if (e.action === "create") trigger = names;
  // An update names the labels it changed by id only; the issue's labels give their names.
  else if (before.labelIds) {
    const added = new Set(addedLabels(before.labelIds, issue.labelIds));
    trigger = issue.labels.filter((l) => added.has(l.id)).map((l) => l.name);
  }
  return { kind: "ticket", ticket: ticketOf(issue, names, trigger, e.action === "create" ? author : undefined) };
}

function ticketOf(issue: Issue, labels: string[], triggerLabels: string[], actor: string | undefined): TicketFields {
  return {
    key: issue.id,
    id: issue.identifier,
    title: issue.title,
    description: issue.description ?? "",
    labels,
    triggerLabels,
    url: issue.url || undefined,
    project: issue.team?.name || issue.team?.key || undefined,
    author: issue.creator?.name || actor,
  };
}

function parseComment(e: Envelope): TrackerEvent {
  if (e.action !== "create") return { kind: "skip", reason: `comment ${e.action.slice(0, 32)}, not created` };
  const result = Comment.safeParse(e.data);
  if (!result.success) return { kind: "skip", reason: "not a comment on a Linear issue" };
  const c = result.data;
  return {
    kind: "comment",
    comment: {
      key: c.issueId,
      id: c.issue?.identifier || c.issueId,
      text: c.body ?? "",
      author: c.user?.name || c.botActor?.name || e.actor?.name || undefined,
      ...(c.id ? { commentId: c.id } : {}),
    },
  };
}
