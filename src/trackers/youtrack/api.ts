import type { StampedTicket, TrackerApi } from "../contract";
import { COMMENT_TEXT, describe, send, type CommentCall } from "../kit/comment-call";
import { trimBase, withSuffix } from "../kit/url";

/** `YOUTRACK_BASE_URL` may name the site or its REST root (`…/api`): both give the web root and the REST root. */
export const webRoot = (base: string) => trimBase(base).replace(/\/api$/i, "");
export const apiRoot = (base: string) => withSuffix(base, "/api");

/** `POST /api/issues/{idReadable}/comments` with a permanent token (`perm:…`). */
export function commentCall(ticket: StampedTicket, body: string, api: TrackerApi): CommentCall {
  const url = `${apiRoot(api.baseUrl)}/issues/${encodeURIComponent(ticket.key)}/comments`;
  return { method: "POST", url, headers: { authorization: `Bearer ${api.token}` }, body: { text: body } };
}

export const writeBack = (ticket: StampedTicket, body: string, api: TrackerApi) => send(commentCall(ticket, body, api));
export const commentInstruction = (ticket: StampedTicket, api: TrackerApi) => describe(commentCall(ticket, COMMENT_TEXT, api));
