import * as z from "../../zod";
import type { TrackerEvent } from "../contract";
import { unique } from "../kit/labels";
import { lenient } from "../kit/schema";

/**
 * JetBrains' Webhook Triggers app (YouTrack Server 2025.3+, Cloud 2026.1+; JetBrains/youtrack-apps
 * packages/webhook-triggers-app): one POST per event, the project's token in a header it names
 * (`X-YouTrack-Token` by default), nothing signed. Every body starts
 * `{event, timestamp, id, summary, project{key, name, shortName}}`, `id` being the readable id (`WEB-12`).
 * The app sends no tags: a trigger is the `?label=` of the issue-created URL, or a value set on a
 * custom field (`changedFields`), such as an enum field "Devin" whose values are the trigger labels.
 */
export const APP_EVENTS = new Set(["issuecreated", "issueupdated", "commentadded"]);
/** Events the app also sends that are never a ticket or a new comment. */
export const APP_OTHER_EVENTS = new Set([
  "issuedeleted",
  "commentupdated",
  "commentdeleted",
  "workitemadded",
  "workitemupdated",
  "workitemdeleted",
  "issueattachmentadded",
  "issueattachmentdeleted",
]);

const Id = z.string().check(z.trim(), z.minLength(1), z.maxLength(256));
const User = lenient(z.looseObject({ login: z.nullish(z.string()), fullName: z.nullish(z.string()) }));

const AppIssue = z.looseObject({
  id: Id,
  summary: z.string().check(z.minLength(1)),
  description: z.nullish(z.string()),
  project: lenient(z.looseObject({ key: z.nullish(z.string()), shortName: z.nullish(z.string()), name: z.nullish(z.string()) })),
  reporter: User,
  updatedBy: User,
  changedFields: lenient(z.array(z.looseObject({ name: z.nullish(z.string()), oldValue: z.optional(z.unknown()), value: z.optional(z.unknown()) })).check(z.maxLength(200))),
});

const AppComment = z.looseObject({
  id: Id,
  comments: z.array(z.looseObject({ id: z.nullish(z.string()), text: z.nullish(z.string()), author: User })).check(z.minLength(1), z.maxLength(50)),
});

const who = (u: { login?: string | null; fullName?: string | null } | null | undefined) => u?.login || u?.fullName || undefined;

/** An enum value is `{name, presentation}`, a multi-value field a list of them, a plain field a string. */
function valueNames(value: unknown): string[] {
  const list = Array.isArray(value) ? value : [value];
  return list.flatMap((v) => {
    if (typeof v === "string") return v.trim() ? [v.trim()] : [];
    const name = typeof v === "object" && v !== null ? (v as { name?: unknown }).name : undefined;
    return typeof name === "string" && name.trim() ? [name.trim()] : [];
  });
}

export function parseAppEvent(event: string, payload: unknown, url: (id: string) => string | undefined): TrackerEvent {
  if (event === "commentadded") return parseAppComment(payload);
  const result = AppIssue.safeParse(payload);
  if (!result.success) return { kind: "skip", reason: "not a YouTrack Webhook Triggers issue body" };
  const issue = result.data;
  // What this change set: the values it gave to custom fields, which count as labels (a trigger matches by name).
  const set = (issue.changedFields ?? []).flatMap((f) => {
    const before = new Set(valueNames(f.oldValue).map((v) => v.toLowerCase()));
    return valueNames(f.value).filter((v) => !before.has(v.toLowerCase()));
  });
  const labels = unique(set);
  return {
    kind: "ticket",
    ticket: {
      key: issue.id,
      id: issue.id,
      title: issue.summary,
      description: issue.description ?? "",
      labels,
      triggerLabels: event === "issueupdated" ? labels : [],
      url: url(issue.id),
      project: issue.project?.shortName || issue.project?.key || undefined,
      author: who(issue.reporter),
      ...(event === "issueupdated" && who(issue.updatedBy) ? { requestedBy: who(issue.updatedBy) } : {}),
    },
  };
}

function parseAppComment(payload: unknown): TrackerEvent {
  const result = AppComment.safeParse(payload);
  if (!result.success) return { kind: "skip", reason: "not a YouTrack Webhook Triggers comment body" };
  const { id: key, comments } = result.data;
  const comment = comments[0]!;
  return {
    kind: "comment",
    comment: { key, id: key, text: comment.text ?? "", author: who(comment.author), ...(comment.id ? { commentId: comment.id } : {}) },
  };
}
