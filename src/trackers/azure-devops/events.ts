import type { TicketFields, TrackerEvent } from "../contract";
import { htmlIsBlank } from "../kit/html";
import { addedLabels, removedLabels, splitList } from "../kit/labels";
import { httpBase, rootBefore } from "../kit/url";
import { Envelope, personName, textField, Update, WorkItem } from "./schema";

/** States of the default processes (Agile, Scrum, CMMI, Basic) in the Completed and Removed categories. */
export const DEFAULT_CLOSED_STATES = ["Closed", "Done", "Removed"];

export interface Context {
  baseUrl?: string;
  closedStates: readonly string[];
}

/** Tags are one string, `a; b` (a tag may hold a comma, never a semicolon). */
const tagsOf = (value: unknown) => splitList(typeof value === "string" ? value : "", /;/);

/** `workitem.created`, `workitem.updated` and `workitem.commented`; other events are skipped. */
export function parseAzureDevOps(payload: unknown, ctx: Context): TrackerEvent {
  const envelope = Envelope.safeParse(payload);
  if (!envelope.success) return { kind: "skip", reason: "not an Azure DevOps service hook" };
  const { eventType, resource } = envelope.data;
  switch (eventType) {
    case "workitem.created":
      return created(resource, ctx);
    case "workitem.updated":
      return updated(resource, ctx);
    case "workitem.commented":
      return commented(resource);
    default:
      return { kind: "skip", reason: `event ${eventType.slice(0, 64)}` };
  }
}

const isClosed = (state: unknown, ctx: Context) => typeof state === "string" && ctx.closedStates.some((s) => s.toLowerCase() === state.trim().toLowerCase());

function created(resource: unknown, ctx: Context): TrackerEvent {
  const parsed = WorkItem.safeParse(resource);
  if (!parsed.success) return { kind: "skip", reason: "workitem.created without a work item" };
  const item = parsed.data;
  if (isClosed(item.fields["System.State"], ctx)) return { kind: "skip", reason: "work item is closed" };
  const labels = tagsOf(item.fields["System.Tags"]);
  return ticketOf(item.id, item.fields, labels, labels, item._links?.html?.href ?? undefined, item.url ?? undefined, ctx);
}

function updated(resource: unknown, ctx: Context): TrackerEvent {
  const parsed = Update.safeParse(resource);
  if (!parsed.success) return { kind: "skip", reason: "workitem.updated without its revision" };
  const { fields: changes, revision } = parsed.data;
  const id = parsed.data.workItemId || revision.id;
  const key = String(id);
  const author = personName(parsed.data.revisedBy) ?? personName(revision.fields["System.ChangedBy"]);
  const state = changes["System.State"];
  if (state && isClosed(state.newValue, ctx) && !isClosed(state.oldValue, ctx)) {
    return { kind: "ended", ended: { key, id: `#${id}`, reason: "closed", author } };
  }
  if (isClosed(revision.fields["System.State"], ctx)) return { kind: "skip", reason: "work item is closed" };

  const labels = tagsOf(revision.fields["System.Tags"]);
  const tags = changes["System.Tags"];
  const before = tags ? tagsOf(tags.oldValue) : labels;
  const after = tags ? tagsOf(tags.newValue) : labels;
  const added = addedLabels(before, after);
  const removed = removedLabels(before, after);
  if (!added.length && removed.length) return { kind: "ended", ended: { key, id: `#${id}`, reason: "label_removed", labels: removed, author } };
  return ticketOf(id, revision.fields, labels, added, revision._links?.html?.href ?? undefined, revision.url ?? undefined, ctx);
}

/** The comment is the revision's `System.History` (HTML); the revision number names it. */
function commented(resource: unknown): TrackerEvent {
  const parsed = WorkItem.safeParse(resource);
  if (!parsed.success) return { kind: "skip", reason: "workitem.commented without a work item" };
  const item = parsed.data;
  const html = textField(item.fields, "System.History") ?? "";
  if (htmlIsBlank(html)) return { kind: "skip", reason: "empty comment" };
  const key = String(item.id);
  // HTML: the core converts as much of it as it keeps.
  const comment = { key, id: `#${item.id}`, text: html, textFormat: "html" as const, author: personName(item.fields["System.ChangedBy"]) };
  return { kind: "comment", comment: item.rev != null ? { ...comment, commentId: `${item.id}-rev-${item.rev}` } : comment };
}

function ticketOf(
  id: number,
  fields: Record<string, unknown>,
  labels: string[],
  triggerLabels: string[],
  link: string | undefined,
  apiUrl: string | undefined,
  ctx: Context,
): TrackerEvent {
  const title = textField(fields, "System.Title")?.trim();
  if (!title) return { kind: "skip", reason: "work item without a title" };
  const project = textField(fields, "System.TeamProject")?.trim() || undefined;
  const origin = originOf(apiUrl);
  const base = ctx.baseUrl ?? origin;
  const ticket: TicketFields = {
    // Work item ids are unique within an organization (a Server collection).
    key: String(id),
    id: `#${id}`,
    title,
    description: descriptionOf(fields),
    descriptionFormat: "html",
    labels,
    triggerLabels,
    url: httpBase(link) ?? (base && project ? `${base}/${encodeURIComponent(project)}/_workitems/edit/${id}` : undefined),
    project,
    author: personName(fields["System.CreatedBy"]),
    ...(project ? { reply: { project } } : {}),
  };
  return { kind: "ticket", ticket };
}

/**
 * Description and, for bugs, the repro steps (the Bug form shows those instead): both HTML, kept
 * as HTML for the workflow to convert; only whether each has any text is looked at here.
 */
function descriptionOf(fields: Record<string, unknown>): string {
  const description = textField(fields, "System.Description") ?? "";
  const repro = textField(fields, "Microsoft.VSTS.TCM.ReproSteps") ?? "";
  const hasDescription = !htmlIsBlank(description);
  const hasRepro = !htmlIsBlank(repro);
  if (hasDescription && hasRepro) return `${description}<br><br>Repro steps:<br>${repro}`;
  return hasDescription ? description : hasRepro ? repro : "";
}

/**
 * The organization (or Server collection) from a work item's API URL:
 * `https://dev.azure.com/acme[/<project id>]/_apis/wit/…` → `https://dev.azure.com/acme`.
 */
export function originOf(apiUrl: string | undefined): string | undefined {
  return httpBase(rootBefore(apiUrl, "/_apis/")?.replace(/\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, ""));
}
