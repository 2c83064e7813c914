import * as z from "../../zod";
import type { TrackerEvent } from "../contract";
import { webRoot } from "./api";
import { APP_EVENTS, APP_OTHER_EVENTS, parseAppEvent } from "./app";

/**
 * Two senders. JetBrains' Webhook Triggers app (app.ts), on YouTrack versions that have it; and, on
 * older ones, a workflow rule posting the bridge's own contract with `http.Connection` (see the README):
 * `{event?, idReadable, summary, description?, url?, tags[{name}], tagsAdded?[], project{shortName}?, reporter{login}?}`.
 * `event` is `issue.created` or `issue.updated` (absent = updated); `tagsAdded`
 * lists the tags this change added (`addedTags` is accepted as an alias).
 * A new comment is `{event:"comment.created", idReadable, comment{text, author{login}?}}`.
 */
const IdReadable = z.string().check(z.trim(), z.minLength(1), z.maxLength(256));
const TagNames = z.nullish(z.array(z.string()).check(z.maxLength(500)));

const WorkflowIssue = z.looseObject({
  idReadable: IdReadable,
  summary: z.string().check(z.minLength(1)),
  description: z.nullish(z.string()),
  url: z.nullish(z.string()),
  tags: z.nullish(z.array(z.looseObject({ name: z.string() })).check(z.maxLength(500))),
  tagsAdded: TagNames,
  addedTags: TagNames,
  project: z.nullish(z.looseObject({ shortName: z.nullish(z.string()) })),
  reporter: z.nullish(z.looseObject({ login: z.nullish(z.string()) })),
});

const WorkflowComment = z.looseObject({
  idReadable: IdReadable,
  comment: z.looseObject({
    text: z.nullish(z.string()),
    author: z.nullish(z.looseObject({ login: z.nullish(z.string()) })),
  }),
});

const CREATED = new Set(["issue.created", "created"]);
const UPDATED = new Set(["issue.updated", "updated", "issue.tags.added", "tags.added"]);
const COMMENTED = new Set(["comment.created", "issue.comment.created", "issue.comments.added"]);

const skip = (reason: string): TrackerEvent => ({ kind: "skip", reason });

export function parseYouTrack(payload: unknown, baseUrl: string | undefined): TrackerEvent {
  const named = eventOf(payload);
  if (named !== undefined && APP_EVENTS.has(named)) {
    return parseAppEvent(named, payload, (id) => (baseUrl ? `${webRoot(baseUrl)}/issue/${encodeURIComponent(id)}` : undefined));
  }
  if (named !== undefined && APP_OTHER_EVENTS.has(named)) return skip(`YouTrack event "${named}" neither creates an issue, changes its fields nor adds a comment`);
  if (named !== undefined && COMMENTED.has(named)) return parseComment(payload);
  const result = WorkflowIssue.safeParse(payload);
  if (!result.success) return skip("not a YouTrack issue body from the bridge workflow");
  const issue = result.data;
  const event = named ?? "issue.updated";
  if (!CREATED.has(event) && !UPDATED.has(event)) return skip(`YouTrack event "${event.slice(0, 64)}" neither creates an issue nor adds a tag`);
  const labels = (issue.tags ?? []).map((t) => t.name);
  return {
    kind: "ticket",
    ticket: {
      key: issue.idReadable,
      id: issue.idReadable,
      title: issue.summary,
      description: issue.description ?? "",
      labels,
      // Without a list of added tags every current tag may trigger: the per-ticket gate dedupes.
      triggerLabels: CREATED.has(event) ? labels : (issue.tagsAdded ?? issue.addedTags ?? labels),
      url: issue.url || (baseUrl ? `${webRoot(baseUrl)}/issue/${encodeURIComponent(issue.idReadable)}` : undefined),
      project: issue.project?.shortName || undefined,
      author: issue.reporter?.login || undefined,
    },
  };
}

/** `event`, else `action`: the rule's own name for what happened. */
function eventOf(payload: unknown): string | undefined {
  if (typeof payload !== "object" || payload === null) return undefined;
  const { event, action } = payload as { event?: unknown; action?: unknown };
  const value = typeof event === "string" ? event : typeof action === "string" ? action : undefined;
  return value?.trim().toLowerCase();
}

function parseComment(payload: unknown): TrackerEvent {
  const result = WorkflowComment.safeParse(payload);
  if (!result.success) return skip("not a YouTrack comment body from the bridge workflow");
  const { idReadable: key, comment } = result.data;
  return { kind: "comment", comment: { key, id: key, text: comment.text ?? "", author: comment.author?.login || undefined } };
}
