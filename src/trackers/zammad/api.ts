import * as z from "../../zod";
import type { StampedTicket, TrackerApi } from "../contract";
import { COMMENT_TEXT, describe, send, type CommentCall } from "../kit/comment-call";
import { trackerRequest } from "../kit/http";

/** An article as the bridge posts it: a plain-text note, internal unless `ZAMMAD_COMMENT_INTERNAL=false`. */
export function noteFor(key: string, body: string, internal = true) {
  return { ticket_id: /^\d+$/.test(key) ? Number(key) : key, body, content_type: "text/plain", type: "note", internal };
}

/** Internal by default: a helpdesk ticket's customer sees public notes, and session and PR links are for agents. */
type Api = TrackerApi<{ COMMENT_INTERNAL?: boolean }>;

export function commentCall(ticket: StampedTicket, body: string, api: Api): CommentCall {
  return {
    method: "POST",
    url: `${api.baseUrl}/api/v1/ticket_articles`,
    headers: { authorization: `Token token=${api.token}` },
    body: noteFor(ticket.key, body, api.settings.COMMENT_INTERNAL),
  };
}

const Articles = z.array(
  z.looseObject({ id: z.number(), body: z.nullish(z.string()), content_type: z.nullish(z.string()) }),
);

/**
 * A tag-only update carries `article: {}` and a reply update carries the reply: either way the request
 * itself, the ticket's first article, comes from `GET /api/v1/ticket_articles/by_ticket/{id}`.
 */
export async function enrich(ticket: StampedTicket, api: Api): Promise<{ description?: string; descriptionFormat?: "html" }> {
  if (ticket.description.trim()) return {};
  const url = `${api.baseUrl}/api/v1/ticket_articles/by_ticket/${encodeURIComponent(ticket.key)}`;
  const list = Articles.safeParse(await trackerRequest("GET", url, { authorization: `Token token=${api.token}` }));
  const first = list.success ? list.data.filter((a) => a.body?.trim()).sort((a, b) => a.id - b.id)[0] : undefined;
  if (!first?.body) return {};
  // HTML is converted by the workflow (bounded, hidden blocks stripped), like a webhook's HTML description.
  return first.content_type?.toLowerCase().startsWith("text/html") ? { description: first.body, descriptionFormat: "html" } : { description: first.body };
}

export const writeBack = (ticket: StampedTicket, body: string, api: Api) => send(commentCall(ticket, body, api));
export const commentInstruction = (ticket: StampedTicket, api: Api) => describe(commentCall(ticket, COMMENT_TEXT, api));
