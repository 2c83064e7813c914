import * as z from "../../zod";
import { lenient } from "../kit/schema";

const User = z.looseObject({ login: z.nullish(z.string()), real_name: z.nullish(z.string()) });

// `"perf, devin-autofix"` for keywords; numbers for some other fields.
const ListValue = lenient(z.union([z.string(), z.number()]));

/**
 * What BMO's Webhooks extension sends (extensions/Push: Connector/Webhook.pm,
 * Serialize.pm). A private bug arrives reduced to `{id, is_private}`.
 */
export const Envelope = z.looseObject({
  bug: z.optional(z.looseObject({ is_private: z.optional(z.boolean()) })),
  event: z.looseObject({
    routing_key: z.string(),
    user: lenient(User),
    changes: lenient(z.array(z.looseObject({ field: z.string(), removed: ListValue, added: ListValue }))),
  }),
});

/** A person as BMO names one: the real name when given, else the login. */
export const nameOf = (user: z.infer<typeof User> | null | undefined) => user?.real_name?.trim() || user?.login || undefined;

export const Bug = z.looseObject({
  id: z.number().check(z.int(), z.positive()),
  summary: z.string().check(z.minLength(1)),
  keywords: z._default(z.array(z.string()), []),
  product: z.optional(z.string()),
  resolution: z.nullish(z.string()),
  creator: z.optional(z.string()),
  creator_detail: lenient(User),
});

/** `comment.create`: the comment moves into `bug.comment`; a private one keeps only ids and `is_private`. */
export const CommentEvent = z.looseObject({
  bug: z.looseObject({
    id: z.number().check(z.int(), z.positive()),
    is_private: z.optional(z.boolean()),
    comment: z.looseObject({
      id: lenient(z.number()),
      number: z.nullish(z.number().check(z.int(), z.nonnegative())),
      body: z.nullish(z.string()),
      // REST's own name for the body, for hooks that serialise it that way.
      text: z.nullish(z.string()),
      is_private: z.optional(z.boolean()),
    }),
  }),
  event: z.looseObject({ user: lenient(User) }),
});

/** `GET /rest/bug/{id}/comment`: comment 0 is the bug's description. */
export const Comments = z.looseObject({
  bugs: z.record(z.string(), z.looseObject({ comments: z.array(z.looseObject({ text: z.string() })) })),
});
