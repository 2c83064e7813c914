import type { TrackerEvent, WebhookRequest } from "../contract";
import { splitList } from "../kit/labels";
import { describeEvent } from "./event-text";
import { CommentHook, EventAlertHook, IssueHook } from "./schema";

/** The alert rule action's form field that names the route (the integration's schema, README "Sentry"). */
export const LABEL_SETTING = "label";

/** Issue actions after which the issue is no longer Devin's to fix. */
const ENDED = new Set(["resolved", "archived", "ignored"]);

const skip = (reason: string): TrackerEvent => ({ kind: "skip", reason });

/**
 * `Sentry-Hook-Resource` names what the body is: `event_alert` (an alert rule
 * whose action is this integration fired), `issue` (created / resolved / …),
 * `comment`. Sentry has no labels: the action's `label` setting or `?label=`
 * on the URL routes a ticket; the core skips one that names no route.
 */
export function parseSentry(payload: unknown, req: WebhookRequest): TrackerEvent {
  const resource = req.headers.get("sentry-hook-resource")?.trim().toLowerCase();
  if (resource === "event_alert") return parseAlert(payload);
  if (resource === "issue") return parseIssue(payload);
  if (resource === "comment") return parseComment(payload);
  if (!resource) return skip("no Sentry-Hook-Resource header");
  return skip(`Sentry resource ${resource.slice(0, 32)} names no issue for Devin`);
}

function parseAlert(payload: unknown): TrackerEvent {
  const parsed = EventAlertHook.safeParse(payload);
  if (!parsed.success) return skip("not a Sentry issue alert");
  const { event, issue_alert: alert } = parsed.data.data;
  if (parsed.data.action !== "triggered") return skip(`issue alert ${parsed.data.action.slice(0, 32)}`);
  const labels = (alert?.settings ?? [])
    .filter((s) => s.name.trim().toLowerCase() === LABEL_SETTING && s.value != null)
    .flatMap((s) => splitList(String(s.value)));
  return {
    kind: "ticket",
    ticket: {
      key: event.issue_id,
      id: event.issue_id,
      title: event.title,
      // The event that fired the rule; enrich() replaces it with the issue's latest where it can.
      description: describeEvent(event) ?? event.title,
      labels,
      triggerLabels: labels,
      url: issueUrl(event.web_url),
    },
  };
}

function parseIssue(payload: unknown): TrackerEvent {
  const parsed = IssueHook.safeParse(payload);
  if (!parsed.success) return skip("not a Sentry issue webhook");
  const { action, data, actor } = parsed.data;
  const issue = data.issue;
  const id = issue.shortId || issue.id;
  if (ENDED.has(action)) {
    const by = actor?.type === "user" ? actor.name || undefined : undefined;
    return { kind: "ended", ended: { key: issue.id, id, reason: "closed", author: by } };
  }
  if (action !== "created") return skip(`issue ${action.slice(0, 32)}, not created`);
  const what = [issue.metadata?.type, issue.metadata?.value].filter(Boolean).join(": ");
  return {
    kind: "ticket",
    ticket: {
      key: issue.id,
      id,
      title: issue.title,
      // The webhook has no event: enrich() builds the description from the latest one.
      description: [what || issue.title, issue.culprit ? `Culprit: ${issue.culprit}` : ""].filter(Boolean).join("\n"),
      labels: [],
      triggerLabels: [],
      url: issue.web_url || undefined,
      project: issue.project?.name || issue.project?.slug || undefined,
    },
  };
}

function parseComment(payload: unknown): TrackerEvent {
  const parsed = CommentHook.safeParse(payload);
  if (!parsed.success) return skip("not a Sentry comment webhook");
  const { action, data, actor } = parsed.data;
  if (action !== "created") return skip(`comment ${action.slice(0, 32)}, not created`);
  const comment = { key: data.issue_id, id: data.issue_id, text: data.comment ?? "", author: actor?.name || undefined };
  return { kind: "comment", comment: data.comment_id ? { ...comment, commentId: data.comment_id } : comment };
}

/** An event's page → its issue's page (`…/issues/1/events/abc/` → `…/issues/1/`). */
export function issueUrl(eventUrl: string | null | undefined): string | undefined {
  return eventUrl?.replace(/(\/issues\/\d+\/)events\/[^/]+\/?$/, "$1") || undefined;
}
