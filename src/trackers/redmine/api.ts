import type { StampedTicket, TrackerApi } from "../contract";
import { COMMENT_TEXT, describe, send, type CommentCall } from "../kit/comment-call";

/** Redmine's own API-key header: an `Authorization` header would make it try Basic auth instead. */
export const apiHeaders = (token: string): Record<string, string> => ({ "x-redmine-api-key": token });

/** Redmine adds a comment as the `notes` of an issue update; it answers 204. */
export function commentCall(ticket: StampedTicket, body: string, api: Pick<TrackerApi, "baseUrl" | "token">): CommentCall {
  return { method: "PUT", url: `${api.baseUrl}/issues/${encodeURIComponent(ticket.key)}.json`, headers: apiHeaders(api.token), body: { issue: { notes: body } } };
}

export const writeBack = (ticket: StampedTicket, body: string, api: Pick<TrackerApi, "baseUrl" | "token">) => send(commentCall(ticket, body, api));
export const commentInstruction = (ticket: StampedTicket, api: Pick<TrackerApi, "baseUrl" | "token">) => describe(commentCall(ticket, COMMENT_TEXT, api));
