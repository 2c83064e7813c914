import type { StampedTicket, TrackerApi } from "../contract";
import { COMMENT_TEXT, describe, send, type CommentCall } from "../kit/comment-call";

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

export const writeBack = (ticket: StampedTicket, body: string, api: Api) => send(commentCall(ticket, body, api));
export const commentInstruction = (ticket: StampedTicket, api: Api) => describe(commentCall(ticket, COMMENT_TEXT, api));
