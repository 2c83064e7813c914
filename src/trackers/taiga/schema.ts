import * as z from "../../zod";
import { lenient } from "../kit/schema";

const User = z.looseObject({ username: z.nullish(z.string()), full_name: z.nullish(z.string()) });

export const Envelope = z.looseObject({
  action: z.string(),
  type: z.string(),
  by: lenient(User),
  data: z.optional(z.unknown()),
  change: lenient(
    z.looseObject({
      comment: lenient(z.string()),
      // Set when the delivery reports an edit or a removal of an earlier comment.
      edit_comment_date: z.optional(z.unknown()),
      delete_comment_date: z.optional(z.unknown()),
      diff: lenient(z.looseObject({ tags: lenient(z.looseObject({ from: z.optional(z.unknown()), to: z.optional(z.unknown()) })) })),
    }),
  ),
});

export const Item = z.looseObject({
  id: lenient(z.number().check(z.int(), z.positive())),
  ref: z.number().check(z.int(), z.nonnegative()),
  subject: z.string().check(z.trim(), z.minLength(1), z.maxLength(2_000)),
  description: lenient(z.string()),
  tags: z.optional(z.unknown()),
  permalink: lenient(z.string()),
  project: z.looseObject({ id: lenient(z.number()), name: lenient(z.string()), permalink: lenient(z.string()) }),
  owner: lenient(User),
  status: lenient(z.looseObject({ name: z.nullish(z.string()), is_closed: z.nullish(z.boolean()) })),
});
export type Item = z.infer<typeof Item>;
