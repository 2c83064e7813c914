import type { StampedTicket, TicketFields, TrackerApi } from "../contract";
import { COMMENT_TEXT, describe, type CommentCall } from "../kit/comment-call";
import { TrackerApiError } from "../kit/http";
import { unique } from "../kit/labels";
import { trimBase } from "../kit/url";
import { Envelope, ProjectSearch, TaskSearch } from "./schema";

/** `PHORGE_BASE_URL` may be the site or its `/api/` root; tasks live at `{site}/T{id}`. */
export const webRoot = (base: string) => trimBase(base).replace(/\/api$/i, "");

/** Conduit takes form fields, not JSON: `params` holds the call's JSON, as arcanist sends it. */
const FORM = { "content-type": "application/x-www-form-urlencoded" };

/** The call's params with the token where Conduit reads it. */
const withToken = (token: string, params: Record<string, unknown>) => ({ ...params, __conduit__: { token } });

const conduitForm = (params: unknown) => new URLSearchParams({ params: JSON.stringify(params), output: "json", __conduit__: "1" }).toString();

export const conduitBody = (token: string, params: Record<string, unknown>): string => conduitForm(withToken(token, params));

const conduitUrl = (api: TrackerApi, method: string) => `${webRoot(api.baseUrl)}/api/${method}`;

/** The call's `result`; Conduit answers 200 with an `error_code` when it failed, which throws (never the token). */
export function conduitResult(method: string, body: unknown): unknown {
  const envelope = Envelope.safeParse(body);
  if (!envelope.success) throw new Error(`${method} answered no Conduit envelope`);
  if (envelope.data.error_code) throw new Error(`${method} failed: ${envelope.data.error_code.slice(0, 64)}`);
  return envelope.data.result;
}

async function post(method: string, url: string, headers: Record<string, string>, params: unknown): Promise<unknown> {
  const res = await fetch(url, { method: "POST", headers: { accept: "application/json", ...headers }, body: conduitForm(params), signal: AbortSignal.timeout(20_000) });
  const text = await res.text();
  if (!res.ok) throw new TrackerApiError(res.status, `POST /api/${method}`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`${method} answered no JSON`);
  }
  return conduitResult(method, body);
}

export const conduit = (api: TrackerApi, method: string, params: Record<string, unknown>): Promise<unknown> =>
  post(method, conduitUrl(api, method), FORM, withToken(api.token, params));

/**
 * Herald sends the task's PHID only: the task (name, description, its project
 * tags' PHIDs) and then the tags' names come from Conduit. The route came from
 * the URL; the other tags name the project.
 */
export async function enrich(ticket: StampedTicket, api: TrackerApi): Promise<Partial<TicketFields>> {
  const found = TaskSearch.safeParse(await conduit(api, "maniphest.search", { constraints: { phids: [ticket.key] }, attachments: { projects: true } }));
  const task = found.success ? found.data.data.find((t) => t.phid === ticket.key) : undefined;
  if (!task) throw new Error("maniphest.search did not return the task");
  const tagPhids = task.attachments?.projects?.projectPHIDs ?? [];
  const tags = tagPhids.length ? await tagNames(api, tagPhids) : [];
  const routed = new Set(ticket.triggerLabels.map((l) => l.toLowerCase()));
  const others = tags.filter((t) => !routed.has(t.toLowerCase()));
  return {
    id: `T${task.id}`,
    title: task.fields.name.trim() || ticket.title,
    description: task.fields.description?.raw ?? "",
    labels: tags,
    url: `${webRoot(api.baseUrl)}/T${task.id}`,
    ...(others.length ? { project: others.join(", ") } : {}),
  };
}

async function tagNames(api: TrackerApi, phids: string[]): Promise<string[]> {
  const found = ProjectSearch.safeParse(await conduit(api, "project.search", { constraints: { phids } }));
  if (!found.success) return [];
  const byPhid = new Map(found.data.data.map((p) => [p.phid, p.fields.name]));
  // In the task's order, not the search's.
  return unique(phids.map((phid) => byPhid.get(phid) ?? ""));
}

/**
 * A comment transaction on the task (`maniphest.edit`); the token's user must
 * be able to comment. The body is Conduit's `params`, sent as a form field.
 */
export function commentCall(ticket: StampedTicket, body: string, api: TrackerApi): CommentCall {
  return {
    method: "POST",
    url: conduitUrl(api, "maniphest.edit"),
    headers: FORM,
    body: withToken(api.token, { objectIdentifier: ticket.key, transactions: [{ type: "comment", value: body }] }),
    note: "that JSON is not the body but its form field params, with output=json and __conduit__=1 (curl --data-urlencode params=…); an answer with an error_code did not comment",
  };
}

/** Not the kit's `send`: Conduit takes a form and answers failures in a 200. */
export async function writeBack(ticket: StampedTicket, body: string, api: TrackerApi): Promise<void> {
  const call = commentCall(ticket, body, api);
  await post("maniphest.edit", call.url, call.headers, call.body);
}

export const commentInstruction = (ticket: StampedTicket, api: TrackerApi) => describe(commentCall(ticket, COMMENT_TEXT, api));
