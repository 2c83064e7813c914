import * as z from "../zod";
import { htmlToText } from "./html-text";
import { verifyHexHmacHeader } from "./signatures";
import { trackerRequest } from "./tracker-api";
import type { ParseResult, SourceSettings, TicketSource, TrackerApi, WebhookRequest } from "./types";

const NAME = "plane";
const TRACKER = "Plane";
// The web app and the API name the field differently.
const LABEL_FIELDS = new Set(["labels", "label_ids"]);
const FINISHED_GROUPS = new Set(["completed", "cancelled"]);

/** Fields the ticket does not need: a surprising shape there must not cost the whole event. */
const optional = <T extends z.ZodMiniType>(schema: T) => z.catch(z.nullish(schema), undefined);
const Label = z.object({ id: z.string(), name: z.string().check(z.trim(), z.minLength(1), z.maxLength(256)) });

const Envelope = z.object({
  event: optional(z.string()),
  action: z.string(),
  data: z.optional(z.unknown()),
  activity: optional(
    z.object({
      field: z.nullish(z.string()),
      old_value: z.optional(z.unknown()),
      new_value: z.optional(z.unknown()),
      actor: optional(z.object({ display_name: z.nullish(z.string()) })),
    }),
  ),
});

const Issue = z.object({
  id: z.string().check(z.trim(), z.minLength(1), z.maxLength(64)),
  name: z.string().check(z.trim(), z.minLength(1), z.maxLength(2_000)),
  sequence_id: optional(z.number().check(z.int(), z.nonnegative())),
  description_stripped: optional(z.string()),
  description_html: optional(z.string()),
  // Unexpanded payloads carry bare UUIDs, which name nothing: only expanded labels count.
  labels: z.pipe(z.catch(z.array(z.unknown()), []), z.transform((items) => items.flatMap((i) => Label.safeParse(i).data ?? []))),
  project: optional(z.union([z.string(), z.object({ id: z.nullish(z.string()), identifier: z.nullish(z.string()) })])),
  project_detail: optional(z.object({ identifier: z.nullish(z.string()) })),
  state: optional(z.union([z.string(), z.object({ name: z.nullish(z.string()), group: z.nullish(z.string()) })])),
});

type Issue = z.infer<typeof Issue>;
type Activity = z.infer<typeof Envelope>["activity"];

/** `issue_comment` events carry the comment; `issue` is the work item's UUID, the key of its ticket events. */
const Comment = z.object({
  issue: z.union([
    z.string().check(z.trim(), z.minLength(1), z.maxLength(64)),
    z.pipe(z.object({ id: z.string().check(z.trim(), z.minLength(1), z.maxLength(64)) }), z.transform((i) => i.id)),
  ]),
  comment_html: optional(z.string()),
  comment_stripped: optional(z.string()),
});

/** A label activity value is one UUID or, depending on the client, the whole list. */
function idList(value: unknown): string[] {
  if (typeof value === "string") return value ? [value] : [];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

function addedLabels(activity: Activity, labels: Issue["labels"]): string[] {
  if (!activity?.field || !LABEL_FIELDS.has(activity.field)) return [];
  const before = new Set(idList(activity.old_value));
  const added = idList(activity.new_value).filter((id) => !before.has(id));
  if (added.length === 0) return [];
  const names = added.map((v) => labels.find((l) => l.id === v || l.name === v)?.name);
  // The payload's labels can lag behind the change: then any current label may be the new one.
  return names.every(Boolean) ? (names as string[]) : labels.map((l) => l.name);
}

function projectOf(issue: Issue): { id?: string; identifier?: string } {
  const p = issue.project;
  const identifier = issue.project_detail?.identifier ?? (typeof p === "object" ? p?.identifier : undefined);
  return { id: (typeof p === "string" ? p : p?.id) ?? undefined, identifier: identifier ?? undefined };
}

/** `PLANE_BASE_URL` is the workspace URL (`https://plane.example/<workspace-slug>`): the payload has no slug. */
function ticketUrl(settings: SourceSettings, issue: Issue, projectId: string | undefined): string | undefined {
  const base = settings.get("BASE_URL")?.replace(/\/+$/, "");
  return base && projectId ? `${base}/projects/${encodeURIComponent(projectId)}/issues/${encodeURIComponent(issue.id)}` : undefined;
}

function humanId(issue: Issue, identifier: string | undefined): string {
  if (issue.sequence_id === undefined || issue.sequence_id === null) return issue.id;
  return identifier ? `${identifier}-${issue.sequence_id}` : `#${issue.sequence_id}`;
}

function parseComment(action: string, data: unknown, activity: Activity): ParseResult {
  // Edits arrive as `updated` (one per changed field) and removals as `deleted`: only new comments count.
  if (action !== "created") return { kind: "skip", reason: `comment ${action.slice(0, 64)}` };
  const result = Comment.safeParse(data);
  if (!result.success) return { kind: "skip", reason: "not a Plane comment" };
  const comment = result.data;
  const text = comment.comment_stripped?.trim() || htmlToText(comment.comment_html ?? "");
  if (!text) return { kind: "skip", reason: "empty comment" };
  // The comment names no sequence id, so the work item's UUID is the id people get to see.
  const author = activity?.actor?.display_name || undefined;
  return { kind: "comment", comment: { source: NAME, key: comment.issue, id: comment.issue, text, author } };
}

/**
 * The REST API lives at the instance root, and its paths want the workspace
 * slug: `PLANE_WORKSPACE_SLUG`, else the last segment of `PLANE_BASE_URL`
 * (the workspace URL).
 */
function workspaceApi(api: TrackerApi): { root: string; slug: string } {
  const url = new URL(api.baseUrl);
  const segments = url.pathname.split("/").filter(Boolean);
  const slug = api.settings.get("WORKSPACE_SLUG") ?? segments.at(-1);
  if (!slug) throw new Error("Plane workspace unknown: set PLANE_BASE_URL to the workspace URL or PLANE_WORKSPACE_SLUG");
  if (segments.at(-1) === slug) segments.pop();
  return { root: [url.origin, ...segments].join("/"), slug };
}

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);

/** Bare URLs become links; punctuation that ends a sentence stays outside. */
function lineToHtml(line: string): string {
  let html = "";
  let last = 0;
  for (const match of line.matchAll(/https?:\/\/[^\s<>"']+/g)) {
    const url = match[0].replace(/[.,;:!?)]+$/, "");
    html += `${escapeHtml(line.slice(last, match.index))}<a href="${escapeHtml(url)}">${escapeHtml(url)}</a>`;
    last = match.index + url.length;
  }
  return html + escapeHtml(line.slice(last));
}

/** Plane stores comments as HTML: plain lines would run together, and bare URLs would not be links. */
function textToHtml(text: string): string {
  return text
    .replace(/\r\n?/g, "\n")
    .split(/\n{2,}/)
    .map((paragraph) => paragraph.trim())
    .filter(Boolean)
    .map((paragraph) => `<p>${paragraph.split("\n").map(lineToHtml).join("<br>")}</p>`)
    .join("");
}

function eventOf(event: string | null | undefined, req: WebhookRequest): string {
  return (event ?? req.headers.get("x-plane-event") ?? "none").trim().toLowerCase();
}

export const plane: TicketSource = {
  name: NAME,
  tracker: TRACKER,

  authenticate: (req, secrets) => verifyHexHmacHeader(req, secrets, "SHA-256", ["x-plane-signature"], ""),

  parse(payload, req, settings): ParseResult {
    const envelope = Envelope.safeParse(payload);
    if (!envelope.success) return { kind: "skip", reason: "not a Plane webhook payload" };
    const { action, activity } = envelope.data;
    const event = eventOf(envelope.data.event, req);
    if (event === "issue_comment") return parseComment(action, envelope.data.data, activity);
    if (event !== "issue") return { kind: "skip", reason: `Plane event ${event.slice(0, 64)} is not an issue event` };
    if (action !== "created" && action !== "updated") return { kind: "skip", reason: `issue ${action.slice(0, 64)}` };
    const result = Issue.safeParse(envelope.data.data);
    if (!result.success) return { kind: "skip", reason: "not a Plane issue" };

    const issue = result.data;
    const state = issue.state;
    if (typeof state === "object" && state?.group && FINISHED_GROUPS.has(state.group)) {
      return { kind: "skip", reason: `issue is ${state.group}` };
    }
    const project = projectOf(issue);
    const labels = issue.labels.map((l) => l.name);
    return {
      kind: "ticket",
      ticket: {
        source: NAME,
        tracker: TRACKER,
        key: issue.id,
        id: humanId(issue, project.identifier),
        title: issue.name,
        description: issue.description_stripped || htmlToText(issue.description_html ?? ""),
        labels,
        triggerLabels: action === "created" ? labels : addedLabels(activity, issue.labels),
        url: ticketUrl(settings, issue, project.id),
        project: project.identifier,
        author: action === "created" ? activity?.actor?.display_name || undefined : undefined,
        // The project's UUID is in no other field of the ticket, and the comment API path needs it.
        ...(project.id ? { replyTo: { projectId: project.id } } : {}),
      },
    };
  },

  async comment(ticket, body, api) {
    const projectId = ticket.replyTo?.projectId;
    if (typeof projectId !== "string" || !projectId) throw new Error("Plane ticket without its project id: cannot comment");
    const { root, slug } = workspaceApi(api);
    const [w, p, i] = [slug, projectId, ticket.key].map(encodeURIComponent);
    const url = `${root}/api/v1/workspaces/${w}/projects/${p}/issues/${i}/comments/`;
    await trackerRequest("POST", url, { "x-api-key": api.token }, { comment_html: textToHtml(body) });
  },
};
