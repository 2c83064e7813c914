import * as z from "../zod";
import type { TicketEvent } from "../ticket";
import { verifyTokenHeader } from "./signatures";
import { trackerRequest } from "./tracker-api";
import type { ParseResult, SourceSettings, TicketSource, TrackerApi } from "./types";

const NAME = "youtrack";
const TRACKER = "YouTrack";

/**
 * YouTrack has no outgoing webhooks, so this body is the bridge's own contract,
 * posted by a workflow rule with `http.Connection` (see the README):
 * `{event?, idReadable, summary, description?, url?, tags[{name}], tagsAdded?[], project{shortName}?, reporter{login}?}`.
 * `event` is `issue.created` or `issue.updated` (absent = updated); `tagsAdded`
 * lists the tags this change added (`addedTags` is accepted as an alias).
 * A new comment is `{event:"comment.created", idReadable, comment{text, author{login}?}}`.
 */
const TagNames = z.array(z.string()).check(z.maxLength(500));
const WorkflowIssue = z.looseObject({
  event: z.nullish(z.string()),
  action: z.nullish(z.string()),
  idReadable: z.string().check(z.trim(), z.minLength(1), z.maxLength(256)),
  summary: z.string().check(z.minLength(1)),
  description: z.nullish(z.string()),
  url: z.nullish(z.string()),
  tags: z.nullish(z.array(z.looseObject({ name: z.string() })).check(z.maxLength(500))),
  tagsAdded: z.nullish(TagNames),
  addedTags: z.nullish(TagNames),
  project: z.nullish(z.looseObject({ shortName: z.nullish(z.string()) })),
  reporter: z.nullish(z.looseObject({ login: z.nullish(z.string()) })),
});
type WorkflowIssue = z.infer<typeof WorkflowIssue>;

const WorkflowComment = z.looseObject({
  idReadable: z.string().check(z.trim(), z.minLength(1), z.maxLength(256)),
  comment: z.looseObject({
    text: z.nullish(z.string()),
    author: z.nullish(z.looseObject({ login: z.nullish(z.string()) })),
  }),
});

const CREATED = new Set(["issue.created", "created"]);
const UPDATED = new Set(["issue.updated", "updated", "issue.tags.added", "tags.added"]);
const COMMENTED = new Set(["comment.created", "issue.comment.created", "issue.comments.added"]);

export const youtrack: TicketSource = {
  name: NAME,
  tracker: TRACKER,

  // The workflow scripting API cannot sign, so the rule sends a static bearer token.
  authenticate(req, secrets) {
    return verifyTokenHeader(req, secrets, "authorization", "Bearer");
  },

  parse(payload, _req, settings): ParseResult {
    const named = eventOf(payload);
    if (named !== undefined && COMMENTED.has(named)) return parseComment(payload);
    const result = WorkflowIssue.safeParse(payload);
    if (!result.success) return { kind: "skip", reason: "not a YouTrack issue body from the bridge workflow" };
    const issue = result.data;
    const event = (issue.event ?? issue.action ?? "issue.updated").trim().toLowerCase();
    if (!CREATED.has(event) && !UPDATED.has(event)) {
      return { kind: "skip", reason: `YouTrack event "${event}" neither creates an issue nor adds a tag` };
    }
    const labels = (issue.tags ?? []).map((t) => t.name);
    // Without a list of added tags every current tag may trigger: the per-ticket gate dedupes.
    const triggerLabels = CREATED.has(event) ? labels : (issue.tagsAdded ?? issue.addedTags ?? labels);
    return { kind: "ticket", ticket: toTicket(issue, labels, triggerLabels, settings) };
  },

  comment,
};

async function comment(ticket: TicketEvent, body: string, api: TrackerApi): Promise<void> {
  // An operator's YOUTRACK_BASE_URL may end in /api already.
  const base = api.baseUrl.trim().replace(/\/+$/, "").replace(/\/api$/i, "");
  await trackerRequest("POST", `${base}/api/issues/${encodeURIComponent(ticket.key)}/comments`, { authorization: `Bearer ${api.token}` }, { text: body });
}

function eventOf(payload: unknown): string | undefined {
  if (typeof payload !== "object" || payload === null) return undefined;
  const { event, action } = payload as { event?: unknown; action?: unknown };
  const value = typeof event === "string" ? event : typeof action === "string" ? action : undefined;
  return value?.trim().toLowerCase();
}

function parseComment(payload: unknown): ParseResult {
  const result = WorkflowComment.safeParse(payload);
  if (!result.success) return { kind: "skip", reason: "not a YouTrack comment body from the bridge workflow" };
  const { idReadable, comment } = result.data;
  return {
    kind: "comment",
    comment: { source: NAME, key: idReadable, id: idReadable, text: comment.text ?? "", author: comment.author?.login || undefined },
  };
}

function toTicket(issue: WorkflowIssue, labels: string[], triggerLabels: string[], settings: SourceSettings): TicketEvent {
  const base = settings.get("BASE_URL")?.replace(/\/+$/, "");
  const root = issue.url ? instanceOf(issue.url) : undefined;
  return {
    source: NAME,
    tracker: TRACKER,
    key: issue.idReadable,
    id: issue.idReadable,
    title: issue.summary,
    description: issue.description ?? "",
    labels,
    triggerLabels,
    url: issue.url || (base ? `${base}/issue/${encodeURIComponent(issue.idReadable)}` : undefined),
    project: issue.project?.shortName || undefined,
    author: issue.reporter?.login || undefined,
    ...(root ? { replyTo: { baseUrl: root } } : {}),
  };
}

/** `https://host[/youtrack]/issue/WEB-1[/slug]` → `https://host[/youtrack]`: where the REST API lives. */
function instanceOf(issueUrl: string): string | undefined {
  const match = /^(https?:\/\/[^/]+(?:\/.*?)?)\/issue\/[^/]+(?:\/.*)?$/i.exec(issueUrl.trim());
  return match?.[1];
}
