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

/**
 * Data Center's REST v2 with a personal access token. Cloud would need v3
 * (an ADF body) and Basic `email:token`, which this does not send.
 */
export function commentCall(ticket: StampedTicket, body: string, api: TrackerApi): CommentCall {
  return { method: "POST", url: commentUrl(api.baseUrl, ticket.key), headers: { authorization: `Bearer ${api.token}` }, body: { body } };
}

export const writeBack = (ticket: StampedTicket, body: string, api: TrackerApi) => send(commentCall(ticket, body, api));
export const commentInstruction = (ticket: StampedTicket, api: TrackerApi) => describe(commentCall(ticket, COMMENT_TEXT, api));
