import type { StampedTicket, TrackerApi } from "../contract";
import { trackerRequest } from "../kit/http";
import { COMMENT_TEXT, describe, send, type CommentCall } from "../kit/comment-call";
import { Comments } from "./schema";

export interface BugzillaSettings extends Record<string, unknown> {
  AUTH_HEADER?: string;
  API_KEY?: string;
}
type Api = TrackerApi<BugzillaSettings>;

/**
 * The bug's comment list and BMO's key header (never `Authorization`). Reads
 * prefer `BUGZILLA_API_KEY`, the name deployments used before the common
 * `API_TOKEN`: a read-only key may serve the description while the token writes.
 */
export function commentsCall(key: string, api: Api, read: boolean): [string, Record<string, string>] {
  return [`${api.baseUrl}/rest/bug/${encodeURIComponent(key)}/comment`, { "X-BUGZILLA-API-KEY": (read && api.settings.API_KEY) || api.token }];
}

/** Comment 0 is the description the webhook leaves out; a non-2xx throws so the workflow step retries. */
export async function enrich(ticket: StampedTicket, api: Api): Promise<{ description?: string }> {
  const body = Comments.safeParse(await trackerRequest("GET", ...commentsCall(ticket.key, api, true)));
  const text = body.success ? body.data.bugs[ticket.key]?.comments[0]?.text : undefined;
  return text?.trim() ? { description: text } : {};
}

export function commentCall(ticket: StampedTicket, body: string, api: Api): CommentCall {
  const [url, headers] = commentsCall(ticket.key, api, false);
  return { method: "POST", url, headers, body: { comment: body } };
}

export const writeBack = (ticket: StampedTicket, body: string, api: Api) => send(commentCall(ticket, body, api));
export const commentInstruction = (ticket: StampedTicket, api: Api) => describe(commentCall(ticket, COMMENT_TEXT, api));
