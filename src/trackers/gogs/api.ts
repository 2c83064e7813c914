import type { StampedTicket, TrackerApi } from "../contract";
import { repoIssuePath } from "../kit/github-style";
import { COMMENT_TEXT, describe, send, type CommentCall } from "../kit/comment-call";
import { withSuffix } from "../kit/url";

/** `/api/v1` under the instance root; an operator's `GOGS_BASE_URL` may name either. */
export function gogsApiBase(base: string): string {
  return withSuffix(base, "/api/v1");
}

/** `POST /repos/{owner}/{repo}/issues/{n}/comments` with `{body}`; Gogs takes access tokens as `token <t>`. */
export function commentCall(ticket: StampedTicket, body: string, api: TrackerApi): CommentCall {
  return { method: "POST", url: `${gogsApiBase(api.baseUrl)}${repoIssuePath(ticket.key)}/comments`, headers: { authorization: `token ${api.token}` }, body: { body } };
}

export const writeBack = (ticket: StampedTicket, body: string, api: TrackerApi) => send(commentCall(ticket, body, api));
export const commentInstruction = (ticket: StampedTicket, api: TrackerApi) => describe(commentCall(ticket, COMMENT_TEXT, api));
