import * as z from "../../zod";
import { lenient } from "../kit/schema";

/**
 * GitLab's Issue Hook and Note Hook bodies (docs: user/project/integrations/webhook_events).
 * Loose: GitLab adds fields every release, and only these matter.
 */
const Iid = z.number().check(z.int(), z.nonnegative());
const Labels = z.array(z.looseObject({ title: z.string() })).check(z.maxLength(500));
const User = z.nullish(z.looseObject({ username: z.optional(z.string()), name: z.optional(z.string()) }));

export const Project = z.looseObject({
  id: z.nullish(z.number().check(z.int(), z.positive())),
  path_with_namespace: z.string().check(z.minLength(1)),
  web_url: z.nullish(z.string()),
});
export type Project = z.infer<typeof Project>;

export const IssueHook = z.looseObject({
  // Tasks, incidents and the other work-item types arrive on the same Issue Hook as `work_item`.
  object_kind: z.enum(["issue", "work_item"]),
  user: User,
  project: Project,
  object_attributes: z.looseObject({
    iid: Iid,
    title: z.string().check(z.minLength(1)),
    description: z.nullish(z.string()),
    url: z.nullish(z.string()),
    state: z.nullish(z.string()),
    action: z.nullish(z.string()),
    labels: z.nullish(Labels),
  }),
  labels: z.nullish(Labels),
  // Only what this update changed; GitLab sends the whole label list before and after.
  changes: z.nullish(
    z.looseObject({
      labels: z.nullish(z.looseObject({ previous: z.nullish(Labels), current: z.nullish(Labels) })),
      assignees: z.catch(z.nullish(z.looseObject({ previous: z.nullish(z.array(User)), current: z.nullish(z.array(User)) })), undefined),
    }),
  ),
});
export type IssueHook = z.infer<typeof IssueHook>;

/** A comment ("note"); `issue` is only there when the note is on an issue. */
export const NoteHook = z.looseObject({
  object_kind: z.literal("note"),
  user: User,
  project: Project,
  object_attributes: z.looseObject({
    id: lenient(z.number()),
    note: z.nullish(z.string()),
    noteable_type: z.string(),
    // 16.11+: `create` or `update`. Older versions send edits too, without saying so.
    action: z.nullish(z.string()),
    system: z.nullish(z.boolean()),
    created_at: z.nullish(z.string()),
    updated_at: z.nullish(z.string()),
  }),
  // The issue's own fields come along (title, description, labels, state): a mention may start it.
  issue: z.nullish(
    z.looseObject({
      iid: Iid,
      title: z.catch(z.optional(z.string().check(z.minLength(1))), undefined),
      description: z.catch(z.nullish(z.string()), undefined),
      labels: z.catch(z.nullish(Labels), undefined),
      state: z.catch(z.nullish(z.string()), undefined),
      url: z.catch(z.nullish(z.string()), undefined),
    }),
  ),
});
export type NoteHook = z.infer<typeof NoteHook>;

export const titles = (labels: readonly { title: string }[] | null | undefined): string[] => (labels ?? []).map((l) => l.title);
