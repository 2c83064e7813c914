import * as z from "../../zod";
import { lenient } from "../kit/schema";

/**
 * Azure DevOps service hook payloads (Services and Server share them): the
 * envelope names the event, `resource` is the work item (`workitem.created`,
 * `workitem.commented`) or one update with the revision after it
 * (`workitem.updated`). Fields are keyed by reference name (`System.Tags`).
 */
export const Envelope = z.looseObject({
  eventType: z.string().check(z.maxLength(128)),
  resource: z.looseObject({}),
});

const Fields = z.record(z.string(), z.unknown());
const Link = lenient(z.looseObject({ href: z.string().check(z.maxLength(2_000)) }));
const Links = lenient(z.looseObject({ html: Link }));
const WorkItemId = z.number().check(z.int(), z.positive(), z.lte(Number.MAX_SAFE_INTEGER));

/** `workitem.created` / `workitem.commented`: the work item as it is now. */
export const WorkItem = z.looseObject({
  id: WorkItemId,
  rev: lenient(z.number()),
  fields: Fields,
  _links: Links,
  url: lenient(z.string()),
});
export type WorkItem = z.infer<typeof WorkItem>;

/** `workitem.updated`: `fields` holds only what changed, as `{oldValue, newValue}`; `revision` is the item after it. */
export const Update = z.looseObject({
  workItemId: lenient(z.number()),
  rev: lenient(z.number()),
  revisedBy: lenient(z.unknown()),
  fields: z._default(z.record(z.string(), z.catch(z.looseObject({ oldValue: z.optional(z.unknown()), newValue: z.optional(z.unknown()) }), {})), {}),
  revision: z.looseObject({ id: WorkItemId, rev: lenient(z.number()), fields: Fields, _links: Links, url: lenient(z.string()) }),
});
export type Update = z.infer<typeof Update>;

/** A field's value when it is text (HTML for descriptions and history, `a; b` for tags). */
export function textField(fields: Record<string, unknown>, name: string): string | undefined {
  const value = fields[name];
  return typeof value === "string" ? value : typeof value === "number" ? String(value) : undefined;
}

/**
 * A person as a work item field holds one: an identity object on current
 * versions, `Display Name <user@domain>` on older ones.
 */
export function personName(value: unknown): string | undefined {
  if (typeof value === "string") return value.replace(/\s*<[^<>]*>\s*$/, "").trim() || undefined;
  if (value && typeof value === "object") {
    const { displayName, uniqueName } = value as { displayName?: unknown; uniqueName?: unknown };
    if (typeof displayName === "string" && displayName.trim()) return displayName.trim();
    if (typeof uniqueName === "string" && uniqueName.trim()) return uniqueName.trim();
  }
  return undefined;
}
