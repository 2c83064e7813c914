import * as z from "../../zod";
import { lenient } from "../kit/schema";

const Label = z.looseObject({ id: z.string(), name: z.string().check(z.trim(), z.minLength(1), z.maxLength(256)) });

export const Envelope = z.looseObject({
  event: lenient(z.string()),
  action: z.string(),
  data: z.optional(z.unknown()),
  activity: lenient(
    z.looseObject({
      field: z.nullish(z.string()),
      old_value: z.optional(z.unknown()),
      new_value: z.optional(z.unknown()),
      actor: lenient(z.looseObject({ display_name: z.nullish(z.string()) })),
    }),
  ),
});
export type Activity = z.infer<typeof Envelope>["activity"];

export const Issue = z.looseObject({
  id: z.string().check(z.trim(), z.minLength(1), z.maxLength(64)),
  name: z.string().check(z.trim(), z.minLength(1), z.maxLength(2_000)),
  sequence_id: lenient(z.number().check(z.int(), z.nonnegative())),
  description_stripped: lenient(z.string()),
  description_html: lenient(z.string()),
  // Unexpanded payloads carry bare UUIDs, which name nothing: only expanded labels count.
  labels: z.pipe(z.catch(z.array(z.unknown()), []), z.transform((items) => items.flatMap((i) => Label.safeParse(i).data ?? []))),
  project: lenient(z.union([z.string(), z.looseObject({ id: z.nullish(z.string()), identifier: z.nullish(z.string()) })])),
  project_detail: lenient(z.looseObject({ identifier: z.nullish(z.string()) })),
  state: lenient(z.union([z.string(), z.looseObject({ name: z.nullish(z.string()), group: z.nullish(z.string()) })])),
});
export type Issue = z.infer<typeof Issue>;

/** `issue_comment` events carry the comment; `issue` is the work item's UUID, the key of its ticket events. */
export const Comment = z.looseObject({
  id: lenient(z.string()),
  issue: z.union([
    z.string().check(z.trim(), z.minLength(1), z.maxLength(64)),
    z.pipe(z.looseObject({ id: z.string().check(z.trim(), z.minLength(1), z.maxLength(64)) }), z.transform((i) => i.id)),
  ]),
  comment_html: lenient(z.string()),
  comment_stripped: lenient(z.string()),
});
