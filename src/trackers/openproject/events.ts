import * as z from "../../zod";
import type { TrackerEvent } from "../contract";
import { lenient } from "../kit/schema";

const TICKET_ACTIONS = new Set(["work_package:created", "work_package:updated"]);
/** The "Comment" / "Internal comment" webhook events; edits of a comment send nothing. */
const COMMENT_ACTIONS = new Set(["work_package_comment:comment", "work_package_comment:internal_comment"]);

const Named = z.looseObject({ name: z.string().check(z.trim(), z.maxLength(256)) });

const Envelope = z.looseObject({ action: z.string(), work_package: z.optional(z.unknown()), activity: z.optional(z.unknown()) });

/** The API v3 Activity (a journal with notes) the comment events carry. */
const Activity = z.looseObject({
  id: lenient(z.union([z.number(), z.string()])),
  comment: z.looseObject({ raw: z.nullish(z.string()) }),
  _links: z.looseObject({
    workPackage: z.looseObject({ href: z.string() }),
    user: lenient(z.looseObject({ title: z.nullish(z.string()) })),
  }),
});

/** The API v3 (HAL) representation OpenProject puts in `work_package`. */
const WorkPackage = z.looseObject({
  id: z.union([z.number().check(z.int(), z.positive()), z.string().check(z.trim(), z.regex(/^\d{1,18}$/))]),
  subject: z.string().check(z.trim(), z.minLength(1), z.maxLength(2_000)),
  description: lenient(z.looseObject({ raw: z.nullish(z.string()) })),
  _embedded: z.catch(
    z.looseObject({
      project: lenient(z.looseObject({ identifier: z.nullish(z.string()), name: z.nullish(z.string()) })),
      type: lenient(Named),
      category: lenient(Named),
      status: lenient(z.looseObject({ name: z.nullish(z.string()), isClosed: z.nullish(z.boolean()) })),
      author: lenient(z.looseObject({ login: z.nullish(z.string()), name: z.nullish(z.string()) })),
    }),
    {},
  ),
});

/** Work package create/update and comment events; `baseUrl` builds the ticket's link (the payload's links are relative). */
export function parseOpenProject(payload: unknown, baseUrl: string | undefined): TrackerEvent {
  const envelope = Envelope.safeParse(payload);
  if (!envelope.success) return { kind: "skip", reason: "not an OpenProject webhook payload" };
  const { action } = envelope.data;
  if (COMMENT_ACTIONS.has(action)) return parseComment(envelope.data.activity);
  if (!TICKET_ACTIONS.has(action)) return { kind: "skip", reason: `action ${action.slice(0, 64)} is not a work package create/update` };
  const result = WorkPackage.safeParse(envelope.data.work_package);
  if (!result.success) return { kind: "skip", reason: "not an OpenProject work package" };

  const wp = result.data;
  const e = wp._embedded;
  // Work package ids are global to the instance, so the id alone never collides.
  const key = String(wp.id);
  if (e.status?.isClosed) return { kind: "ended", ended: { key, id: `#${key}`, reason: "closed" } };
  // OpenProject has no tags: the category and the type are the label analogues.
  const labels = [e.category?.name, e.type?.name].filter((name): name is string => Boolean(name));
  return {
    kind: "ticket",
    ticket: {
      key,
      id: `#${key}`,
      title: wp.subject,
      description: wp.description?.raw ?? "",
      labels,
      // No change set on updates: a present trigger label counts, and the per-ticket gate dedupes.
      triggerLabels: labels,
      url: baseUrl ? `${baseUrl}/work_packages/${key}` : undefined,
      project: e.project?.identifier || e.project?.name || undefined,
      author: e.author?.login || e.author?.name || undefined,
    },
  };
}

function parseComment(activity: unknown): TrackerEvent {
  const result = Activity.safeParse(activity);
  if (!result.success) return { kind: "skip", reason: "comment event without an activity" };
  const { comment, _links } = result.data;
  // The link may carry a relative URL root (`/openproject/api/v3/…`): only its end names the work package.
  const key = /\/work_packages\/(\d{1,18})\/?$/.exec(_links.workPackage.href)?.[1];
  if (!key) return { kind: "skip", reason: "comment not on a work package" };
  const text = comment.raw?.trim();
  if (!text) return { kind: "skip", reason: "empty comment" };
  const id = result.data.id;
  return {
    kind: "comment",
    comment: { key, id: `#${key}`, text, author: _links.user?.title || undefined, ...(id != null ? { commentId: String(id) } : {}) },
  };
}
