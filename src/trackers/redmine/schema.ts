import * as z from "../../zod";
import { lenient } from "../kit/schema";

/** Redmine 7 sends `{id, name, value}`; the legacy plugin `{custom_field_id, custom_field_name?, value}`. */
export const CustomField = z.looseObject({
  id: z.optional(z.number()),
  custom_field_id: z.optional(z.number()),
  name: z.optional(z.string()),
  custom_field_name: z.optional(z.string()),
  value: z.optional(z.unknown()),
});
export type CustomField = z.infer<typeof CustomField>;

export const Person = z.looseObject({
  name: z.nullish(z.string()),
  login: z.nullish(z.string()),
  firstname: z.nullish(z.string()),
  lastname: z.nullish(z.string()),
});
export type Person = z.infer<typeof Person>;

export const Issue = z.looseObject({
  id: z.number().check(z.int(), z.positive()),
  subject: z.string().check(z.minLength(1)),
  description: z.nullish(z.string()),
  project: z.nullish(z.looseObject({ name: z.optional(z.string()), identifier: z.optional(z.string()) })),
  status: z.nullish(z.looseObject({ is_closed: z.optional(z.boolean()) })),
  author: lenient(Person),
  category: z.nullish(z.looseObject({ id: z.optional(z.number()), name: z.optional(z.string()) })),
  custom_fields: z.nullish(z.array(CustomField)),
  custom_field_values: z.nullish(z.array(CustomField)),
});
export type Issue = z.infer<typeof Issue>;

export const Detail = z.looseObject({
  property: z.string(),
  prop_key: z.pipe(z.union([z.string(), z.number()]), z.transform(String)),
  old_value: z.nullish(z.string()),
  value: z.nullish(z.string()),
});
export type Detail = z.infer<typeof Detail>;

/** Redmine 7 names the journal's writer `user`, the plugin `author`. */
export const Journal = z.looseObject({
  id: lenient(z.union([z.number(), z.string()])),
  notes: z.nullish(z.string()),
  details: z.nullish(z.array(Detail)),
  user: lenient(Person),
  author: lenient(Person),
});
export type Journal = z.infer<typeof Journal>;

/** Redmine 7's native webhook: `{type, timestamp, data}`, signed. */
export const Native = z.looseObject({
  type: z.string(),
  data: z.looseObject({ issue: z.optional(z.unknown()), journal: z.nullish(Journal) }),
});

/** suer/redmine_webhook (Redmine ≤ 6): unsigned, `{payload:{action, issue, journal, url}}`. */
export const Plugin = z.looseObject({
  payload: z.looseObject({
    action: z.string(),
    object: z.optional(z.string()),
    issue: z.optional(z.unknown()),
    journal: z.nullish(Journal),
    url: z.optional(z.string()),
  }),
});
