/**
 * Request-path CPU per event, for every tracker in the registry, on the real code:
 *  - `floor`: what no request path can avoid on these bytes: HMAC-SHA256 verify (WebCrypto,
 *    key imported once, as the bridge caches it) + `JSON.parse(new TextDecoder().decode(raw))`;
 *  - `intake`: src/intake.ts as it is (verify signature, decode + JSON.parse, tracker
 *    parse, route, bounds, instance id), with a no-op enqueue, the real TicketStore
 *    over an empty KV and no delivery log;
 *  - `app.fetch`: the whole Worker fetch handler (Hono routing, config check,
 *    content type, streamed body limit, intake, JSON log line, JSON answer) with
 *    stub KV/Queue bindings. Building the Request is inside the timing.
 * Deliveries come from each tracker's case table (`created(t)`, see bench/cases.ts).
 * Bench names carry the outcome (`[accepted]`, `[202]`) so a wrong case is visible.
 * Times are CPU time per event (see cpuNowMs).
 */
import { bench, describe, inject } from "vitest";
import { loadConfig } from "../src/config";
import app from "../src/index";
import { intake, type IntakeDeps } from "../src/intake";
import { TicketStore } from "../src/store/tickets";
import type { TrackerCases } from "../src/trackers/case-table";
import { findTracker, trackerIds } from "../src/trackers";
import type { WebhookRequest } from "../src/trackers/contract";
import { TEST_BINDINGS } from "../test/support/bindings";
import { benchDelivery, SIZES, type BenchDelivery } from "./cases";

declare module "vitest" {
  export interface ProvidedContext {
    caseDirs: string[];
    caseEnv: Record<string, string>;
  }
}

// The Worker logs one JSON line per webhook; keep building it (that is CPU the path spends) but not printing it.
console.log = console.info = console.warn = () => {};

const secret = TEST_BINDINGS.WEBHOOK_SECRET;
/** An empty KV: every look-up misses, every write is dropped. */
const kv = {
  get: async () => null,
  getWithMetadata: async () => ({ value: null, metadata: null }),
  put: async () => {},
  delete: async () => {},
  list: async () => ({ keys: [], list_complete: true, cacheStatus: null }),
} as unknown as KVNamespace;
const env = {
  ...TEST_BINDINGS,
  ...inject("caseEnv"),
  TICKETS: kv,
  TICKET_QUEUE: { send: async () => {} },
} as unknown as Env;
const ctx = { waitUntil() {}, passThroughOnException() {}, props: {} } as unknown as ExecutionContext;
const deps: IntakeDeps = {
  config: loadConfig(env),
  store: new TicketStore(kv),
  enqueue: async () => {},
  requestId: "bench",
};

const tables = new Map<string, TrackerCases>();
for (const dir of inject("caseDirs")) {
  const mod = (await import(`../src/trackers/${dir}/cases.ts`)) as { cases: TrackerCases | TrackerCases[] };
  // A tracker's second configuration (Jira Cloud) is a variant table with settings of its own: the default one is measured.
  for (const table of [mod.cases].flat()) if (!table.variant && !tables.has(table.tracker)) tables.set(table.tracker, table);
}

const origin = "https://bridge.example.test";
const request = (p: BenchDelivery) => new Request(origin + p.path, { method: "POST", headers: p.headers, body: p.raw });
const webhook = (p: BenchDelivery): WebhookRequest => ({ raw: p.raw, headers: new Headers(p.headers), url: new URL(origin + p.path) });

// The floor's key: imported once, as src/crypto/hmac.ts caches the tracker's.
const floorKey = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
async function floor(raw: Uint8Array, mac: Uint8Array): Promise<unknown> {
  if (!(await crypto.subtle.verify("HMAC", floorKey, mac, raw))) throw new Error("floor: signature mismatch");
  return JSON.parse(new TextDecoder().decode(raw));
}

/**
 * One case's delivery, rebuilt (and re-signed) before each bench runs: a tracker whose body
 * carries a signed timestamp (Linear's `webhookTimestamp`, a minute's tolerance) would otherwise be
 * refused in later rounds, and a refused delivery is a cheaper case than the one named.
 */
interface Prepared {
  delivery: BenchDelivery;
  req: WebhookRequest;
  mac: Uint8Array;
  outcome: string;
  status: number;
  refresh(): Promise<void>;
}

async function prepare(name: string, table: TrackerCases, bytes: number): Promise<Prepared> {
  const build = async () => {
    const delivery = await benchDelivery(table, bytes, secret);
    const mac = new Uint8Array(await crypto.subtle.sign("HMAC", floorKey, delivery.raw));
    return { delivery, req: webhook(delivery), mac };
  };
  const first = await build();
  const result = await intake(findTracker(name)!, first.req, first.delivery.pathSecret, deps);
  const res = await app.fetch(request(first.delivery), env, ctx);
  await res.arrayBuffer();
  const p: Prepared = {
    ...first,
    outcome: result.kind,
    status: res.status,
    async refresh() {
      Object.assign(p, await build());
      const again = await intake(findTracker(name)!, p.req, p.delivery.pathSecret, deps);
      if (again.kind !== p.outcome) throw new Error(`${name}: ${again.kind} now, ${p.outcome} when the bench was named`);
    },
  };
  return p;
}

// BENCH_TRACKERS=zammad,plane: only those (a quick look while working on one); bench/run.ts measures them all.
const only = (globalThis as unknown as { process: { env: Record<string, string | undefined> } }).process.env.BENCH_TRACKERS?.split(",");
const names = trackerIds().filter((id) => !only || only.includes(id));
const prepared = new Map<string, Prepared | string>();
for (const size of SIZES) {
  for (const name of names) {
    const table = tables.get(name);
    prepared.set(`${size.label}|${name}`, table ? await prepare(name, table, size.bytes) : "no case table");
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
      await floor(p.delivery.raw, p.mac);
      await intake(findTracker(name)!, p.req, p.delivery.pathSecret, deps);
      await (await app.fetch(request(p.delivery), env, ctx)).arrayBuffer();
    }
  }
}

const opts = (bytes: number, p: Prepared) => ({
  now: cpuNowMs,
  warmupTime: 30,
  time: bytes > 100_000 ? 250 : 120,
  // Outside the timing: a fresh delivery before the warm-up and before the measured run.
  setup: () => p.refresh(),
});
const placeholder = { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 };

/**
 * Every case runs once per round, rounds one after the other; bench/run.ts keeps each case's best
 * round. On a shared VM the speed drifts (up to ~1.7× for seconds at a time): the best round is the
 * cost of the code, the others partly the cost of the neighbours.
 */
const ROUNDS = Number(proc.env.BENCH_ROUNDS ?? 3);

type Kind = "floor" | "intake" | "app.fetch";
const run: Record<Kind, (name: string, p: Prepared) => () => Promise<void>> = {
  floor: (_name, p) => async () => {
    await floor(p.delivery.raw, p.mac);
  },
  intake: (name, p) => {
    const source = findTracker(name)!;
    return async () => {
      await intake(source, p.req, p.delivery.pathSecret, deps);
    };
  },
  "app.fetch": (_name, p) => async () => {
    await (await app.fetch(request(p.delivery), env, ctx)).arrayBuffer();
  },
};

for (let round = 1; round <= ROUNDS; round++) {
  for (const size of SIZES) {
    for (const kind of ["floor", "intake", "app.fetch"] as const) {
      describe(`r${round} ${kind} ${size.label}`, () => {
        for (const name of names) {
          const p = prepared.get(`${size.label}|${name}`)!;
          if (typeof p === "string") {
            bench(`${name} [${p}]`, () => {}, placeholder);
            continue;
          }
          const tag = kind === "app.fetch" ? String(p.status) : kind === "intake" ? p.outcome : "floor";
          bench(`${name} [${tag}] {${p.delivery.raw.length}}`, run[kind](name, p), opts(size.bytes, p));
        }
      });
    }
  }
}
