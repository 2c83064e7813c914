import type { TrackerEvent, WebhookRequest } from "../contract";
import { htmlIsBlank } from "../kit/html";
import { addedLabels, removedLabels } from "../kit/labels";
import { type Activity, Comment, Envelope, Issue } from "./schema";

// The web app and the API name the field differently.
const LABEL_FIELDS = new Set(["labels", "label_ids"]);
const FINISHED_GROUPS = new Set(["completed", "cancelled"]);

/** A label activity value is one UUID (or name) or, depending on the client, the whole list. */
function idList(value: unknown): string[] {
  if (typeof value === "string") return value ? [value] : [];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/** The labels one `updated` delivery (Plane sends one per changed field) added and removed, by name where the payload has it. */
function labelChange(activity: Activity, labels: Issue["labels"]): { added: string[]; removed: string[] } {
  if (!activity?.field || !LABEL_FIELDS.has(activity.field)) return { added: [], removed: [] };
  const [before, after] = [idList(activity.old_value), idList(activity.new_value)];
  const nameOf = (v: string) => labels.find((l) => l.id === v || l.name === v)?.name;
  const added = addedLabels(before, after).map(nameOf);
  // The payload's labels can lag behind the change: then any current label may be the new one.
  return {
    added: added.every(Boolean) ? (added as string[]) : labels.map((l) => l.name),
    removed: removedLabels(before, after).map((v) => nameOf(v) ?? v),
  };
}

function projectOf(issue: Issue): { id?: string; identifier?: string } {
  const p = issue.project;
  const identifier = issue.project_detail?.identifier ?? (typeof p === "object" ? p?.identifier : undefined);
  return { id: (typeof p === "string" ? p : p?.id) ?? undefined, identifier: identifier ?? undefined };
}

function humanId(issue: Issue, identifier: string | undefined): string {
  if (issue.sequence_id == null) return issue.id;
  return identifier ? `${identifier}-${issue.sequence_id}` : `#${issue.sequence_id}`;
}

/** Plane's `issue` and `issue_comment` events; `baseUrl` is the workspace URL (`https://plane.example/<slug>`), which the payload lacks. */
export function parsePlane(payload: unknown, req: WebhookRequest, baseUrl: string | undefined): TrackerEvent {
  const envelope = Envelope.safeParse(payload);
  if (!envelope.success) return { kind: "skip", reason: "not a Plane webhook payload" };
  const { action, activity } = envelope.data;
  const event = (envelope.data.event ?? req.headers.get("x-plane-event") ?? "none").trim().toLowerCase();
  if (event === "issue_comment") return parseComment(action, envelope.data.data, activity);
  if (event !== "issue") return { kind: "skip", reason: `Plane event ${event.slice(0, 64)} is not an issue event` };
  if (action !== "created" && action !== "updated") return { kind: "skip", reason: `issue ${action.slice(0, 64)}` };
  const result = Issue.safeParse(envelope.data.data);
  if (!result.success) return { kind: "skip", reason: "not a Plane issue" };

  const issue = result.data;
  const project = projectOf(issue);
  const id = humanId(issue, project.identifier);
  const author = activity?.actor?.display_name || undefined;
  if (typeof issue.state === "object" && FINISHED_GROUPS.has(issue.state?.group ?? "")) {
    return { kind: "ended", ended: { key: issue.id, id, reason: "closed", author } };
  }
  const labels = issue.labels.map((l) => l.name);
  const change = action === "created" ? { added: labels, removed: [] } : labelChange(activity, issue.labels);
  if (change.added.length === 0 && change.removed.length > 0) {
    return { kind: "ended", ended: { key: issue.id, id, reason: "label_removed", labels: change.removed, author } };
  }
  return {
    kind: "ticket",
    ticket: {
      key: issue.id,
      id,
      title: issue.name,
      // The text Plane derived, else the HTML, which the workflow converts.
      ...(issue.description_stripped ? { description: issue.description_stripped } : { description: issue.description_html ?? "", descriptionFormat: "html" as const }),
      labels,
      triggerLabels: change.added,
      url: baseUrl && project.id ? `${baseUrl}/projects/${encodeURIComponent(project.id)}/issues/${encodeURIComponent(issue.id)}` : undefined,
      // The payload names the project by UUID only: the allow-lists match that, and `enrich` reads its identifier (WEB) for the prompt.
      project: project.identifier ?? project.id,
      // On an update the actor is whoever changed a field, not the reporter (`created_by` is a bare UUID).
      author: action === "created" ? author : undefined,
      requestedBy: author,
      // The project's UUID is in no other field of the ticket, and the comment and project API paths need it.
      ...(project.id ? { reply: { projectId: project.id, ...(issue.sequence_id != null && !project.identifier ? { sequence: issue.sequence_id } : {}) } } : {}),
    },
  };
}

function parseComment(action: string, data: unknown, activity: Activity): TrackerEvent {
  // Edits arrive as `updated` (one per changed field) and removals as `deleted`: only new comments count.
  if (action !== "created") return { kind: "skip", reason: `comment ${action.slice(0, 64)}` };
  const result = Comment.safeParse(data);
  if (!result.success) return { kind: "skip", reason: "not a Plane comment" };
  const comment = result.data;
  const stripped = comment.comment_stripped?.trim();
  const html = comment.comment_html ?? "";
  if (!stripped && htmlIsBlank(html)) return { kind: "skip", reason: "empty comment" };
  // The text Plane derived, else the HTML, which the core converts (as much as it keeps).
  const text = stripped ? { text: stripped } : { text: html, textFormat: "html" as const };
  // The comment names no sequence id, so the work item's UUID is the id people get to see.
  return {
    kind: "comment",
    comment: {
      key: comment.issue,
      id: comment.issue,
      ...text,
      author: activity?.actor?.display_name || undefined,
      ...(comment.id ? { commentId: comment.id } : {}),
    },
  };
}
