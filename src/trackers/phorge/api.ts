import type { StampedTicket, TicketFields, TrackerApi } from "../contract";
import { TrackerApiError } from "../kit/http";
import { unique } from "../kit/labels";
import { trimBase } from "../kit/url";
import { Envelope, ProjectSearch, TaskSearch } from "./schema";

/** `PHORGE_BASE_URL` may be the site or its `/api/` root; tasks live at `{site}/T{id}`. */
export const webRoot = (base: string) => trimBase(base).replace(/\/api$/i, "");

/**
 * Conduit takes form fields, not JSON: `params` holds the call's JSON with the
 * token in `__conduit__`, as arcanist sends it.
 */
export function conduitBody(token: string, params: Record<string, unknown>): string {
  return new URLSearchParams({ params: JSON.stringify({ ...params, __conduit__: { token } }), output: "json", __conduit__: "1" }).toString();
}

/** The call's `result`; Conduit answers 200 with an `error_code` when it failed, which throws (never the token). */
export function conduitResult(method: string, body: unknown): unknown {
  const envelope = Envelope.safeParse(body);
  if (!envelope.success) throw new Error(`${method} answered no Conduit envelope`);
  if (envelope.data.error_code) throw new Error(`${method} failed: ${envelope.data.error_code.slice(0, 64)}`);
  return envelope.data.result;
}

export async function conduit(api: TrackerApi, method: string, params: Record<string, unknown>): Promise<unknown> {
  const res = await fetch(`${webRoot(api.baseUrl)}/api/${method}`, {
    method: "POST",
    headers: { accept: "application/json", "content-type": "application/x-www-form-urlencoded" },
    body: conduitBody(api.token, params),
    signal: AbortSignal.timeout(20_000),
  });
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

/** A comment transaction on the task (`maniphest.edit`); the token's user must be able to comment. */
export async function writeBack(ticket: StampedTicket, body: string, api: TrackerApi): Promise<void> {
  await conduit(api, "maniphest.edit", { objectIdentifier: ticket.key, transactions: [{ type: "comment", value: body }] });
}
