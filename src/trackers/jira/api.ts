import type { StampedTicket, TrackerApi } from "../contract";
import { COMMENT_TEXT, describe, send, type CommentCall } from "../kit/comment-call";
import { rootBefore, trimBase } from "../kit/url";

/** The instance root, context path kept (`https://host/jira`), from a REST link or a base that names the API. */
export function instanceRoot(url: string | null | undefined): string | undefined {
  return url ? rootBefore(`${trimBase(url)}/`, "/rest/") : undefined;
}

export function commentUrl(base: string, key: string): string {
  return `${instanceRoot(base) ?? trimBase(base)}/rest/api/2/issue/${encodeURIComponent(key)}/comment`;
}

/** A service-desk request's comment endpoint: `public: false` there keeps a note internal (agents only). */
export function requestCommentUrl(base: string, key: string): string {
  return `${instanceRoot(base) ?? trimBase(base)}/rest/servicedeskapi/request/${encodeURIComponent(key)}/comment`;
}

/**
 * Data Center's REST v2 with a personal access token. Cloud would need v3
 * (an ADF body) and Basic `email:token`, which this does not send. On a Jira
 * Service Management request the issue comment API would reply to the
 * customer by email, session and PR links included: there the note is an
 * internal comment instead.
 */
export function commentCall(ticket: StampedTicket, body: string, api: TrackerApi): CommentCall {
  const headers = { authorization: `Bearer ${api.token}` };
  if (ticket.reply?.serviceDesk) return { method: "POST", url: requestCommentUrl(api.baseUrl, ticket.key), headers, body: { body, public: false } };
  return { method: "POST", url: commentUrl(api.baseUrl, ticket.key), headers, body: { body } };
}

export const writeBack = (ticket: StampedTicket, body: string, api: TrackerApi) => send(commentCall(ticket, body, api));
export const commentInstruction = (ticket: StampedTicket, api: TrackerApi) => describe(commentCall(ticket, COMMENT_TEXT, api));
