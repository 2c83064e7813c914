import * as z from "../zod";
import { verifyHexHmacHeader } from "./signatures";
import { TrackerApiError, trackerRequest } from "./tracker-api";
import type { ParseResult, SourceSettings, TicketSource, TrackerApi } from "./types";

const NAME = "taiga";
const TRACKER = "Taiga";
/** Item types that are tickets, with their path segment in Taiga's web URLs. */
const TICKET_TYPES = new Map([["issue", "issue"], ["userstory", "us"], ["task", "task"]]);
/** Each item type has its own REST collection; a comment is a PATCH of the item. */
const API_COLLECTIONS = new Map([["issue", "issues"], ["userstory", "userstories"], ["task", "tasks"]]);

/** Fields the ticket does not need: a surprising shape there must not cost the whole event. */
const optional = <T extends z.ZodMiniType>(schema: T) => z.catch(z.nullish(schema), undefined);

const Envelope = z.object({
  action: z.string(),
  type: z.string(),
  by: optional(z.object({ username: z.nullish(z.string()), full_name: z.nullish(z.string()) })),
  data: z.optional(z.unknown()),
  change: optional(
    z.object({
      comment: optional(z.string()),
      // Set when the delivery reports an edit or a removal of an earlier comment.
      edit_comment_date: z.optional(z.unknown()),
      delete_comment_date: z.optional(z.unknown()),
      diff: optional(z.object({ tags: optional(z.object({ from: z.optional(z.unknown()), to: z.optional(z.unknown()) })) })),
    }),
  ),
});

const Item = z.object({
  id: optional(z.number().check(z.int(), z.positive())),
  ref: z.number().check(z.int(), z.nonnegative()),
  subject: z.string().check(z.trim(), z.minLength(1), z.maxLength(2_000)),
  description: optional(z.string()),
  tags: z.optional(z.unknown()),
  permalink: optional(z.string()),
  project: z.object({
    id: optional(z.number()),
    name: optional(z.string()),
    permalink: optional(z.string()),
  }),
  owner: optional(z.object({ username: z.nullish(z.string()) })),
  status: optional(z.object({ name: z.nullish(z.string()), is_closed: z.nullish(z.boolean()) })),
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

/** Taiga's web app and API share an origin in the standard deployment: the permalink reveals it. */
function instanceOrigin(item: Item): string | undefined {
  for (const link of [item.permalink, item.project.permalink]) {
    if (!link) continue;
    try {
      const url = new URL(link);
      if (url.protocol === "https:" || url.protocol === "http:") return url.origin;
    } catch {
      // not a URL: try the next one
    }
  }
  return undefined;
}

function replyTo(item: Item, type: string): Record<string, string | number> | undefined {
  if (item.id == null) return undefined;
  const origin = instanceOrigin(item);
  return { type, itemId: item.id, ...(origin ? { baseUrl: origin } : {}) };
}

const Versioned = z.object({ version: z.number().check(z.int()) });

async function postComment(api: TrackerApi, url: string, body: string): Promise<void> {
  const auth = { authorization: `Bearer ${api.token}` };
  // Taiga refuses a write whose `version` is stale; someone may edit the item between our read and write.
  for (let attempt = 1; ; attempt++) {
    const item = Versioned.safeParse(await trackerRequest("GET", url, auth));
    if (!item.success) throw new Error(`Taiga answered GET ${new URL(url).pathname} without a version`);
    try {
      await trackerRequest("PATCH", url, auth, { comment: body, version: item.data.version });
      return;
    } catch (err) {
      const conflict = err instanceof TrackerApiError && (err.status === 400 || err.status === 409);
      if (!conflict || attempt >= 2) throw err;
    }
  }
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
    const slug = projectSlug(item);
    if (!slug) return { kind: "skip", reason: `${type} names no project` };
    const added = action === "create" ? [] : addedTags(change?.diff?.tags?.from, change?.diff?.tags?.to);
    const comment = change?.comment?.trim();
    // A comment that comes with a new tag is the tag's event: starting the ticket matters more.
    if (action === "change" && comment && added.length === 0) {
      if (change?.edit_comment_date || change?.delete_comment_date) return { kind: "skip", reason: "comment edited or deleted" };
      const by = envelope.data.by;
      const author = by?.username || by?.full_name || undefined;
      return { kind: "comment", comment: { source: NAME, key: `${slug}#${item.ref}`, id: `#${item.ref}`, text: comment, author } };
    }
    if (item.status?.is_closed) return { kind: "skip", reason: `${type} is ${(item.status.name ?? "closed").slice(0, 64)}` };
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
        triggerLabels: action === "create" ? labels : added,
        url: ticketUrl(settings, item, slug, type),
        project: item.project.name || slug,
        author: item.owner?.username || envelope.data.by?.username || undefined,
        replyTo: replyTo(item, type),
      },
    };
  },

  async comment(ticket, body, api) {
    const type = ticket.replyTo?.type;
    const itemId = ticket.replyTo?.itemId;
    const collection = typeof type === "string" ? API_COLLECTIONS.get(type) : undefined;
    // The key holds the project-scoped ref; the API wants the item's global id.
    if (!collection || typeof itemId !== "number") throw new Error("Taiga ticket without its item type and id: cannot comment");
    await postComment(api, `${api.baseUrl}/api/v1/${collection}/${itemId}`, body);
  },
};
