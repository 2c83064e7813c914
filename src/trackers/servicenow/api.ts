import type { StampedTicket, TrackerApi } from "../contract";
import { basicAuth, COMMENT_TEXT, describe, PROMPT_TOKEN, send, type CommentCall } from "../kit/comment-call";

export type AuthScheme = "basic" | "bearer" | "apikey";
export type NoteField = "work_notes" | "comments";

export interface ServiceNowSettings extends Record<string, unknown> {
  AUTH_HEADER?: string;
  AUTH_SCHEME?: AuthScheme;
  NOTE_FIELD?: NoteField;
}
type Api = TrackerApi<ServiceNowSettings>;

/**
 * `user:password` is Basic auth (the usual integration user), anything else an
 * OAuth access token; `SERVICENOW_AUTH_SCHEME=apikey` sends an API key in `x-sn-apikey`.
 */
export function authHeaders(token: string, scheme?: AuthScheme): Record<string, string> {
  const chosen = scheme ?? (token.includes(":") ? "basic" : "bearer");
  if (chosen === "apikey") return { "x-sn-apikey": token };
  if (chosen === "basic") return { authorization: basicAuth(token) };
  return { authorization: `Bearer ${token}` };
}

/** A Table API update of the one journal field: work notes are for agents only, as session links should be. */
export function noteCall(reply: StampedTicket["reply"], body: string, api: Pick<Api, "baseUrl" | "settings">): [string, Record<string, string>] {
  const table = reply?.table;
  const sysId = reply?.sys_id;
  // Checked at intake as well: these two are a path.
  if (typeof table !== "string" || !/^[a-z][a-z0-9_]*$/.test(table) || typeof sysId !== "string" || !/^[0-9a-f]{32}$/.test(sysId)) {
    throw new Error("record without a table and sys_id");
  }
  return [`${api.baseUrl}/api/now/table/${table}/${sysId}?sysparm_fields=sys_id`, { [api.settings.NOTE_FIELD ?? "work_notes"]: body }];
}

export function commentCall(ticket: StampedTicket, body: string, api: Api): CommentCall {
  const [url, fields] = noteCall(ticket.reply, body, api);
  const field = Object.keys(fields)[0];
  const note = `${field} is a journal field: each update adds one entry`;
  if (api.token !== PROMPT_TOKEN) return { method: "PATCH", url, headers: authHeaders(api.token, api.settings.AUTH_SCHEME), body: fields, note };
  // In a prompt the token is a shell variable: its shape cannot choose the scheme, and Devin encodes it, the bridge cannot.
  const basic = { authorization: basicAuth(PROMPT_TOKEN) };
  const scheme = api.settings.AUTH_SCHEME;
  if (scheme) return { method: "PATCH", url, headers: scheme === "basic" ? basic : authHeaders(PROMPT_TOKEN, scheme), body: fields, note };
  const bearer = `a ${PROMPT_TOKEN} without a colon is an OAuth token, sent as "authorization: Bearer ${PROMPT_TOKEN}"`;
  return { method: "PATCH", url, headers: basic, body: fields, note: `${note}; ${bearer}` };
}

export const writeBack = (ticket: StampedTicket, body: string, api: Api) => send(commentCall(ticket, body, api));
export const commentInstruction = (ticket: StampedTicket, api: Api) => describe(commentCall(ticket, COMMENT_TEXT, api));
