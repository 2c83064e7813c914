import { z } from "zod";
import { verifyTokenHeader } from "./signatures";
import type { ParseResult, SourceSettings, TicketSource } from "./types";

const NAME = "youtrack";
const TRACKER = "YouTrack";

/**
 * YouTrack has no outgoing webhooks, so this body is the bridge's own contract,
 * posted by a workflow rule with `http.Connection` (see the README):
 * `{event?, idReadable, summary, description?, url?, tags[{name}], tagsAdded?[], project{shortName}?, reporter{login}?}`.
 * `event` is `issue.created` or `issue.updated` (absent = updated); `tagsAdded`
 * lists the tags this change added (`addedTags` is accepted as an alias).
 */
const TagNames = z.array(z.string()).max(500);
const WorkflowIssue = z.looseObject({
  event: z.string().nullish(),
  action: z.string().nullish(),
  idReadable: z.string().trim().min(1).max(256),
  summary: z.string().min(1),
  description: z.string().nullish(),
  url: z.string().nullish(),
  tags: z.array(z.looseObject({ name: z.string() })).max(500).nullish(),
  tagsAdded: TagNames.nullish(),
  addedTags: TagNames.nullish(),
  project: z.looseObject({ shortName: z.string().nullish() }).nullish(),
  reporter: z.looseObject({ login: z.string().nullish() }).nullish(),
});
type WorkflowIssue = z.infer<typeof WorkflowIssue>;

const CREATED = new Set(["issue.created", "created"]);
const UPDATED = new Set(["issue.updated", "updated", "issue.tags.added", "tags.added"]);

export const youtrack: TicketSource = {
  name: NAME,
  tracker: TRACKER,

  // The workflow scripting API cannot sign, so the rule sends a static bearer token.
  authenticate(req, secrets) {
    return verifyTokenHeader(req, secrets, "authorization", "Bearer");
  },

  parse(payload, _req, settings): ParseResult {
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
};

function toTicket(issue: WorkflowIssue, labels: string[], triggerLabels: string[], settings: SourceSettings) {
  const base = settings.get("BASE_URL")?.replace(/\/+$/, "");
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
  };
}
