import * as z from "../zod";
import { htmlToText } from "./html-text";
import { verifyHexHmacHeader } from "./signatures";
import { trackerRequest } from "./tracker-api";
import type { ParseResult, SourceSettings, TicketSource, WebhookRequest } from "./types";

const NAME = "zammad";
const TRACKER = "Zammad";

// A trigger can fire on any state change; a finished ticket must not start work.
const FINISHED_STATES = new Set(["closed", "merged", "removed"]);

/** Fields the ticket does not need: a surprising shape there must not cost the whole event. */
const optional = <T extends z.ZodMiniType>(schema: T) => z.catch(z.nullish(schema), undefined);
const Named = z.object({ name: z.string() });

const ZammadPayload = z.object({
  ticket: z.object({
    id: z.union([z.number().check(z.int(), z.nonnegative()), z.string().check(z.trim(), z.minLength(1), z.maxLength(64))]),
    number: z.union([z.string().check(z.trim(), z.minLength(1), z.maxLength(64)), z.number().check(z.int(), z.nonnegative())]),
    title: z.string().check(z.trim(), z.minLength(1), z.maxLength(2_000)),
    state: optional(z.union([z.string(), Named])),
    // Not in the default payload; present when the operator adds it to a custom payload.
    tags: optional(z.union([z.array(z.string().check(z.maxLength(256))).check(z.maxLength(200)), z.string().check(z.maxLength(10_000))])),
    group: optional(z.union([z.string(), Named])),
    customer: optional(z.object({ login: z.nullish(z.string()), email: z.nullish(z.string()) })),
    article_ids: optional(z.array(z.number())),
    article_count: optional(z.number()),
  }),
  // `{}` when the update that fired the trigger added no article.
  article: optional(
    z.object({
      id: optional(z.number()),
      body: z.nullish(z.string()),
      content_type: z.nullish(z.string()),
      sender: optional(z.union([z.string(), Named])),
      from: optional(z.string()),
      created_by: optional(z.object({ login: z.nullish(z.string()), email: z.nullish(z.string()) })),
    }),
  ),
});

type Payload = z.infer<typeof ZammadPayload>;

const nameOf = (value: string | { name: string } | null | undefined) => (typeof value === "string" ? value : value?.name);

/** `#{ticket.tags}` in a custom payload renders as a comma-separated string. */
function tagList(tags: Payload["ticket"]["tags"]): string[] {
  const list = typeof tags === "string" ? tags.split(",") : (tags ?? []);
  return list.map((t) => t.trim()).filter(Boolean);
}

function description(article: Payload["article"]): string {
  const body = article?.body ?? "";
  return article?.content_type?.toLowerCase().startsWith("text/html") ? htmlToText(body) : body;
}

function ticketUrl(settings: SourceSettings, id: string): string | undefined {
  const base = settings.get("BASE_URL")?.replace(/\/+$/, "");
  return base ? `${base}/#ticket/zoom/${encodeURIComponent(id)}` : undefined;
}

/**
 * The article is a reply rather than the ticket's opening one when the ticket
 * holds an older article (ids grow), or, without the id list, more than one.
 */
function isFollowUp(ticket: Payload["ticket"], article: Payload["article"]): boolean {
  const id = article?.id;
  if (id === undefined || id === null) return false;
  if (ticket.article_ids?.length) return ticket.article_ids.some((other) => other < id);
  return (ticket.article_count ?? 0) > 1;
}

function commentOf(ticket: Payload["ticket"], article: NonNullable<Payload["article"]>): ParseResult {
  const sender = nameOf(article.sender);
  // Trigger notes and auto-replies are Zammad's own words, not a person's.
  if (sender?.toLowerCase() === "system") return { kind: "skip", reason: "article by the system" };
  const text = description(article);
  if (!text) return { kind: "skip", reason: "empty article" };
  const author = article.from?.trim() || article.created_by?.login || article.created_by?.email || undefined;
  return { kind: "comment", comment: { source: NAME, key: String(ticket.id), id: String(ticket.number), text, author } };
}

/** `ZAMMAD_COMMENT_INTERNAL=false` lets the customer see the bridge's notes. */
function internalNotes(settings: SourceSettings): boolean {
  const value = settings.get("COMMENT_INTERNAL")?.toLowerCase();
  return !(value === "false" || value === "0" || value === "no");
}

/**
 * A delivery to a `?label=` URL comes from the trigger that selects tickets
 * for Devin, which also fires on replies: it stays a ticket event.
 */
function selectsTicket(req: WebhookRequest): boolean {
  return Boolean(req.url.searchParams.get("label")?.trim());
}

export const zammad: TicketSource = {
  name: NAME,
  tracker: TRACKER,

  authenticate: (req, secrets) => verifyHexHmacHeader(req, secrets, "SHA-1", ["x-hub-signature"], "sha1="),

  parse(payload, req, settings): ParseResult {
    const result = ZammadPayload.safeParse(payload);
    if (!result.success) return { kind: "skip", reason: "not a Zammad ticket payload" };
    const { ticket, article } = result.data;
    if (article && isFollowUp(ticket, article) && !selectsTicket(req)) return commentOf(ticket, article);
    const state = nameOf(ticket.state);
    if (state && FINISHED_STATES.has(state.toLowerCase())) return { kind: "skip", reason: `ticket is ${state.slice(0, 64)}` };

    const key = String(ticket.id);
    const labels = tagList(ticket.tags);
    return {
      kind: "ticket",
      ticket: {
        source: NAME,
        tracker: TRACKER,
        key,
        id: String(ticket.number),
        title: ticket.title,
        description: description(article),
        labels,
        // Zammad sends no change set: the trigger's own conditions decide when it fires.
        triggerLabels: labels,
        url: ticketUrl(settings, key),
        project: nameOf(ticket.group) || undefined,
        author: ticket.customer?.login || ticket.customer?.email || undefined,
      },
    };
  },

  async comment(ticket, body, api) {
    // Internal by default: a helpdesk ticket's customer sees public notes, and session and PR links are for agents.
    await trackerRequest(
      "POST",
      `${api.baseUrl}/api/v1/ticket_articles`,
      { authorization: `Token token=${api.token}` },
      {
        ticket_id: /^\d+$/.test(ticket.key) ? Number(ticket.key) : ticket.key,
        body,
        content_type: "text/plain",
        type: "note",
        internal: internalNotes(api.settings),
      },
    );
  },
};
