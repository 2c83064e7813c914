import type { CommentFields, TrackerEvent } from "../contract";
import { addedLabels, removedLabels, unique } from "../kit/labels";
import { bodyText, mentionsAsText } from "./adf";
import { instanceRoot } from "./api";
import { type ChangeItem, type Comment, CommentEvent, IssueEvent, type Person } from "./schema";

const skip = (reason: string): TrackerEvent => ({ kind: "skip", reason });
const who = (p: Person | null | undefined) => p?.name || p?.displayName || p?.accountId || undefined;

/** Jira's issue and comment webhooks (Data Center and Cloud share the shape). */
export function parseJira(payload: unknown, baseUrl: string | undefined): TrackerEvent {
  const name = (payload as { webhookEvent?: unknown } | null)?.webhookEvent;
  if (name === "comment_created") return commentCreated(payload);
  if (typeof name === "string" && name.startsWith("comment_")) return skip(`Jira event "${name.slice(0, 64)}" is not a new comment`);
  const result = IssueEvent.safeParse(payload);
  if (!result.success) return skip("not a Jira issue event");
  const e = result.data;
  const { key, fields, self } = e.issue;
  const labels = unique([...(fields.labels ?? []), ...(fields.components ?? []).map((c) => c.name)]);
  const items = e.changelog?.items ?? [];

  let change: { added: string[]; removed: string[] };
  if (e.webhookEvent === "jira:issue_created") change = { added: labels, removed: [] };
  else if (e.webhookEvent === "jira:issue_updated") change = labelChange(items);
  else return skip(`Jira event "${e.webhookEvent.slice(0, 64)}" neither creates an issue nor adds a label`);

  // A comment that also adds a trigger label is a ticket event: the label starts the run.
  if (e.issue_event_type_name === "issue_commented" && e.comment && change.added.length === 0) {
    return { kind: "comment", comment: toComment(key, e.comment) };
  }
  const author = who(e.user);
  // Done is a status category, whatever the workflow calls the status itself.
  if (items.some((i) => /^(status|resolution)$/i.test(i.field)) && fields.status?.statusCategory?.key === "done") {
    return { kind: "ended", ended: { key, id: key, reason: "closed", author } };
  }
  if (change.added.length === 0 && change.removed.length > 0) {
    return { kind: "ended", ended: { key, id: key, reason: "label_removed", labels: change.removed, author } };
  }
  const origin = instanceRoot(self);
  // The body carries only the REST `self` link; people need `{base}/browse/KEY`.
  const site = baseUrl ? (instanceRoot(baseUrl) ?? baseUrl) : origin;
  return {
    kind: "ticket",
    ticket: {
      key,
      id: key,
      title: fields.summary,
      description: bodyText(fields.description),
      labels,
      triggerLabels: change.added,
      url: site ? `${site}/browse/${encodeURIComponent(key)}` : undefined,
      project: fields.project?.key,
      author: who(fields.reporter),
    },
  };
}

function commentCreated(payload: unknown): TrackerEvent {
  const result = CommentEvent.safeParse(payload);
  if (!result.success) return skip("not a Jira comment_created event");
  const { issue, comment } = result.data;
  // The comment's `self` names only the numeric issue id, which is not the key sessions are filed under.
  if (!issue) return skip("comment_created without its issue: subscribe to Issue updated for comments");
  return { kind: "comment", comment: toComment(issue.key, comment) };
}

function toComment(key: string, c: Comment): CommentFields {
  const comment: CommentFields = { key, id: key, text: mentionsAsText(bodyText(c.body)), author: who(c.author) };
  if (c.id != null) comment.commentId = String(c.id);
  return comment;
}

/** Labels change as one space-separated string per side; a component is one item per name. */
function labelChange(items: readonly ChangeItem[]): { added: string[]; removed: string[] } {
  const added: string[] = [];
  const removed: string[] = [];
  for (const item of items) {
    const field = item.field.toLowerCase();
    const from = item.fromString ?? "";
    const to = newValue(item) ?? "";
    if (field === "labels") {
      added.push(...addedLabels(words(from), words(to)));
      removed.push(...removedLabels(words(from), words(to)));
    } else if (field === "component" && from !== to) {
      if (to) added.push(to);
      if (from) removed.push(from);
    }
  }
  return { added: unique(added), removed: unique(removed) };
}

function newValue(item: ChangeItem): string | undefined {
  const value: unknown = Object.hasOwn(item, "toString") ? (item as Record<string, unknown>).toString : undefined;
  return typeof value === "string" ? value : undefined;
}

const words = (value: string) => value.split(/\s+/).filter(Boolean);
