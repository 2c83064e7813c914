/**
 * `npm run bench`: bundle size, request-path CPU (vitest bench) and ack latency /
 * intake under `wrangler dev`, then a table on stdout and bench/results.md.
 * `npm run bench -- --only cpu` (or `--only cpu,bundle`, …) runs those parts alone; the
 * others' sections and targets are carried over from the existing results.md, marked with
 * the date they were measured.
 * Everything is loopback-only and bounded; whatever was started is stopped.
 * Exit code: 0 when every part that ran did, and (when the load test ran) no ticket was
 * lost or duplicated (performance targets missed are reported, not fatal); 1 otherwise.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { runBundle, type BundleResult } from "./bundle.ts";
import type { LoadResult, PhaseResult } from "./load.ts";
import { cleanupAll, onCleanup, runNode } from "./proc.ts";
import { takeSnapshot, type Snapshot } from "./snapshot.ts";

const root = resolve(import.meta.dirname, "..");
const outDir = join(root, "bench/out");
const WATCHDOG_MS = 12 * 60_000;

const TARGETS = {
  ackRatio: 1.5, // ticket p50 / health p50 at 16 senders
  intakeShare: 0.6, // ticket accepted/s ÷ health req/s at 16 senders
  cpuUs64k: 300, // intake() µs per event at 64 KiB, every source
  cpuUs1MB: 3000, // intake() µs per event at 1 MB, every source
  gzipKiB: 60,
};

const PARTS = ["bundle", "cpu", "load"] as const;
type Part = (typeof PARTS)[number];

/** `--only cpu` / `--only=cpu,bundle`: the parts to run; all by default. */
function partsToRun(argv: string[]): Set<Part> {
  const i = argv.findIndex((a) => a === "--only" || a.startsWith("--only="));
  if (i < 0) return new Set(PARTS);
  const list = (argv[i]!.includes("=") ? argv[i]!.slice("--only=".length) : (argv[i + 1] ?? "")).split(",").map((p) => p.trim()).filter(Boolean);
  const unknown = list.filter((p) => !(PARTS as readonly string[]).includes(p));
  if (list.length === 0 || unknown.length) throw new Error(`--only takes a comma-separated list of ${PARTS.join(", ")}${unknown.length ? `; not ${unknown.join(", ")}` : ""}`);
  return new Set(list as Part[]);
}

interface CpuRow {
  source: string;
  outcome: string;
  status: string;
  floor: Record<string, number | undefined>;
  intake: Record<string, number | undefined>;
  fetch: Record<string, number | undefined>;
  bytes: Record<string, number | undefined>;
}
interface CpuResult {
  sizes: string[];
  rows: CpuRow[];
}

const log = (line: string) => process.stdout.write(`[bench] ${line}\n`);

/** Type-checks the bench (and, through its imports, src/) in the snapshot: a bench of code that does not check is not worth reading. */
async function typecheck(snap: Snapshot): Promise<void> {
  for (const project of ["bench/tsconfig.json", "bench/tsconfig.cpu.json"]) {
    const res = await runNode([join(root, "node_modules/typescript/bin/tsc"), "-p", project], { cwd: snap.dir, timeoutMs: 120_000 });
    if (res.code !== 0) throw new Error(`tsc -p ${project}:\n${(res.stdout + res.stderr).slice(-3000)}`);
  }
}

async function runCpu(snap: Snapshot): Promise<CpuResult> {
  const json = join(outDir, "cpu.json");
  const res = await runNode(
    [join(root, "node_modules/vitest/vitest.mjs"), "bench", "--run", "--config", "bench/vitest.bench.config.ts"],
    { cwd: snap.dir, timeoutMs: 480_000, env: { BENCH_CPU_JSON: json } },
  );
  writeFileSync(join(outDir, "cpu.log"), res.stdout + res.stderr);
  if (res.code !== 0) throw new Error(`vitest bench failed (${res.timedOut ? "timeout" : `exit ${res.code}`}), see bench/out/cpu.log:\n${(res.stdout + res.stderr).slice(-3000)}`);
  // Median, not mean: on a shared machine a few GC pauses or preemptions drag the mean far from the typical event.
  type Bench = { name: string; median: number };
  const report = JSON.parse(readFileSync(json, "utf8")) as { files: { groups: { fullName: string; benchmarks: Bench[] }[] }[] };
  const rows = new Map<string, CpuRow>();
  const sizes: string[] = [];
  for (const group of report.files.flatMap((f) => f.groups)) {
    const m = /(?:r\d+ )?(floor|intake|app\.fetch) (.+)$/.exec(group.fullName);
    if (!m) continue;
    const [, kind, size] = m as unknown as [string, string, string];
    if (!sizes.includes(size)) sizes.push(size);
    for (const b of group.benchmarks) {
      // "<source> [<outcome>] {<bytes>}" or "<source> [no fixture mapping]"
      const n = /^(\S+) \[([^\]]+)\](?: \{(\d+)\})?$/.exec(b.name);
      if (!n) continue;
      const [, source, tag, bytes] = n as unknown as [string, string, string, string | undefined];
      const row = rows.get(source) ?? { source, outcome: "", status: "", floor: {}, intake: {}, fetch: {}, bytes: {} };
      rows.set(source, row);
      if (bytes === undefined) {
        row.outcome = tag;
        continue;
      }
      row.bytes[size] = Number(bytes);
      // Best round (see ROUNDS in request-path.bench.ts).
      const best = (old: number | undefined) => Math.min(old ?? Infinity, b.median * 1000);
      if (kind === "floor") {
        row.floor[size] = best(row.floor[size]);
      } else if (kind === "intake") {
        row.intake[size] = best(row.intake[size]);
        row.outcome = tag;
      } else {
        row.fetch[size] = best(row.fetch[size]);
        row.status = tag;
      }
    }
  }
  return { sizes, rows: [...rows.values()] };
}

// ---------- rendering ----------

const fmt = (n: number | undefined, digits = 1) => (n === undefined || Number.isNaN(n) ? "—" : n.toFixed(digits));
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const mark = (ok: boolean | undefined) => (ok === undefined ? "n/a" : ok ? "met" : "**MISSED**");

function table(head: string[], rows: (string | number)[][]): string {
  return [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
}

const ROUTE_LABEL: Record<PhaseResult["route"], string> = {
  health: "GET /health",
  ticket: "POST /webhooks/tickets → 202 accepted",
  skipped: "diagnosis: no trigger label → 200 skipped (no KV, no queue)",
  duplicate: "diagnosis: redelivery → 200 duplicate (KV hit, no queue)",
};

function phaseAt(load: LoadResult, route: PhaseResult["route"], c: number) {
  return load.phases.find((p) => p.route === route && p.concurrency === c);
}

interface CpuVerdict {
  /** The worst source's intake() µs at this size, and that source's floor. */
  value: number;
  worst: string;
  floor: number;
  /** The largest floor of any source at this size. */
  worstFloor: number;
  worstFloorSource: string;
  ok: boolean;
}

interface Verdicts {
  ack?: { value: number; ok: boolean };
  intake?: { value: number; ok: boolean };
  sessions?: { ok: boolean; text: string };
  cpu64k?: CpuVerdict;
  cpu1MB?: CpuVerdict;
  fetch64k?: { value: number; worst: string };
  bundle?: { value: number; ok: boolean };
}

function verdicts(load?: LoadResult, cpu?: CpuResult, bundle?: BundleResult): Verdicts {
  const v: Verdicts = {};
  if (load) {
    const h = phaseAt(load, "health", 16);
    const t = phaseAt(load, "ticket", 16);
    if (h && t) {
      v.ack = { value: t.p50 / h.p50, ok: t.p50 <= TARGETS.ackRatio * h.p50 };
      v.intake = { value: t.rps / h.rps, ok: t.rps >= TARGETS.intakeShare * h.rps };
    }
    const f = load.final;
    const ok = f.lost === 0 && f.duplicates === 0 && f.unexpected === 0 && f.sessions === f.accepted;
    v.sessions = { ok, text: `${f.sessions} sessions / ${f.accepted} accepted, ${f.lost} lost, ${f.duplicates} duplicates` };
  }
  if (cpu) {
    const worst = (pick: (r: CpuRow) => number | undefined) =>
      cpu.rows.reduce<{ v: number; s: string; r?: CpuRow }>((w, r) => ((pick(r) ?? -1) > w.v ? { v: pick(r)!, s: r.source, r } : w), { v: -1, s: "" });
    // The target is the request path as the issue defines it (verify, minimal parse, route, enqueue): intake(), every source.
    const judge = (size: string | undefined, limit: number): CpuVerdict | undefined => {
      if (!size) return undefined;
      const i = worst((r) => r.intake[size]);
      const f = worst((r) => r.floor[size]);
      if (i.v < 0) return undefined;
      return { value: i.v, worst: i.s, floor: i.r?.floor[size] ?? NaN, worstFloor: f.v, worstFloorSource: f.s, ok: i.v <= limit };
    };
    const s64 = cpu.sizes.find((s) => s.startsWith("64"));
    const s1m = cpu.sizes.find((s) => s.startsWith("1 MB"));
    v.cpu64k = judge(s64, TARGETS.cpuUs64k);
    v.cpu1MB = judge(s1m, TARGETS.cpuUs1MB);
    if (s64) {
      const f = worst((r) => r.fetch[s64]);
      v.fetch64k = { value: f.v, worst: f.s };
    }
  }
  if (bundle) v.bundle = { value: bundle.gzipBytes / 1024, ok: bundle.gzipBytes / 1024 <= TARGETS.gzipKiB };
  return v;
}

// ---------- what a partial run carries over from the last results.md ----------

const CARRIED = "_Not rerun in this run: as measured on ";

interface Previous {
  /** `2026-11-23 12:28` (UTC), from the file's first line. */
  date: string;
  /** Target label → [result, verdict]. */
  rows: Map<string, [string, string]>;
  /** "1." / "2." / "3." → the section's text, its header included. */
  sections: Map<string, string>;
}

function readPrevious(file: string): Previous | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  const date = /on (\d{4}-\d{2}-\d{2} \d{2}:\d{2}) UTC/.exec(text)?.[1] ?? "an earlier run";
  const rows = new Map<string, [string, string]>();
  const targets = /^## Targets\n([\s\S]*?)(?=^## |(?![\s\S]))/m.exec(text)?.[1] ?? "";
  for (const line of targets.split("\n")) {
    const cells = line.split(" | ");
    if (cells.length === 3 && line.startsWith("| ") && !line.startsWith("| Target")) rows.set(cells[0]!.slice(2), [cells[1]!, cells[2]!.replace(/ \|$/, "")]);
  }
  const sections = new Map<string, string>();
  for (const part of text.split(/^(?=## \d+\. )/m).slice(1)) sections.set(/^## (\d+\.)/.exec(part)![1]!, part.replace(/\s+$/, "") + "\n");
  return { date, rows, sections };
}

/** A section of a part that did not run, as the last results.md had it, marked with when it was measured. */
function carriedSection(previous: Previous | undefined, key: string): string[] {
  const text = previous?.sections.get(key);
  if (!text) return [];
  if (text.includes(CARRIED)) return [text];
  const [head, ...body] = text.split("\n");
  return [[head, "", `${CARRIED}${previous!.date} UTC._`, ...body].join("\n")];
}

function render(
  meta: string,
  ran: Set<Part>,
  previous: Previous | undefined,
  load: LoadResult | undefined,
  cpu: CpuResult | undefined,
  bundle: BundleResult | undefined,
  errors: Record<string, string>,
): { markdown: string; summary: string } {
  const v = verdicts(load, cpu, bundle);
  const cpuText = (c: CpuVerdict | undefined) =>
    c
      ? `${fmt(c.value, 0)} µs (${c.worst}; its floor ${fmt(c.floor, 0)} µs); the largest floor ${fmt(c.worstFloor, 0)} µs (${c.worstFloorSource})`
      : "—";
  const rows: { part: Part; cells: string[] }[] = [
    { part: "load", cells: ["ack p50 at 16 senders ≤ 1.5× /health", v.ack ? `${v.ack.value.toFixed(2)}×` : "—", mark(v.ack?.ok)] },
    { part: "load", cells: ["accepted webhooks/s ≥ 60% of /health req/s (16 senders)", v.intake ? `${(v.intake.value * 100).toFixed(0)}%` : "—", mark(v.intake?.ok)] },
    { part: "load", cells: ["0 lost, 0 duplicate sessions", v.sessions?.text ?? "—", mark(v.sessions?.ok)] },
    {
      part: "cpu",
      cells: [`request-path CPU ≤ ${TARGETS.cpuUs64k} µs at 64 KiB, every source (intake(), Node)`, cpuText(v.cpu64k), mark(v.cpu64k?.ok)],
    },
    {
      part: "cpu",
      cells: [`request-path CPU ≤ ${TARGETS.cpuUs1MB} µs at 1 MB, every source (intake(), Node)`, cpuText(v.cpu1MB), mark(v.cpu1MB?.ok)],
    },
    { part: "bundle", cells: ["bundle ≤ 60 KiB gzipped", v.bundle ? `${v.bundle.value.toFixed(1)} KiB` : "—", mark(v.bundle?.ok)] },
  ];
  // A part that did not run keeps its last measured result, dated.
  const targetRows = rows.map(({ part, cells }) => {
    const old = ran.has(part) ? undefined : previous?.rows.get(cells[0]!);
    if (!old) return cells;
    return [cells[0]!, old[0].includes("(measured ") ? old[0] : `${old[0]} (measured ${previous!.date})`, old[1]];
  });
  const targets = table(["Target", "Result", ""], targetRows);

  const out: string[] = [`# Benchmark results`, "", meta, "", "## Targets", "", targets, ""];
  for (const [part, err] of Object.entries(errors)) out.push(`**${part} failed:**`, "", "```", err.slice(0, 2000), "```", "");

  if (!ran.has("load")) out.push(...carriedSection(previous, "1."));
  if (load) {
    const o = load.options;
    out.push(
      "## 1. Ack latency and intake under `wrangler dev`",
      "",
      `Real \`wrangler.toml\` under \`wrangler dev\` (local KV, Queue, Workflows), mock Devin on loopback answering creates after ${o.createDelayMs} ms. ` +
        `Unique signed generic tickets (\`POST /webhooks/tickets\`) and \`GET /health\` in the same run; latency = send until the whole answer is read. ` +
        `Warm-up (${load.warmup.health} health, ${load.warmup.tickets} tickets) not counted; the queue is drained between phases.`,
      "",
      table(
        ["route", "senders", "sent", "ok", "p50 ms", "p90 ms", "p99 ms", "max ms", "ok/s", "server CPU ms/req", "failures"],
        load.phases.map((p) => [
          ROUTE_LABEL[p.route],
          p.concurrency,
          p.sent,
          p.ok,
          fmt(p.p50),
          fmt(p.p90),
          fmt(p.p99),
          fmt(p.max),
          fmt(p.rps, 0),
          fmt(p.serverCpuMs) + (p.pipelineCpuMs !== undefined ? ` (${fmt(p.pipelineCpuMs)} incl. drain)` : ""),
          Object.entries(p.failures).map(([k, n]) => `${n}× ${k}`).join(", ") || "0",
        ]),
      ),
      "",
      table(
        ["senders", "ticket/health p50", "ticket/health p99", "ticket accepted/s ÷ health req/s"],
        [...new Set(load.phases.filter((p) => p.route === "ticket").map((p) => p.concurrency))].map((c) => {
          const h = phaseAt(load, "health", c)!;
          const t = phaseAt(load, "ticket", c)!;
          return [c, `${(t.p50 / h.p50).toFixed(2)}×`, `${(t.p99 / h.p99).toFixed(2)}×`, `${((t.rps / h.rps) * 100).toFixed(0)}%`];
        }),
      ),
      "",
      `Sessions: **${load.final.sessions} created for ${load.final.accepted} accepted tickets** ` +
        `(${load.final.distinctTickets} distinct tickets, ${load.final.distinctTags} distinct \`ticket:\` tags; ` +
        `${load.final.lost} lost, ${load.final.duplicates} duplicates, ${load.final.unexpected} unexpected; ` +
        `${load.final.createCalls} create calls). Drains: ` +
        load.drains.map((d) => `${d.after} ${(d.waitedMs / 1000).toFixed(1)} s${d.settled ? "" : " (NOT settled)"}`).join(", ") +
        ` (each includes the ${(o.drain.settleMs / 1000).toFixed(0)} s quiet window).`,
      "",
      "Server CPU = user+system CPU of the `wrangler dev` process tree (wrangler's Node proxy + workerd, which also runs the local " +
        "Queue, KV, Workflows and Durable Objects) per request during the phase; \"incl. drain\" adds the queue consumer and workflow " +
        `work each accepted ticket causes until its session exists. Idle: ${fmt(load.idleServerCpuMsPerSec)} ms/s. ` +
        `The senders and mocks (this process) used ${load.phases.map((p) => fmt(p.clientCpuMs, 2)).join("/")} ms/req.`,
      "",
      load.reloads > 0
        ? `**Disturbed run:** \`wrangler dev\` reloaded the Worker ${load.reloads}× during the run (a file under src/ changed); rerun on a quiet tree.\n`
        : "",
    );
  }

  if (cpu) {
    const sizeCols = cpu.sizes;
    const over = (size: string) =>
      cpu.rows.map((r) => (r.intake[size] ?? NaN) - (r.floor[size] ?? NaN)).filter((n) => !Number.isNaN(n)).sort((a, b) => a - b);
    const median = (list: number[]) => list[Math.floor(list.length / 2)];
    out.push(
      "## 2. Request-path CPU (µs of CPU per event: median, best of 3 rounds)",
      "",
      "Run in Node 24 (V8 + OpenSSL WebCrypto, like workerd's V8 + BoringSSL), not in workerd: workerd's clocks do not advance while " +
        "code runs, so a benchmark inside the isolate cannot time itself. `vitest bench` (tinybench) with the process's CPU time as its " +
        "clock (Node runs WebCrypto on its thread pool; that wait is idle time in Node, inline work in workerd), `bench/request-path.bench.ts`; " +
        "every case runs in 3 rounds and the best round's median is shown (a shared VM's speed drifts for seconds at a time). " +
        "Every tracker in `src/trackers/index.ts`, each delivery built by its case table (`src/trackers/<id>/cases.ts`, `created(t)`) " +
        "with the description grown to the size (a log with quotes, backslashes and non-ASCII; HTML for Zammad and Azure DevOps; " +
        "another field where the webhook carries no description: Bugzilla, Sentry, Phorge — see `bench/cases.ts`) and signed by the table. " +
        "**floor** = what no request path avoids on the same bytes: HMAC-SHA256 verify (WebCrypto, key imported once) + " +
        "`JSON.parse(new TextDecoder().decode(bytes))`. **intake** = `intake()` of src/intake.ts: verify + decode + JSON.parse + tracker " +
        "parse + route + bounds + instance id (no-op queue, the real TicketStore over an empty KV). **app.fetch** = the whole Worker " +
        "fetch handler with stub bindings, including building the `Request`; its extra over `intake()` is mostly Node's own " +
        "Request/stream machinery (undici), which workerd implements natively.",
      "",
      table(
        ["source", "outcome", ...sizeCols.flatMap((s) => [`floor ${s}`, `intake ${s}`]), ...sizeCols.map((s) => `app.fetch ${s}`)],
        cpu.rows.map((r) => [
          r.source,
          r.status ? `${r.outcome} / ${r.status}` : r.outcome,
          ...sizeCols.flatMap((s) => [fmt(r.floor[s], 0), `**${fmt(r.intake[s], 0)}**`]),
          ...sizeCols.map((s) => fmt(r.fetch[s], 0)),
        ]),
      ),
      "",
      `intake − floor, median over sources: ${sizeCols.map((s) => `${s} ${fmt(median(over(s)), 0)} µs`).join(", ")}. ` +
        "A tracker authenticated by a token rather than an HMAC of the body can come in under the floor.",
      "",
      `Body sizes: ${sizeCols.map((s) => `${s} = ${[...new Set(cpu.rows.map((r) => r.bytes[s]).filter(Boolean))].sort((a, b) => a! - b!).join("/")} bytes`).join("; ")} ` +
        "(a delivery larger than 1 KiB is used at its own size; Plane carries its description twice, so it lands a byte short).",
      "",
    );
  } else if (!ran.has("cpu")) out.push(...carriedSection(previous, "2."));

  if (!bundle && !ran.has("bundle")) out.push(...carriedSection(previous, "3."));
  if (bundle) {
    out.push(
      "## 3. Bundle",
      "",
      `\`wrangler deploy --dry-run --outdir <tmp>\`: **${kib(bundle.rawBytes)} raw, ${kib(bundle.gzipBytes)} gzipped** (node:zlib level 9; ` +
        `${bundle.files.map((f) => `${f.name} ${kib(f.bytes)}`).join(", ")}).` +
        (bundle.wranglerLine ? ` Wrangler: \`${bundle.wranglerLine}\`.` : ""),
      "",
    );
  }

  const summaryLines = [targets];
  if (cpu) {
    const picked = cpu.sizes.filter((s) => s !== cpu.sizes[0]);
    summaryLines.push(
      "",
      table(
        ["source", ...picked.flatMap((s) => [`floor ${s}`, `intake ${s}`])],
        cpu.rows.map((r) => [r.source, ...picked.flatMap((s) => [fmt(r.floor[s], 0), fmt(r.intake[s], 0)])]),
      ),
    );
  }
  if (load) {
    summaryLines.push(
      "",
      table(
        ["route", "senders", "p50 ms", "p99 ms", "ok/s"],
        load.phases.map((p) => [p.route, p.concurrency, fmt(p.p50), fmt(p.p99), fmt(p.rps, 0)]),
      ),
    );
  }
  return { markdown: out.join("\n"), summary: summaryLines.join("\n") };
}

function metaLine(startedAt: Date, seconds: number, codeHash: string, loadAvg: [number, number], ran: Set<Part>): string {
  const git = (args: string[]) => {
    try {
      return execFileSync("git", args, { cwd: root, encoding: "utf8" }).trim();
    } catch {
      return "";
    }
  };
  const commit = git(["rev-parse", "--short", "HEAD"]) || "unknown";
  const dirty = git(["status", "--porcelain"]).split("\n").filter(Boolean).length;
  const pkg = (name: string) => (JSON.parse(readFileSync(join(root, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;
  const cpu = cpus();
  return (
    `Written by \`npm run bench${ran.size < PARTS.length ? ` -- --only ${[...ran].join(",")}` : ""}\` on ${startedAt.toISOString().slice(0, 16).replace("T", " ")} UTC in ${seconds.toFixed(0)} s — ` +
    `commit ${commit}${dirty ? ` + ${dirty} uncommitted file(s)` : ""} (src/ + wrangler.toml sha256 ${codeHash}, measured on a snapshot of the tree); ` +
    `Node ${process.version}, wrangler ${pkg("wrangler")}, vitest ${pkg("vitest")}; ${cpu[0]?.model ?? "cpu"} × ${cpu.length}, ` +
    `${(totalmem() / 2 ** 30).toFixed(0)} GiB; 1-min load average ${loadAvg[0].toFixed(1)} at the start, ${loadAvg[1].toFixed(1)} at the end` +
    `${loadAvg[0] > cpu.length * 0.5 ? " (other work was already running: expect noise)" : ""}. ` +
    `Absolute numbers depend on the machine; the ratios are what the targets judge.`
  );
}

async function main(): Promise<number> {
  const ran = partsToRun(process.argv.slice(2));
  mkdirSync(outDir, { recursive: true });
  const startedAt = new Date();
  const errors: Record<string, string> = {};
  const step = async <T>(name: string, fn: () => Promise<T>): Promise<T | undefined> => {
    const t0 = Date.now();
    log(`${name} …`);
    try {
      const result = await fn();
      log(`${name} done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      return result;
    } catch (err) {
      errors[name] = err instanceof Error ? (err.stack ?? err.message) : String(err);
      log(`${name} FAILED: ${err instanceof Error ? err.message.split("\n")[0] : err}`);
      return undefined;
    }
  };

  const loadStart = loadavg()[0]!;
  const snap = takeSnapshot(root);
  const unregister = onCleanup(async () => snap.remove());
  log(`snapshot of the tree in ${snap.dir} (src sha256 ${snap.codeHash})`);
  let bundle: BundleResult | undefined;
  let cpu: CpuResult | undefined;
  let load: LoadResult | undefined;
  try {
    const typed = await step("type-check", () => typecheck(snap).then(() => true));
    if (typed) {
      if (ran.has("bundle")) bundle = await step("bundle size", () => runBundle(snap.dir));
      if (ran.has("cpu")) cpu = await step("request-path CPU (vitest bench)", () => runCpu(snap));
      if (ran.has("load")) {
        load = await step("wrangler dev load", async () => {
          const mod = (await import(pathToFileURL(join(snap.dir, "bench/load.ts")).href)) as typeof import("./load.ts");
          return mod.runLoad({ ...mod.DEFAULT_LOAD, logFile: join(outDir, "wrangler-dev.log") }, log);
        });
      }
      if (load) writeFileSync(join(outDir, "load.json"), JSON.stringify(load, null, 2));
    }
  } finally {
    unregister();
    snap.remove();
  }

  const resultsFile = join(root, "bench/results.md");
  const { markdown, summary } = render(
    metaLine(startedAt, (Date.now() - startedAt.getTime()) / 1000, snap.codeHash, [loadStart, loadavg()[0]!], ran),
    ran,
    ran.size < PARTS.length ? readPrevious(resultsFile) : undefined,
    load,
    cpu,
    bundle,
    errors,
  );
  writeFileSync(resultsFile, markdown + "\n");
  process.stdout.write(`\n${summary}\n\nFull results: bench/results.md\n`);
  const v = verdicts(load, cpu, bundle);
  return Object.keys(errors).length === 0 && (!ran.has("load") || v.sessions?.ok) ? 0 : 1;
}

const watchdog = setTimeout(() => {
  log(`watchdog: still running after ${WATCHDOG_MS / 60_000} min, stopping everything`);
  void cleanupAll().finally(() => process.exit(2));
}, WATCHDOG_MS);
watchdog.unref();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping everything`);
    void cleanupAll().finally(() => process.exit(130));
  });
}

main()
  .then(async (code) => {
    await cleanupAll();
    process.exit(code);
  })
  .catch(async (err) => {
    console.error(err);
    await cleanupAll();
    process.exit(1);
  });
