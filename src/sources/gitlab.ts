import * as z from "../zod";
import type { TicketEvent } from "../ticket";
import { verifyTokenHeader } from "./signatures";
import { verifyStandardWebhook } from "./standard-webhooks";
import { trackerRequest } from "./tracker-api";
import type { ParseResult, SourceSettings, TicketSource, TrackerApi, WebhookRequest } from "./types";

const NAME = "gitlab";
const TRACKER = "GitLab";
const ISSUE_EVENTS = new Set(["issue hook", "confidential issue hook"]);
const NOTE_EVENTS = new Set(["note hook", "confidential note hook"]);

const Project = z.looseObject({
  id: z.nullish(z.number().check(z.int(), z.positive())),
  path_with_namespace: z.string().check(z.minLength(1)),
  web_url: z.nullish(z.string()),
});
type Project = z.infer<typeof Project>;

const Label = z.looseObject({ title: z.string() });
const Labels = z.array(Label).check(z.maxLength(500));

const IssueHook = z.looseObject({
  object_kind: z.literal("issue"),
  user: z.nullish(z.looseObject({ username: z.optional(z.string()), name: z.optional(z.string()) })),
  project: Project,
  object_attributes: z.looseObject({
    iid: z.number().check(z.int(), z.nonnegative()),
    title: z.string().check(z.minLength(1)),
    description: z.nullish(z.string()),
    url: z.nullish(z.string()),
    state: z.nullish(z.string()),
    action: z.nullish(z.string()),
    labels: z.nullish(Labels),
  }),
  labels: z.nullish(Labels),
  changes: z.nullish(
    z.looseObject({
      labels: z.nullish(z.looseObject({ previous: z.nullish(Labels), current: z.nullish(Labels) })),
    }),
  ),
});
type IssueHook = z.infer<typeof IssueHook>;

/** A comment ("note"); `issue` is only there when the note is on an issue. */
const NoteHook = z.looseObject({
  object_kind: z.literal("note"),
  user: z.nullish(z.looseObject({ username: z.optional(z.string()), name: z.optional(z.string()) })),
  project: Project,
  object_attributes: z.looseObject({
    note: z.nullish(z.string()),
    noteable_type: z.string(),
    // 16.11+: `create` or `update`. Older versions send edits too, without saying so.
    action: z.nullish(z.string()),
    system: z.nullish(z.boolean()),
    created_at: z.nullish(z.string()),
    updated_at: z.nullish(z.string()),
  }),
  issue: z.nullish(z.looseObject({ iid: z.number().check(z.int(), z.nonnegative()) })),
});

export const gitlab: TicketSource = {
  name: NAME,
  tracker: TRACKER,

  async authenticate(req, secrets) {
    // Either scheme proves the sender: the secret token in clear, or a 19.0+ signing token.
    const token = await verifyTokenHeader(req, secrets, "x-gitlab-token");
    const signed = await verifyStandardWebhook(req, secrets);
    return token || signed;
  },

  parse(payload, req, settings): ParseResult {
    const event = req.headers.get("x-gitlab-event")?.trim().toLowerCase();
    if (event ? NOTE_EVENTS.has(event) : kindOf(payload) === "note") return parseNote(payload);
    if (event && !ISSUE_EVENTS.has(event)) return { kind: "skip", reason: `GitLab event "${event}" is not an issue event` };
    const result = IssueHook.safeParse(payload);
    if (!result.success) return { kind: "skip", reason: "not a GitLab issue event" };
    const hook = result.data;
    const action = hook.object_attributes.action ?? "";

    const labels = titles(hook.object_attributes.labels ?? hook.labels);
    let triggerLabels: string[];
    if (action === "open") {
      triggerLabels = labels;
    } else if (action === "update") {
      if (hook.object_attributes.state === "closed") return { kind: "skip", reason: "the issue is closed" };
      triggerLabels = addedLabels(hook);
    } else {
      return { kind: "skip", reason: `issue action "${action || "none"}" neither opens an issue nor adds a label` };
    }
    return { kind: "ticket", ticket: toTicket(hook, labels, triggerLabels, settings, req) };
  },

  async comment(ticket, body, api) {
    await trackerRequest("POST", `${instanceRoot(api.baseUrl)}${notesPath(ticket)}`, { "private-token": api.token }, { body });
  },
};

function kindOf(payload: unknown): unknown {
  return typeof payload === "object" && payload !== null ? (payload as { object_kind?: unknown }).object_kind : undefined;
}

function parseNote(payload: unknown): ParseResult {
  const result = NoteHook.safeParse(payload);
  if (!result.success) return { kind: "skip", reason: "not a GitLab Note Hook payload" };
  const hook = result.data;
  const note = hook.object_attributes;
  if (note.noteable_type !== "Issue" || !hook.issue) {
    return { kind: "skip", reason: `comment on a ${note.noteable_type.slice(0, 32) || "non-issue"}, not an issue` };
  }
  if (note.system) return { kind: "skip", reason: "system note, not a comment" };
  if (note.action ? note.action !== "create" : edited(note)) {
    return { kind: "skip", reason: `comment ${(note.action ?? "update").slice(0, 32)}, not created` };
  }
  const key = `${hook.project.path_with_namespace}#${hook.issue.iid}`;
  return {
    kind: "comment",
    comment: {
      source: NAME,
      key,
      id: key,
      text: note.note ?? "",
      author: hook.user?.username || hook.user?.name || undefined,
    },
  };
}

/** Before 16.11 an edit arrives like a new note; only the timestamps tell it apart. */
function edited(note: { created_at?: string | null; updated_at?: string | null }): boolean {
  return Boolean(note.created_at && note.updated_at && note.created_at !== note.updated_at);
}

function titles(labels: readonly { title: string }[] | null | undefined): string[] {
  return (labels ?? []).map((l) => l.title);
}

/** GitLab sends the whole label list before and after; what was added is the difference by title. */
function addedLabels(hook: IssueHook): string[] {
  const change = hook.changes?.labels;
  if (!change) return [];
  const before = new Set(titles(change.previous));
  return titles(change.current).filter((t) => !before.has(t));
}

function toTicket(hook: IssueHook, labels: string[], triggerLabels: string[], settings: SourceSettings, req: WebhookRequest): TicketEvent {
  const issue = hook.object_attributes;
  const path = hook.project.path_with_namespace;
  const key = `${path}#${issue.iid}`;
  const baseUrl = rootOf(hook.project) ?? req.headers.get("x-gitlab-instance")?.trim() ?? settings.get("BASE_URL");
  const replyTo: Record<string, string | number> = { iid: issue.iid };
  if (hook.project.id) replyTo.projectId = hook.project.id;
  if (baseUrl && /^https?:\/\//i.test(baseUrl)) replyTo.baseUrl = baseUrl.replace(/\/+$/, "");
  return {
    source: NAME,
    tracker: TRACKER,
    key,
    id: key,
    title: issue.title,
    description: issue.description ?? "",
    labels,
    triggerLabels,
    url: issue.url || issueUrl(hook, settings),
    project: path,
    author: hook.user?.username || hook.user?.name || undefined,
    replyTo,
  };
}

/** `web_url` is `<root>/<path_with_namespace>`; the root keeps a relative URL root (`https://host/gitlab`). */
function rootOf(project: Project): string | undefined {
  const web = project.web_url?.trim().replace(/\/+$/, "");
  const suffix = `/${project.path_with_namespace}`;
  if (!web || !/^https?:\/\//i.test(web)) return undefined;
  if (web.toLowerCase().endsWith(suffix.toLowerCase())) return web.slice(0, -suffix.length);
  return URL.canParse(web) ? new URL(web).origin : undefined;
}

/** An operator's `GITLAB_BASE_URL` may name the API root instead of the instance. */
function instanceRoot(base: string): string {
  return base.trim().replace(/\/+$/, "").replace(/\/api\/v4$/i, "");
}

/**
 * The numeric project id from the payload when there is one; otherwise the
 * URL-encoded path from the key, which the API accepts as `:id` too.
 */
function notesPath(ticket: TicketEvent): string {
  const match = /^(.+)#(\d+)$/.exec(ticket.key);
  const projectId = ticket.replyTo?.projectId ?? match?.[1];
  const iid = ticket.replyTo?.iid ?? match?.[2];
  if (projectId === undefined || iid === undefined) throw new Error("ticket has no GitLab project and issue iid");
  return `/api/v4/projects/${encodeURIComponent(String(projectId))}/issues/${encodeURIComponent(String(iid))}/notes`;
}

function issueUrl(hook: IssueHook, settings: SourceSettings): string | undefined {
  const base = settings.get("BASE_URL")?.replace(/\/+$/, "");
  const project = base ? `${base}/${hook.project.path_with_namespace}` : hook.project.web_url;
  return project ? `${project}/-/issues/${hook.object_attributes.iid}` : undefined;
}
