/**
 * Request-path CPU per event, for every source in the registry, on the real code:
 *  - `intake`: src/intake.ts as it is (verify signature, decode + JSON.parse,
 *    adapter parse/normalise, route, bounds, instance id), with a no-op enqueue,
 *    an empty in-memory store and no delivery log;
 *  - `app.fetch`: the whole Worker fetch handler (Hono routing, config check,
 *    content type, streamed body limit, intake, JSON log line, JSON answer) with
 *    stub KV/Queue bindings. Building the Request is inside the timing.
 * Bench names carry the outcome (`[accepted]`, `[202]`) so a wrong case is visible.
 * Times are CPU time per event (see cpuNowMs).
 */
import { bench, describe, inject } from "vitest";
import { loadConfig } from "../src/config";
import app from "../src/index";
import { intake, type IntakeDeps } from "../src/intake";
import { findTracker as findSource, trackerIds as sourceNames } from "../src/trackers";
import type { WebhookRequest } from "../src/trackers/contract";
import { TEST_BINDINGS } from "../test/support/bindings";
import { CASES, GENERIC_TICKET, padPayload, SIZES } from "./cases";

declare module "vitest" {
  export interface ProvidedContext {
    fixtures: Record<string, string>;
  }
}

// The Worker logs one JSON line per webhook; keep building it (that is CPU the path spends) but not printing it.
console.log = console.info = console.warn = () => {};

const fixtures = inject("fixtures");
const secret = TEST_BINDINGS.WEBHOOK_SECRET;
const env = {
  ...TEST_BINDINGS,
  TICKETS: { get: async () => null, put: async () => {} },
  TICKET_QUEUE: { send: async () => {} },
} as unknown as Env;
const ctx = { waitUntil() {}, passThroughOnException() {}, props: {} } as unknown as ExecutionContext;
const deps: IntakeDeps = {
  config: loadConfig(env),
  store: { get: async () => null, put: async () => {} } as unknown as IntakeDeps["store"],
  enqueue: async () => {},
  requestId: "bench",
};

interface Prepared {
  name: string;
  raw: Uint8Array;
  headers: Headers;
  url: string;
}

async function prepare(name: string, bytes: number): Promise<Prepared | string> {
  const c = CASES[name];
  if (!c) return "no fixture mapping";
  const text = c.fixture === null ? JSON.stringify(GENERIC_TICKET) : fixtures[c.fixture];
  if (text === undefined) return `fixture ${c.fixture} missing`;
  const raw = padPayload(JSON.parse(text), c, bytes);
  const headers = new Headers({ "content-type": "application/json", ...c.headers, ...(await c.sign(raw, secret)) });
  return { name, raw, headers, url: `https://bridge.example.test/webhooks/${name}${c.query ?? ""}` };
}

const request = (p: Prepared) => new Request(p.url, { method: "POST", headers: p.headers, body: p.raw });
const webhook = (p: Prepared): WebhookRequest => ({ raw: p.raw, headers: p.headers, url: new URL(p.url) });

const names = sourceNames();
const prepared = new Map<string, Prepared | string>();
const outcome = new Map<string, string>();
for (const size of SIZES) {
  for (const name of names) {
    const key = `${size.label}|${name}`;
    const p = await prepare(name, size.bytes);
    prepared.set(key, p);
    if (typeof p === "string") continue;
    const result = await intake(findSource(name)!, webhook(p), undefined, deps);
    const res = await app.fetch(request(p), env, ctx);
    await res.arrayBuffer();
    outcome.set(key, `${result.kind}|${res.status}|${p.raw.length}`);
  }
}

/**
 * Tinybench's clock is CPU time, not wall time: Node runs WebCrypto on its thread pool, and waiting for
 * it is idle time in Node where workerd does the same work inline. BENCH_CLOCK=thread counts the main
 * thread only (no GC/JIT helper threads, but no thread-pool HMAC either); the default counts the process.
 */
type CpuUsage = { user: number; system: number };
const proc = (globalThis as unknown as { process: { cpuUsage(): CpuUsage; threadCpuUsage(): CpuUsage; env: Record<string, string | undefined> } })
  .process;
const usage = proc.env.BENCH_CLOCK === "thread" ? () => proc.threadCpuUsage() : () => proc.cpuUsage();
const cpuNowMs = () => {
  const u = usage();
  return (u.user + u.system) / 1000;
};
// Warm every case up front: otherwise the first benches of a group pay for V8 optimising the new
// shapes (compiler threads count in process CPU) and come out up to twice as slow as the rest.
for (const size of SIZES) {
  const rounds = size.bytes > 100_000 ? 10 : 40;
  for (const name of names) {
    const p = prepared.get(`${size.label}|${name}`)!;
    if (typeof p === "string") continue;
    for (let i = 0; i < rounds; i++) {
      await intake(findSource(name)!, webhook(p), undefined, deps);
      await (await app.fetch(request(p), env, ctx)).arrayBuffer();
    }
  }
}

const opts = (bytes: number) => ({ now: cpuNowMs, warmupTime: 50, time: bytes > 100_000 ? 300 : 150 });

/**
 * Every case runs once per round, rounds one after the other; bench/run.ts keeps each case's best
 * round. On a shared VM the speed drifts (up to ~1.7× for seconds at a time): the best round is the
 * cost of the code, the others partly the cost of the neighbours.
 */
const ROUNDS = Number(proc.env.BENCH_ROUNDS ?? 3);

for (let round = 1; round <= ROUNDS; round++) {
  for (const size of SIZES) {
    describe(`r${round} intake ${size.label}`, () => {
      for (const name of names) {
        const p = prepared.get(`${size.label}|${name}`)!;
        if (typeof p === "string") {
          bench(`${name} [${p}]`, () => {}, { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 });
          continue;
        }
        const [kind, , len] = outcome.get(`${size.label}|${name}`)!.split("|");
        const source = findSource(name)!;
        const req = webhook(p);
        bench(`${name} [${kind}] {${len}}`, async () => {
          await intake(source, req, undefined, deps);
        }, opts(size.bytes));
      }
    });
    describe(`r${round} app.fetch ${size.label}`, () => {
      for (const name of names) {
        const p = prepared.get(`${size.label}|${name}`)!;
        if (typeof p === "string") {
          bench(`${name} [${p}]`, () => {}, { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 });
          continue;
        }
        const [, status, len] = outcome.get(`${size.label}|${name}`)!.split("|");
        bench(`${name} [${status}] {${len}}`, async () => {
          const res = await app.fetch(request(p), env, ctx);
          await res.arrayBuffer();
        }, opts(size.bytes));
      }
    });
  }
}
