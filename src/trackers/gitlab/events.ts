import type { TicketFields, TrackerEvent, WebhookRequest } from "../contract";
import { addedLabels, removedLabels } from "../kit/labels";
import { httpBase } from "../kit/url";
import { webRoot } from "./api";
import { IssueHook, NoteHook, titles, type Project } from "./schema";

const ISSUE_EVENTS = new Set(["issue hook", "confidential issue hook"]);
const NOTE_EVENTS = new Set(["note hook", "confidential note hook"]);

const skip = (reason: string): TrackerEvent => ({ kind: "skip", reason });
const keyOf = (project: Project, iid: number) => `${project.path_with_namespace}#${iid}`;
const who = (user: { username?: string; name?: string } | null | undefined) => user?.username || user?.name || undefined;

/** Issue Hook and Note Hook, confidential or not; every other event is skipped. */
export function parseGitLab(payload: unknown, req: WebhookRequest, baseUrl: string | undefined): TrackerEvent {
  const event = req.headers.get("x-gitlab-event")?.trim().toLowerCase();
  // Without the header (a re-posted body), the body says what it is.
  if (event ? NOTE_EVENTS.has(event) : kindOf(payload) === "note") return parseNote(payload, baseUrl);
  if (event && !ISSUE_EVENTS.has(event)) return skip(`GitLab event "${event.slice(0, 64)}" is not an issue event`);
  const result = IssueHook.safeParse(payload);
  if (!result.success) return skip("not a GitLab issue event");
  const hook = result.data;
  const action = hook.object_attributes.action ?? "";
  const key = keyOf(hook.project, hook.object_attributes.iid);
  if (action === "close") return { kind: "ended", ended: { key, id: key, reason: "closed", author: who(hook.user) } };
  const labels = titles(hook.object_attributes.labels ?? hook.labels);
  if (action === "open") return ticket(hook, labels, labels, req, baseUrl, who(hook.user));
  if (action !== "update") return skip(`issue action "${action.slice(0, 32) || "none"}" neither opens an issue nor adds a label`);
  if (hook.object_attributes.state === "closed") return skip("the issue is closed");
  const before = titles(hook.changes?.labels?.previous);
  const after = titles(hook.changes?.labels?.current);
  const added = addedLabels(before, after);
  const removed = removedLabels(before, after);
  // One update can swap labels: read it as the adding, since a new trigger matters more than an old one's end.
  if (removed.length && !added.length) {
    return { kind: "ended", ended: { key, id: key, reason: "label_removed", labels: removed, author: who(hook.user) } };
  }
  // The reporter is only `author_id` here: `enrich` reads their name from the API.
  const parsed = ticket(hook, labels, added, req, baseUrl, undefined);
  // Assignees change as whole lists too: the ones in `current` and not in `previous` were just assigned.
  const was = new Set((hook.changes?.assignees?.previous ?? []).map(who));
  const assigned = (hook.changes?.assignees?.current ?? []).map(who).filter((u): u is string => !!u && !was.has(u));
  if (assigned.length && parsed.kind === "ticket") Object.assign(parsed.ticket, { assignedTo: assigned, assignedBy: who(hook.user) });
  return parsed;
}

function kindOf(payload: unknown): unknown {
  return typeof payload === "object" && payload !== null ? (payload as { object_kind?: unknown }).object_kind : undefined;
}

/** `user` is whoever acted: the reporter of a new issue, whoever added the label to an existing one. */
function ticket(hook: IssueHook, labels: string[], triggerLabels: string[], req: WebhookRequest, baseUrl: string | undefined, reporter: string | undefined): TrackerEvent {
  const issue = hook.object_attributes;
  const project = hook.project.path_with_namespace;
  const page = baseUrl ? `${webRoot(baseUrl)}/${project}` : httpBase(hook.project.web_url);
  return {
    kind: "ticket",
    ticket: {
      key: keyOf(hook.project, issue.iid),
      id: keyOf(hook.project, issue.iid),
      title: issue.title,
      description: issue.description ?? "",
      labels,
      triggerLabels,
      url: issue.url || (page ? `${page}/-/issues/${issue.iid}` : undefined),
      project,
      ...(reporter && { author: reporter }),
      requestedBy: who(hook.user),
      reply: { iid: issue.iid, ...(hook.project.id ? { projectId: hook.project.id } : {}) },
    },
  };
}

function parseNote(payload: unknown, baseUrl: string | undefined): TrackerEvent {
  const result = NoteHook.safeParse(payload);
  if (!result.success) return skip("not a GitLab Note Hook payload");
  const { object_attributes: note, issue, project, user } = result.data;
  if (note.noteable_type !== "Issue" || !issue) return skip(`comment on a ${note.noteable_type.slice(0, 32) || "non-issue"}, not an issue`);
  if (note.system) return skip("system note, not a comment");
  // Before 16.11 an edit arrives like a new note; only the timestamps tell it apart.
  const edited = note.action ? note.action !== "create" : Boolean(note.created_at && note.updated_at && note.created_at !== note.updated_at);
  if (edited) return skip(`comment ${(note.action ?? "update").slice(0, 32)}, not created`);
  const key = keyOf(project, issue.iid);
  const page = baseUrl ? `${webRoot(baseUrl)}/${project.path_with_namespace}` : httpBase(project.web_url);
  const ticket: TicketFields | undefined =
    issue.title && issue.state !== "closed"
      ? {
          key,
          id: key,
          title: issue.title,
          description: issue.description ?? "",
          labels: titles(issue.labels),
          triggerLabels: [],
          url: issue.url || (page ? `${page}/-/issues/${issue.iid}` : undefined),
          project: project.path_with_namespace,
          reply: { iid: issue.iid, ...(project.id ? { projectId: project.id } : {}) },
        }
      : undefined;
  return {
    kind: "comment",
    comment: { key, id: key, text: note.note ?? "", author: who(user), ...(note.id != null ? { commentId: String(note.id) } : {}), ...(ticket ? { ticket } : {}) },
  };
}
