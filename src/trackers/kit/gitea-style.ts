import type { StampedTicket, TrackerApi } from "../contract";
import { COMMENT_TEXT, describe, send, type CommentCall } from "./comment-call";
import { repoIssuePath } from "./github-style";
import { withSuffix } from "./url";

/**
 * The issue comments API Gitea and Forgejo kept from Gogs, their ancestor:
 * `/api/v1` under the instance root, access tokens as `token <t>`.
 */
export function giteaApiBase(base: string): string {
  // An operator's `<ID>_BASE_URL` may name the instance or its API root.
  return withSuffix(base, "/api/v1");
}

/** `POST /repos/{owner}/{repo}/issues/{n}/comments` with `{body}`. */
export function commentCall(ticket: StampedTicket, body: string, api: TrackerApi): CommentCall {
  return { method: "POST", url: `${giteaApiBase(api.baseUrl)}${repoIssuePath(ticket.key)}/comments`, headers: { authorization: `token ${api.token}` }, body: { body } };
}

export const writeBack = (ticket: StampedTicket, body: string, api: TrackerApi) => send(commentCall(ticket, body, api));
export const commentInstruction = (ticket: StampedTicket, api: TrackerApi) => describe(commentCall(ticket, COMMENT_TEXT, api));
