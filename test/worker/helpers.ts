import { exports } from "cloudflare:workers";
import { createExecutionContext, introspectWorkflowInstance, waitOnExecutionContext } from "cloudflare:test";
import worker from "../../src/index";
import { env } from "cloudflare:workers";
import { instanceIdFor, type TicketEvent } from "../../src/ticket";
import { expect } from "vitest";
import { TEST_BINDINGS } from "../support/bindings";

export const SECRET = TEST_BINDINGS.WEBHOOK_SECRET;
const encoder = new TextEncoder();

export async function hmacHex(secret: string, body: string | Uint8Array, hash = "SHA-256"): Promise<string> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash }, false, ["sign"]);
  const data = typeof body === "string" ? encoder.encode(body) : body;
  const sig = new Uint8Array(await crypto.subtle.sign("HMAC", key, data));
  return [...sig].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** A ticket id no other test (or test file) uses, so mock-Devin records never mix. */
export function uniqueId(prefix = "T"): string {
  return `${prefix}-${crypto.randomUUID().slice(0, 8)}`;
}

export function ticket(overrides: Record<string, unknown> = {}) {
  return {
    id: uniqueId(),
    title: "Checkout returns 500 when cart is empty",
    description: "Steps: empty the cart, press Checkout. Expected: a message. Actual: HTTP 500.",
    labels: ["bug", "devin-autofix"],
    ...overrides,
  };
}

export interface PostOptions {
  secret?: string;
  headers?: Record<string, string>;
  /** Sign this instead of the body (to test tampering). */
  signOver?: string;
  unsigned?: boolean;
  path?: string;
  env?: Record<string, unknown>;
}

/** Sends a signed webhook through the Worker's fetch handler, like a tracker would. */
export async function postWebhook(body: unknown, options: PostOptions = {}): Promise<Response> {
  const raw = typeof body === "string" ? body : JSON.stringify(body);
  const headers: Record<string, string> = { "content-type": "application/json", ...options.headers };
  if (!options.unsigned && !("x-hub-signature-256" in headers) && !("x-signature-256" in headers)) {
    headers["x-hub-signature-256"] = `sha256=${await hmacHex(options.secret ?? SECRET, options.signOver ?? raw)}`;
  }
  const request = new Request(`https://bridge.test${options.path ?? "/webhooks/tickets"}`, {
    method: "POST",
    headers,
    body: raw,
  });
  return callWorker(request, options.env);
}

/** Through the Worker's own fetch; with `envPatch`, the handler is called with that configuration instead. */
export async function callWorker(request: Request, envPatch?: Record<string, unknown>): Promise<Response> {
  if (!envPatch) return exports.default.fetch(request);
  const ctx = createExecutionContext();
  const response = await worker.fetch(request, { ...env, ...envPatch } as Env, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

export const TICKET_RUN = (env as Env).TICKET_RUN;

/** Instance id and session tag for a generic ticket routed by `label`. */
export function idsFor(id: string, label = "devin-autofix", project?: string) {
  return idsForKey("tickets", project ? `${project}/${id}` : id, label);
}

/** Instance id and session tag for any source's ticket key (`TicketEvent.key`). */
export async function idsForKey(source: string, ticketKeyInSource: string, label = "devin-autofix") {
  const key = `${source}:${ticketKeyInSource}:${label}`;
  const instanceId = await instanceIdFor(key);
  return { key, instanceId, tag: `ticket:${instanceId}` };
}

/** Watch the workflow for this ticket with sleeps skipped, before it is created. */
export async function watchRun(instanceId: string) {
  const instance = await introspectWorkflowInstance(TICKET_RUN, instanceId);
  await instance.modify(async (m) => {
    await m.disableSleeps();
    await m.disableRetryDelays();
  });
  return instance;
}

export interface Recorded {
  method: string;
  path: string;
  query: Record<string, string[]>;
  authorization: string | null;
  body: any;
  tags: string[];
}

export const devin = {
  async requests(tag: string): Promise<Recorded[]> {
    return (await fetch(`http://devin.mock/__mock/requests?tag=${encodeURIComponent(tag)}`)).json();
  },
  async creates(tag: string): Promise<Recorded[]> {
    return (await devin.requests(tag)).filter((r) => r.method === "POST" && r.path.endsWith("/sessions"));
  },
  async sessions(tag: string): Promise<{ session_id: string; url: string; status: string; pull_requests: { pr_url: string }[] }[]> {
    return (await fetch(`http://devin.mock/__mock/sessions?tag=${encodeURIComponent(tag)}`)).json();
  },
  async fault(fault: Record<string, unknown>): Promise<void> {
    await fetch("http://devin.mock/__mock/faults", { method: "POST", body: JSON.stringify(fault) });
  },
};

/** The tracker mock at `http://tracker.mock`: canned answers and what the bridge sent. */
export const trackerApi = {
  async route(route: { method: string; path: string; status?: number; body?: unknown; headers?: Record<string, string> }): Promise<void> {
    await fetch("http://tracker.mock/__mock/routes", { method: "POST", body: JSON.stringify(route) });
  },
  async requests(pathPrefix = ""): Promise<{ method: string; path: string; search: string; headers: Record<string, string>; body: any }[]> {
    return (await fetch(`http://tracker.mock/__mock/requests?path=${encodeURIComponent(pathPrefix)}`)).json();
  },
};

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const PLAYBOOKS = JSON.parse(TEST_BINDINGS.PLAYBOOKS) as Record<string, string>;

/** Posts, expects 202 for the ticket, waits for its workflow, and returns Devin's single create. */
export async function expectOneSession(source: string, keyInSource: string, post: () => Promise<Response>, label = "devin-autofix") {
  const ids = await idsForKey(source, keyInSource, label);
  await using run = await watchRun(ids.instanceId);
  const res = await post();
  expect(res.status).toBe(202);
  expect(await res.json()).toMatchObject({ status: "accepted", ticket_key: ids.key, label, playbook: PLAYBOOKS[label] });
  await run.waitForStatus("complete");
  const creates = await devin.creates(ids.tag);
  expect(creates).toHaveLength(1);
  return { create: creates[0]!, tag: ids.tag };
}

/** 200 skipped, with a reason containing (or matching) `reason`. */
export async function expectSkipped(res: Response, reason: string | RegExp): Promise<void> {
  expect(res.status).toBe(200);
  const body = (await res.json()) as { status: string; reason: string };
  expect(body.status).toBe("skipped");
  expect(body.reason).toMatch(reason);
}

export async function expectUnauthorized(res: Response): Promise<void> {
  expect(res.status).toBe(401);
  expect(((await res.json()) as { error: { code: string } }).error.code).toBe("unauthorized");
}

/** The fenced block a prompt or message marks as the reporter's, and what stands outside it. */
export function untrustedPart(text: string): { inside: string; outside: string; ticks: string } {
  const match = /^(`{3,})text\n([\s\S]*?)\n\1$/m.exec(text);
  if (!match) throw new Error("no fenced block in the text");
  return { inside: match[2]!, outside: text.replace(match[0], ""), ticks: match[1]! };
}
