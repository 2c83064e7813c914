import * as z from "../../zod";
import { lenient } from "../kit/schema";

/** A list of names as the script sends it: an array, or one comma-separated string. */
const Names = z.union([z.array(z.string().check(z.maxLength(256))).check(z.maxLength(200)), z.string().check(z.maxLength(10_000))]);

/**
 * What the Business Rule in README.md ("ServiceNow") posts: ServiceNow has no
 * webhooks of its own, so this shape is the bridge's, built from the record's
 * GlideRecord fields (display values for references and choices).
 */
export const ServiceNowPayload = z.looseObject({
  event: z.string().check(z.maxLength(64)),
  // Table and sys_id go into the Table API's path: nothing else may pass.
  table: z.string().check(z.regex(/^[a-z][a-z0-9_]{0,79}$/)),
  sys_id: z.string().check(z.regex(/^[0-9a-f]{32}$/)),
  number: z.string().check(z.trim(), z.minLength(1), z.maxLength(64)),
  instance: lenient(z.string().check(z.maxLength(2_000))),
  short_description: lenient(z.string()),
  description: lenient(z.string()),
  state: lenient(z.string()),
  active: lenient(z.union([z.boolean(), z.string()])),
  category: lenient(z.string()),
  assignment_group: lenient(z.string()),
  caller: lenient(z.string()),
  opened_by: lenient(z.string()),
  labels: lenient(Names),
  // On updates: the record before it (`previous` in a Business Rule).
  previous: lenient(z.looseObject({ active: lenient(z.union([z.boolean(), z.string()])), labels: lenient(Names) })),
  comment: lenient(
    z.looseObject({
      id: lenient(z.string().check(z.maxLength(128))),
      field: lenient(z.string()),
      author: lenient(z.string()),
      text: z.string(),
    }),
  ),
});
export type Payload = z.infer<typeof ServiceNowPayload>;
