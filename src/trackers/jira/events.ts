import type { CommentFields, TicketFields, TrackerEvent } from "../contract";
import { addedLabels, removedLabels, unique } from "../kit/labels";
import { bodyText, mentionsAsText } from "./adf";
import { instanceRoot } from "./api";
import { type ChangeItem, type Comment, CommentEvent, IssueEvent, type Person } from "./schema";

const skip = (reason: string): TrackerEvent => ({ kind: "skip", reason });
const who = (p: Person | null | undefined) => p?.name || p?.displayName || p?.accountId || undefined;

/** Jira's issue and comment webhooks (Data Center and Cloud share the shape). */
export function parseJira(payload: unknown, baseUrl: string | undefined): TrackerEvent {
  const name = (payload as { webhookEvent?: unknown } | null)?.webhookEvent;
  if (name === "comment_created") return commentCreated(payload, baseUrl);
  if (typeof name === "string" && name.startsWith("comment_")) return skip(`Jira event "${name.slice(0, 64)}" is not a new comment`);
  const result = IssueEvent.safeParse(payload);
  if (!result.success) return skip("not a Jira issue event");
  const e = result.data;
  const { key, fields } = e.issue;
  const labels = labelsOf(fields);
  const items = e.changelog?.items ?? [];

  let change: { added: string[]; removed: string[] };
  if (e.webhookEvent === "jira:issue_created") change = { added: labels, removed: [] };
  else if (e.webhookEvent === "jira:issue_updated") change = labelChange(items);
  else return skip(`Jira event "${e.webhookEvent.slice(0, 64)}" neither creates an issue nor adds a label`);

  // A comment that also adds a trigger label is a ticket event: the label starts the run.
  if (e.issue_event_type_name === "issue_commented" && e.comment && change.added.length === 0) {
    return { kind: "comment", comment: toComment(key, e.comment, ticketOf(e.issue, [], baseUrl)) };
  }
  const author = who(e.user);
  // Done is a status category, whatever the workflow calls the status itself.
  if (items.some((i) => /^(status|resolution)$/i.test(i.field)) && fields.status?.statusCategory?.key === "done") {
    return { kind: "ended", ended: { key, id: key, reason: "closed", author } };
  }
  if (change.added.length === 0 && change.removed.length > 0) {
    return { kind: "ended", ended: { key, id: key, reason: "label_removed", labels: change.removed, author } };
  }
  // An assignment names the new assignee by user name or key (Data Center) or account id (Cloud), and display name.
  const assignedTo = items
    .filter((i) => i.field.toLowerCase() === "assignee")
    .flatMap((i) => [(i as { to?: unknown }).to, newValue(i)])
    .filter((v): v is string => typeof v === "string" && v !== "");
  // `user` is whoever acted: the reporter creating the issue, or whoever added the label.
  const ticket = { ...ticketOf(e.issue, change.added, baseUrl), ...(author ? { requestedBy: author } : {}) };
  return { kind: "ticket", ticket: assignedTo.length ? { ...ticket, assignedTo, assignedBy: author } : ticket };
}

/** The ticket an issue event (or a comment's full issue) describes. */
function ticketOf(issue: IssueEvent["issue"], triggerLabels: string[], baseUrl: string | undefined): TicketFields {
  const { key, fields, self } = issue;
  const origin = instanceRoot(self);
  // The body carries only the REST `self` link; people need `{base}/browse/KEY`.
  const site = baseUrl ? (instanceRoot(baseUrl) ?? baseUrl) : origin;
  return {
    key,
    id: key,
    title: fields.summary,
    description: bodyText(fields.description),
    labels: labelsOf(fields),
    triggerLabels,
    url: site ? `${site}/browse/${encodeURIComponent(key)}` : undefined,
    // A comment's slim issue may leave the project out; a Jira key always starts with it.
    project: fields.project?.key ?? /^([A-Z][A-Z0-9_]*)-\d+$/.exec(key)?.[1],
    author: who(fields.reporter),
    // Write-back on a service-desk request goes through the internal-comment API (see api.ts).
    ...(serviceDesk(fields) ? { reply: { serviceDesk: 1 } } : {}),
  };
}

const serviceDesk = (fields: IssueEvent["issue"]["fields"]) => fields.project?.projectTypeKey === "service_desk";

/** Labels and components; on a Jira Service Management request also its request type, which routes like a label. */
function labelsOf(fields: IssueEvent["issue"]["fields"]): string[] {
  const requestType = serviceDesk(fields) ? requestTypeOf(fields) : undefined;
  return unique([...(fields.labels ?? []), ...(fields.components ?? []).map((c) => c.name), ...(requestType ? [requestType] : [])]);
}

/** The request type sits in a custom field whose id differs per site: found by its shape. */
function requestTypeOf(fields: Record<string, unknown>): string | undefined {
  for (const value of Object.values(fields)) {
    const name = (value as { requestType?: { name?: unknown } } | null)?.requestType?.name;
    if (typeof name === "string" && name.trim()) return name.trim();
  }
  return undefined;
}

function commentCreated(payload: unknown, baseUrl: string | undefined): TrackerEvent {
  const result = CommentEvent.safeParse(payload);
  if (!result.success) return skip("not a Jira comment_created event");
  const { issue, comment } = result.data;
  // The comment's `self` names only the numeric issue id, which is not the key sessions are filed under.
  if (!issue) return skip("comment_created without its issue: subscribe to Issue updated for comments");
  // Cloud's issue here is slim (summary only): enough for a mention to start the ticket, the description aside.
  const full = IssueEvent.shape.issue.safeParse(issue);
  return { kind: "comment", comment: toComment(issue.key, comment, full.success ? ticketOf(full.data, [], baseUrl) : undefined) };
}

function toComment(key: string, c: Comment, ticket?: TicketFields): CommentFields {
  const comment: CommentFields = { key, id: key, text: mentionsAsText(bodyText(c.body)), author: who(c.author), ...(ticket ? { ticket } : {}) };
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
