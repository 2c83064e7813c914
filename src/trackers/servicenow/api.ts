import type { StampedTicket, TrackerApi } from "../contract";
import { trackerRequest } from "../kit/http";

export type AuthScheme = "basic" | "bearer" | "apikey";
export type NoteField = "work_notes" | "comments";

export interface ServiceNowSettings extends Record<string, unknown> {
  AUTH_HEADER?: string;
  AUTH_SCHEME?: AuthScheme;
  NOTE_FIELD?: NoteField;
}
type Api = TrackerApi<ServiceNowSettings>;

const utf8Base64 = (text: string) => btoa(String.fromCharCode(...new TextEncoder().encode(text)));

/**
 * `user:password` is Basic auth (the usual integration user), anything else an
 * OAuth access token; `SERVICENOW_AUTH_SCHEME=apikey` sends an API key in `x-sn-apikey`.
 */
export function authHeaders(token: string, scheme?: AuthScheme): Record<string, string> {
  const chosen = scheme ?? (token.includes(":") ? "basic" : "bearer");
  if (chosen === "apikey") return { "x-sn-apikey": token };
  if (chosen === "basic") return { authorization: `Basic ${utf8Base64(token)}` };
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

export async function writeBack(ticket: StampedTicket, body: string, api: Api): Promise<void> {
  const [url, fields] = noteCall(ticket.reply, body, api);
  await trackerRequest("PATCH", url, authHeaders(api.token, api.settings.AUTH_SCHEME), fields);
}
