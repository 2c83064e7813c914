import * as z from "../../zod";
import { lenient } from "../kit/schema";

const EntityId = z.union([z.number().check(z.int(), z.positive(), z.lte(Number.MAX_SAFE_INTEGER)), z.string().check(z.trim(), z.minLength(1), z.maxLength(64))]);
const Ids = z.catch(z.array(EntityId).check(z.maxLength(200)), []);
/** `{adds: [..], removes: [..]}`: how an update names what joined or left a list. */
const ListChange = lenient(z.looseObject({ adds: z.optional(Ids), removes: z.optional(Ids) }));
const BoolChange = lenient(z.looseObject({ new: z.nullish(z.boolean()), old: z.nullish(z.boolean()) }));

/** One entry of `actions`: a story created, updated or deleted; a comment created. */
export const Action = z.looseObject({
  id: EntityId,
  entity_type: z.string(),
  action: z.string(),
  name: lenient(z.string().check(z.maxLength(2_000))),
  description: lenient(z.string()),
  text: lenient(z.string()),
  app_url: lenient(z.string().check(z.maxLength(2_000))),
  author_id: lenient(z.string()),
  label_ids: z.optional(Ids),
  completed: lenient(z.boolean()),
  archived: lenient(z.boolean()),
  changes: lenient(
    z.looseObject({
      label_ids: ListChange,
      comment_ids: ListChange,
      completed: BoolChange,
      archived: BoolChange,
    }),
  ),
});
export type Action = z.infer<typeof Action>;

/** What `actions` refer to by id, with names: labels, workflow states, groups, stories. */
const Reference = z.looseObject({ id: EntityId, entity_type: z.string(), name: lenient(z.string().check(z.maxLength(256))) });
export type Reference = z.infer<typeof Reference>;

/** Shortcut's outgoing webhook, version v1. One bad action or reference costs only itself. */
export const Envelope = z.looseObject({
  version: lenient(z.string()),
  primary_id: lenient(EntityId),
  actions: z.pipe(z.array(z.unknown()).check(z.maxLength(200)), z.transform((items) => items.flatMap((i) => Action.safeParse(i).data ?? []))),
  references: z.pipe(z.catch(z.array(z.unknown()).check(z.maxLength(500)), []), z.transform((items) => items.flatMap((i) => Reference.safeParse(i).data ?? []))),
});

/** `GET /api/v3/stories/{id}`, for what an update does not carry. */
export const Story = z.looseObject({
  description: lenient(z.string()),
  app_url: lenient(z.string()),
  labels: z.pipe(z.catch(z.array(z.unknown()), []), z.transform((items) => items.flatMap((i) => z.looseObject({ name: z.string().check(z.minLength(1)) }).safeParse(i).data?.name ?? []))),
});
