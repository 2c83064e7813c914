import { z } from "zod";
import { verifyHexHmacHeader } from "./signatures";
import type { ParseResult, SourceSettings, TicketSource } from "./types";

const NAME = "taiga";
const TRACKER = "Taiga";
/** Item types that are tickets, with their path segment in Taiga's web URLs. */
const TICKET_TYPES = new Map([["issue", "issue"], ["userstory", "us"], ["task", "task"]]);

/** Fields the ticket does not need: a surprising shape there must not cost the whole event. */
const optional = <T extends z.ZodType>(schema: T) => schema.nullish().catch(undefined);

const Envelope = z.object({
  action: z.string(),
  type: z.string(),
  by: optional(z.object({ username: z.string().nullish() })),
  data: z.unknown().optional(),
  change: optional(
    z.object({ diff: optional(z.object({ tags: optional(z.object({ from: z.unknown().optional(), to: z.unknown().optional() })) })) }),
  ),
});

const Item = z.object({
  ref: z.number().int().nonnegative(),
  subject: z.string().trim().min(1).max(2_000),
  description: optional(z.string()),
  tags: z.unknown().optional(),
  permalink: optional(z.string()),
  project: z.object({
    id: optional(z.number()),
    name: optional(z.string()),
    permalink: optional(z.string()),
  }),
  owner: optional(z.object({ username: z.string().nullish() })),
  status: optional(z.object({ name: z.string().nullish(), is_closed: z.boolean().nullish() })),
});

type Item = z.infer<typeof Item>;

/** Taiga sends tags as names or as `[name, color]` pairs, depending on the serializer. */
function tagNames(tags: unknown): string[] {
  if (!Array.isArray(tags)) return [];
  const names = tags.map((t: unknown) => (Array.isArray(t) ? t[0] : t));
  return names.filter((n): n is string => typeof n === "string" && n.trim() !== "").map((n) => n.trim());
}

function addedTags(from: unknown, to: unknown): string[] {
  const before = new Set(tagNames(from).map((t) => t.toLowerCase()));
  return tagNames(to).filter((t) => !before.has(t.toLowerCase()));
}

/** The project's slug is the last segment of its permalink; refs are numbered per project. */
function projectSlug(item: Item): string | undefined {
  const slug = item.project.permalink?.replace(/\/+$/, "").split("/").pop();
  return slug || item.project.name || (item.project.id != null ? String(item.project.id) : undefined);
}

function ticketUrl(settings: SourceSettings, item: Item, slug: string, type: string): string | undefined {
  if (item.permalink) return item.permalink;
  const base = settings.get("BASE_URL")?.replace(/\/+$/, "");
  return base ? `${base}/project/${encodeURIComponent(slug)}/${TICKET_TYPES.get(type)}/${item.ref}` : undefined;
}

export const taiga: TicketSource = {
  name: NAME,
  tracker: TRACKER,

  // Taiga's own header holds bare hex; X-Hub-Signature holds `sha1=<hex>`.
  authenticate: (req, secrets) =>
    verifyHexHmacHeader(req, secrets, "SHA-1", ["x-taiga-webhook-signature", "x-hub-signature"], "sha1="),

  parse(payload, _req, settings): ParseResult {
    const envelope = Envelope.safeParse(payload);
    if (!envelope.success) return { kind: "skip", reason: "not a Taiga webhook payload" };
    const { action, type, change } = envelope.data;
    if (!TICKET_TYPES.has(type)) return { kind: "skip", reason: `Taiga ${type.slice(0, 64)} is not a ticket` };
    if (action !== "create" && action !== "change") return { kind: "skip", reason: `${type} ${action.slice(0, 64)}` };
    const result = Item.safeParse(envelope.data.data);
    if (!result.success) return { kind: "skip", reason: `not a Taiga ${type}` };

    const item = result.data;
    if (item.status?.is_closed) return { kind: "skip", reason: `${type} is ${(item.status.name ?? "closed").slice(0, 64)}` };
    const slug = projectSlug(item);
    if (!slug) return { kind: "skip", reason: `${type} names no project` };
    const labels = tagNames(item.tags);
    return {
      kind: "ticket",
      ticket: {
        source: NAME,
        tracker: TRACKER,
        key: `${slug}#${item.ref}`,
        id: `#${item.ref}`,
        title: item.subject,
        description: item.description ?? "",
        labels,
        triggerLabels: action === "create" ? labels : addedTags(change?.diff?.tags?.from, change?.diff?.tags?.to),
        url: ticketUrl(settings, item, slug, type),
        project: item.project.name || slug,
        author: item.owner?.username || envelope.data.by?.username || undefined,
      },
    };
  },
};
