import type { StampedTicket, TrackerApi as Api } from "../contract";
import { basicAuth, COMMENT_TEXT, describe, send, type CommentCall } from "../kit/comment-call";
import { textToAdf } from "./adf";
import { rootBefore, trimBase } from "../kit/url";

/** The instance root, context path kept (`https://host/jira`), from a REST link or a base that names the API. */
export function instanceRoot(url: string | null | undefined): string | undefined {
  return url ? rootBefore(`${trimBase(url)}/`, "/rest/") : undefined;
}

export type JiraSettings = { API_EMAIL?: string };
type TrackerApi = Api<JiraSettings>;

/** REST v2 on Data Center; v3 on Cloud, whose comment body is an ADF document. */
export function commentUrl(base: string, key: string, version: 2 | 3 = 2): string {
  return `${instanceRoot(base) ?? trimBase(base)}/rest/api/${version}/issue/${encodeURIComponent(key)}/comment`;
}

/** A service-desk request's comment endpoint: `public: false` there keeps a note internal (agents only). */
export function requestCommentUrl(base: string, key: string): string {
  return `${instanceRoot(base) ?? trimBase(base)}/rest/servicedeskapi/request/${encodeURIComponent(key)}/comment`;
}

/**
 * Data Center: REST v2 with a personal access token (Bearer). Cloud (`JIRA_API_EMAIL` set): REST v3,
 * an ADF body, and Basic `email:api_token`, the only way Cloud takes an API token. On a Jira Service
 * Management request the issue comment API would reply to the customer by email, session and PR
 * links included: there the note is an internal comment instead (a plain-text body on both).
 */
export function commentCall(ticket: StampedTicket, body: string, api: TrackerApi): CommentCall {
  const email = api.settings.API_EMAIL;
  const headers = { authorization: email ? basicAuth(`${email}:${api.token}`) : `Bearer ${api.token}` };
  if (ticket.reply?.serviceDesk) return { method: "POST", url: requestCommentUrl(api.baseUrl, ticket.key), headers, body: { body, public: false } };
  if (!email) return { method: "POST", url: commentUrl(api.baseUrl, ticket.key), headers, body: { body } };
  return { method: "POST", url: commentUrl(api.baseUrl, ticket.key, 3), headers, body: { body: textToAdf(body) } };
}

export const writeBack = (ticket: StampedTicket, body: string, api: TrackerApi) => send(commentCall(ticket, body, api));
const ADF_NOTE = "the body is an Atlassian Document Format document: one paragraph per block of text, a hardBreak node for each line break";

export function commentInstruction(ticket: StampedTicket, api: TrackerApi): string {
  const call = commentCall(ticket, COMMENT_TEXT, api);
  // Only the issue comment API on Cloud takes ADF; a service-desk comment stays plain text.
  return describe(api.settings.API_EMAIL && !ticket.reply?.serviceDesk ? { ...call, note: ADF_NOTE } : call);
}
