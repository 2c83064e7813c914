/**
 * Ack latency and intake under `wrangler dev` (real wrangler.toml, local KV,
 * Queue and Workflows) against the loopback mock Devin, then a drain check:
 * every accepted ticket must end as exactly one Devin session.
 */
import { createHmac } from "node:crypto";
import { writeFileSync } from "node:fs";
import { TEST_BINDINGS } from "../test/support/bindings.ts";
import { createDevinMock } from "../test/support/devin-mock.ts";
import { serveLoopback } from "../test/support/serve.ts";
import { createTrackerMock } from "../test/support/tracker-mock.ts";
import { startWranglerDev } from "../test/support/wrangler-dev.ts";
import { findPid, onCleanup, treeCpuMs } from "./proc.ts";

export interface LoadOptions {
  /** Mock Devin's delay before answering a create. */
  createDelayMs: number;
  /** Requests per phase, by number of concurrent senders. */
  requests: Record<number, number>;
  /** A phase stops sending after this long (bounded even if the bridge stalls). */
  phaseTimeoutMs: number;
  requestTimeoutMs: number;
  drain: { settleMs: number; stallMs: number; maxMs: number };
  /** Where to keep what `wrangler dev` printed (for diagnosis). */
  logFile?: string;
}

export const DEFAULT_LOAD: LoadOptions = {
  createDelayMs: 800,
  requests: { 1: 200, 16: 400 },
  phaseTimeoutMs: 90_000,
  requestTimeoutMs: 30_000,
  drain: { settleMs: 3_000, stallMs: 20_000, maxMs: 180_000 },
};

interface Ticket {
  id: string;
  raw: string;
  signature: string;
}

export interface PhaseResult {
  /** `ticket`: unique tickets, 202 accepted; `skipped`/`duplicate`: diagnosis phases (see measure). */
  route: "health" | "ticket" | "skipped" | "duplicate";
  concurrency: number;
  sent: number;
  /** 2xx for health; 202 `accepted` for tickets. */
  ok: number;
  failures: Record<string, number>;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  wallMs: number;
  /** ok answers per second of wall time. */
  rps: number;
  /** CPU ms per request of `wrangler dev` and its workerd (during the phase only). */
  serverCpuMs?: number;
  /** CPU ms per request of this process: the senders and the mock servers. */
  clientCpuMs: number;
  /** Accepted tickets: server CPU ms per ticket over the phase and the drain that follows (the whole pipeline). */
  pipelineCpuMs?: number;
}

export interface DrainResult {
  accepted: number;
  sessions: number;
  distinctTickets: number;
  distinctTags: number;
  lost: number;
  duplicates: number;
  unexpected: number;
  createCalls: number;
  waitedMs: number;
  settled: boolean;
}

export interface LoadResult {
  options: LoadOptions;
  warmup: { health: number; tickets: number };
  /** CPU ms per second `wrangler dev` + workerd use while nothing is sent. */
  idleServerCpuMsPerSec?: number;
  phases: PhaseResult[];
  drains: { after: string; waitedMs: number; sessions: number; expected: number; settled: boolean }[];
  final: DrainResult;
  /** Times `wrangler dev` reloaded the Worker during the run (a file under src/ changed): the numbers are disturbed. */
  reloads: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

interface Outcome {
  ok: boolean;
  label: string;
}

/** `total` requests from `concurrency` senders; latency = send until the whole answer is read. */
async function phase(
  route: PhaseResult["route"],
  concurrency: number,
  total: number,
  send: (i: number) => Promise<Outcome>,
  timeoutMs: number,
  serverCpu: () => number | undefined,
): Promise<PhaseResult> {
  const cpu0 = serverCpu();
  const client0 = process.cpuUsage();
  const latencies: number[] = [];
  const failures: Record<string, number> = {};
  let next = 0;
  let ok = 0;
  const start = performance.now();
  const deadline = start + timeoutMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total && performance.now() < deadline) {
        const i = next++;
        const t0 = performance.now();
        let outcome: Outcome;
        try {
          outcome = await send(i);
        } catch (err) {
          outcome = { ok: false, label: err instanceof Error ? err.name : "error" };
        }
        latencies.push(performance.now() - t0);
        if (outcome.ok) ok++;
        else failures[outcome.label] = (failures[outcome.label] ?? 0) + 1;
      }
    }),
  );
  const wallMs = performance.now() - start;
  const cpu1 = serverCpu();
  const client = process.cpuUsage(client0);
  const sorted = latencies.sort((a, b) => a - b);
  return {
    route,
    concurrency,
    sent: latencies.length,
    ok,
    failures,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? NaN,
    wallMs,
    rps: ok / (wallMs / 1000),
    serverCpuMs: cpu0 !== undefined && cpu1 !== undefined ? (cpu1 - cpu0) / Math.max(1, latencies.length) : undefined,
    clientCpuMs: (client.user + client.system) / 1000 / Math.max(1, latencies.length),
  };
}

const ID_IN_TITLE = /\b(BENCH-[a-z0-9]+-[a-z0-9]+-\d+)\b/;

/**
 * TEST_BINDINGS with every mock host (`http://devin.mock`, `http://tracker.mock`)
 * pointed at its loopback server: the bridge under `wrangler dev` must reach
 * nothing but 127.0.0.1.
 */
function loopbackVars(mocks: Record<string, string>): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const [name, value] of Object.entries(TEST_BINDINGS)) {
    let v: string = value;
    for (const [host, url] of Object.entries(mocks)) v = v.split(`http://${host}`).join(url);
    // A mock host added to TEST_BINDINGS later must be served here too, not looked up in DNS.
    if (/\/\/[^/]*\.mock\b/.test(v)) throw new Error(`${name} points at a mock host the bench does not serve: ${v}`);
    vars[name] = v;
  }
  return vars;
}

async function serveMock(handle: (r: Request) => Promise<Response>) {
  const server = await serveLoopback(handle);
  const close = async () => {
    server.server.closeAllConnections();
    await server.close();
  };
  const unregister = onCleanup(close);
  return {
    url: server.url,
    close: async () => {
      unregister();
      await close();
    },
  };
}

export async function runLoad(options: LoadOptions = DEFAULT_LOAD, progress: (line: string) => void = () => {}): Promise<LoadResult> {
  const devin = createDevinMock({ apiKey: TEST_BINDINGS.DEVIN_API_KEY, createDelayMs: options.createDelayMs });
  const tracker = createTrackerMock();
  const devinServer = await serveMock(devin.handle);
  const trackerServer = await serveMock(tracker.handle);
  try {
    progress("starting wrangler dev …");
    const bridge = await startWranglerDev({
      ...loopbackVars({ "devin.mock": devinServer.url, "tracker.mock": trackerServer.url }),
      // The bench starts ~650 sessions in minutes: the spend guard must not defer them by an hour.
      MAX_SESSIONS_PER_HOUR: "100000",
      MAX_SESSIONS_PER_DAY: "1000000",
    });
    const unregisterBridge = onCleanup(bridge.stop);
    try {
      const port = new URL(bridge.url).port;
      const pid = findPid((args) => args.some((a) => a.endsWith("wrangler.js")) && args.includes("dev") && args.includes(port));
      const result = await measure(bridge.url, devin, options, progress, () => treeCpuMs(pid));
      const reloads = bridge.output().split("Reloading local server").length - 1;
      return { ...result, reloads };
    } finally {
      unregisterBridge();
      await bridge.stop();
      if (options.logFile) writeFileSync(options.logFile, bridge.output());
    }
  } finally {
    await devinServer.close();
    await trackerServer.close();
  }
}

async function measure(
  base: string,
  devin: ReturnType<typeof createDevinMock>,
  options: LoadOptions,
  progress: (line: string) => void,
  serverCpu: () => number | undefined,
): Promise<Omit<LoadResult, "reloads">> {
  const run = Date.now().toString(36);
  const accepted = new Set<string>();
  const signal = () => AbortSignal.timeout(options.requestTimeoutMs);

  const health = async (): Promise<Outcome> => {
    const res = await fetch(`${base}/health`, { signal: signal() });
    await res.arrayBuffer();
    return { ok: res.status >= 200 && res.status < 300, label: String(res.status) };
  };

  /** Unique, signed tickets, built before the phase so signing is not timed. */
  const tickets = (tag: string, n: number, labels = ["devin-autofix"]): Ticket[] =>
    Array.from({ length: n }, (_, i) => {
      const id = `BENCH-${run}-${tag}-${i}`;
      const raw = JSON.stringify({
        id,
        title: "Checkout returns 500 when cart is empty",
        description:
          "Steps to reproduce:\n1. Open /checkout with an empty cart\n2. Click Pay\n\nExpected: a validation error. Actual: HTTP 500 and a stack trace in the logs.",
        labels,
      });
      const signature = `sha256=${createHmac("sha256", TEST_BINDINGS.WEBHOOK_SECRET).update(raw).digest("hex")}`;
      return { id, raw, signature };
    });

  const sendTicket = async (t: Ticket, expect: { status: number; decision: string }): Promise<Outcome> => {
    const res = await fetch(`${base}/webhooks/tickets`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-hub-signature-256": t.signature },
      body: t.raw,
      signal: signal(),
    });
    const body = (await res.json().catch(() => ({}))) as { status?: string; error?: { code?: string } };
    if (res.status === 202 && body.status === "accepted") accepted.add(t.id);
    const ok = res.status === expect.status && body.status === expect.decision;
    return { ok, label: `${res.status} ${body.status ?? body.error?.code ?? "(no JSON)"}` };
  };
  const ACCEPTED = { status: 202, decision: "accepted" };

  const drain = async (expected: number) => {
    const { settleMs, stallMs, maxMs } = options.drain;
    const start = Date.now();
    let last = -1;
    let since = Date.now();
    while (Date.now() - start < maxMs) {
      const n = devin.sessions.length;
      if (n !== last) {
        last = n;
        since = Date.now();
      }
      const quiet = Date.now() - since;
      if ((n >= expected && quiet >= settleMs) || quiet >= stallMs) break;
      await sleep(250);
    }
    const sessions = devin.sessions.length;
    return { waitedMs: Date.now() - start, sessions, expected, settled: sessions >= expected && Date.now() - start < maxMs };
  };

  // Warm-up: first-request compilation, connection pools, KV/Queue/Workflow local storage.
  progress("warm-up …");
  const warm = tickets("w", 16);
  await phase("health", 4, 40, health, options.phaseTimeoutMs, serverCpu);
  await phase("ticket", 4, warm.length, (i) => sendTicket(warm[i]!, ACCEPTED), options.phaseTimeoutMs, serverCpu);
  const drains: LoadResult["drains"] = [];
  drains.push({ after: "warm-up", ...(await drain(accepted.size)) });
  const idle0 = serverCpu();
  await sleep(2_000);
  const idle1 = serverCpu();
  const idleServerCpuMsPerSec = idle0 !== undefined && idle1 !== undefined ? (idle1 - idle0) / 2 : undefined;

  const phases: PhaseResult[] = [];
  const levels = Object.entries(options.requests).map(([c, n]) => [Number(c), n] as const);
  let lastBatch: Ticket[] = [];
  for (const [c, n] of levels) {
    progress(`health: ${n} requests from ${c} sender(s) …`);
    phases.push(await phase("health", c, n, health, options.phaseTimeoutMs, serverCpu));
    const batch = tickets(`c${c}`, n);
    progress(`tickets: ${n} requests from ${c} sender(s) …`);
    const before = { cpu: serverCpu(), accepted: accepted.size };
    const t = await phase("ticket", c, n, (i) => sendTicket(batch[i]!, ACCEPTED), options.phaseTimeoutMs, serverCpu);
    phases.push(t);
    progress(`draining the queue (${accepted.size} accepted so far) …`);
    drains.push({ after: `tickets x${c}`, ...(await drain(accepted.size)) });
    const after = serverCpu();
    // The drain's tail is the quiet window: idle, so it barely adds CPU.
    if (before.cpu !== undefined && after !== undefined) t.pipelineCpuMs = (after - before.cpu) / Math.max(1, accepted.size - before.accepted);
    lastBatch = batch;
  }

  // Diagnosis, at the highest concurrency, on a drained system: the same request
  // path without the queue send (no trigger label → skipped) and with a KV hit
  // instead of KV miss + queue send (redelivery → duplicate).
  const [c, n] = levels.at(-1)!;
  const unrouted = tickets(`s${c}`, n, ["bug"]);
  progress(`diagnosis: ${n} tickets without a trigger label from ${c} senders …`);
  phases.push(await phase("skipped", c, n, (i) => sendTicket(unrouted[i]!, { status: 200, decision: "skipped" }), options.phaseTimeoutMs, serverCpu));
  // Only tickets whose session exists: their KV record is written, so a redelivery is a duplicate.
  const withSession = new Set(devin.sessions.map((x) => ID_IN_TITLE.exec(x.title ?? "")?.[1]));
  lastBatch = lastBatch.filter((t) => withSession.has(t.id));
  if (lastBatch.length > 0) {
    progress(`diagnosis: ${n} redeliveries from ${c} senders …`);
    phases.push(
      await phase(
        "duplicate",
        c,
        n,
        (i) => sendTicket(lastBatch[i % lastBatch.length]!, { status: 200, decision: "duplicate" }),
        options.phaseTimeoutMs,
        serverCpu,
      ),
    );
  }
  progress("final drain …");
  drains.push({ after: "diagnosis", ...(await drain(accepted.size)) });

  const last = drains.at(-1)!;
  const byTicket = new Map<string, number>();
  const byTag = new Map<string, number>();
  let unexpected = 0;
  for (const s of devin.sessions) {
    const id = ID_IN_TITLE.exec(s.title ?? "")?.[1];
    if (id && accepted.has(id)) byTicket.set(id, (byTicket.get(id) ?? 0) + 1);
    else unexpected++;
    for (const tag of s.tags.filter((t) => t.startsWith("ticket:"))) byTag.set(tag, (byTag.get(tag) ?? 0) + 1);
  }
  const count = (m: Map<string, number>) => [...m.values()].reduce((n, v) => n + Math.max(0, v - 1), 0);
  return {
    options,
    warmup: { health: 40, tickets: warm.length },
    idleServerCpuMsPerSec,
    phases,
    drains,
    final: {
      accepted: accepted.size,
      sessions: devin.sessions.length,
      distinctTickets: byTicket.size,
      distinctTags: byTag.size,
      lost: [...accepted].filter((id) => !byTicket.has(id)).length,
      duplicates: Math.max(count(byTicket), count(byTag)),
      unexpected,
      createCalls: devin.requests.filter((r) => r.method === "POST" && /\/sessions$/.test(r.path)).length,
      waitedMs: drains.reduce((n, d) => n + d.waitedMs, 0),
      settled: last.settled,
    },
  };
}
