// npm run dev: the bridge under `wrangler dev` (local KV, Queue, Workflow,
// Durable Object) plus a mock Devin API and a mock tracker on loopback, all
// started together and stopped together. No cloud account, no network.
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { resolve } from "node:path";
import { createDevinMock } from "../test/support/devin-mock.ts";
import { serveLoopback } from "../test/support/serve.ts";
import { caseTables } from "../test/support/case-tables.ts";
import { createTrackerMock } from "../test/support/tracker-mock.ts";
import { readableLogLine } from "./dev-log.ts";

const root = resolve(import.meta.dirname, "..");
const DEVIN_PORT = Number(process.env.DEVIN_MOCK_PORT ?? 8790);
const TRACKER_PORT = Number(process.env.TRACKER_MOCK_PORT ?? 8791);
const BRIDGE_PORT = Number(process.env.PORT ?? 8787);

if (!existsSync(resolve(root, ".dev.vars"))) {
  copyFileSync(resolve(root, ".dev.vars.example"), resolve(root, ".dev.vars"));
  console.log("created .dev.vars from .dev.vars.example (dummy values; the mock Devin accepts any key)");
}

const color = process.stdout.isTTY && !process.env.NO_COLOR;
const say = (who: string, text: string) => console.log(color ? `\x1b[36m[${who}]\x1b[0m ${text}` : `[${who}] ${text}`);
const short = (text: string, max = 100) => (text.length > max ? `${text.slice(0, max - 1)}…` : text).replace(/\s+/g, " ");

const devin = createDevinMock();
const devinServer = await serveLoopback(async (req) => {
  const res = await devin.handle(req.clone());
  const url = new URL(req.url);
  if (!url.pathname.startsWith("/__mock/")) {
    let detail = "";
    if (req.method === "POST" && url.pathname.endsWith("/sessions")) {
      const body = (await req.json()) as { title?: string; playbook_id?: string };
      const created = (await res.clone().json()) as { session_id?: string };
      detail = ` → session ${created.session_id} "${short(body.title ?? "")}" playbook=${body.playbook_id}`;
    } else if (req.method === "POST" && url.pathname.endsWith("/messages")) {
      detail = ` → follow-up "${short(String(((await req.json()) as { message?: string }).message ?? ""))}"`;
    } else if (req.method === "GET" && /\/sessions\/[^/]+$/.test(url.pathname)) {
      const s = (await res.clone().json()) as { status?: string; status_detail?: string };
      detail = ` → ${s.status}${s.status_detail ? `/${s.status_detail}` : ""}`;
    }
    say("devin", `${req.method} ${url.pathname}${url.search} ${res.status}${detail}`);
  }
  return res;
}, DEVIN_PORT);

// Reads succeed too (Taiga reads an item's version before commenting): a tracker that agrees to everything.
const tracker = createTrackerMock({ permissiveReads: true });
const trackerServer = await serveLoopback(async (req) => {
  const text = req.method === "GET" ? "" : await req.clone().text();
  const res = await tracker.handle(req);
  const url = new URL(req.url);
  if (!url.pathname.startsWith("/__mock/")) say("tracker", `${req.method} ${url.pathname} ${res.status} ${short(text, 140)}`);
  return res;
}, TRACKER_PORT);

/**
 * With `[secrets] required` in wrangler.toml, `wrangler dev` loads only those
 * names from .dev.vars (and from `--env-file`); the other settings there
 * (PLAYBOOKS, ADMIN_TOKEN, …) are handed over in a generated config file.
 */
function devVarsBeyondSecrets(): Record<string, string> {
  const required = readFileSync(resolve(root, "wrangler.toml"), "utf8").match(/required\s*=\s*\[([^\]]*)\]/)?.[1] ?? "";
  const secretNames = new Set([...required.matchAll(/"([^"]+)"/g)].map((m) => m[1]));
  const out: Record<string, string> = {};
  for (const line of readFileSync(resolve(root, ".dev.vars"), "utf8").split("\n")) {
    const m = line.match(/^\s*([A-Z][A-Z0-9_]*)\s*=\s*(.*)$/);
    if (m && !secretNames.has(m[1]!)) out[m[1]!] = m[2]!.trim().replace(/^"(.*)"$/, "$1");
  }
  return out;
}

// Every tracker's write-back goes to the mock tracker: its base URL, and what its case table sets, pointed there.
const tables = await caseTables();
const trackerSettings = Object.fromEntries([
  ...tables.map((t) => [`${t.tracker.toUpperCase().replace(/[^A-Z0-9]+/g, "_")}_BASE_URL`, trackerServer.url]),
  ...tables.flatMap((t) => Object.entries(t.env ?? {})).map(([k, v]) => [k, v.replaceAll("http://tracker.mock", trackerServer.url)]),
]);
const devVars = devVarsBeyondSecrets();
// Locally `npm run send -- <tracker> file.json --label <name>` may pick any playbook's label through `?label=`.
const playbookLabels = (() => {
  try {
    return Object.keys(JSON.parse(devVars.PLAYBOOKS ?? "{}") as object).join(",");
  } catch {
    return "";
  }
})();
const urlLabels = playbookLabels ? Object.fromEntries(tables.map((t) => [`${t.tracker.toUpperCase().replace(/[^A-Z0-9]+/g, "_")}_URL_LABELS`, playbookLabels])) : {};
const vars: Record<string, string> = {
  ...trackerSettings,
  ...urlLabels,
  ...devVars,
  DEVIN_API_BASE: devinServer.url,
  FOLLOW_INTERVAL_SECONDS: "10",
};
// `--fresh` is ours, not wrangler's: wipe the local KV, Queue, Workflow and Durable Object state first.
const args = process.argv.slice(2).filter((a) => a !== "--fresh");
if (args.length < process.argv.length - 2) {
  const at = args.findIndex((a) => a === "--persist-to" || a.startsWith("--persist-to="));
  const dir = resolve(root, at < 0 ? ".wrangler/state" : args[at]!.includes("=") ? args[at]!.split("=")[1]! : args[at + 1]!);
  rmSync(dir, { recursive: true, force: true });
  say("dev", `--fresh: wiped the local state in ${dir} (tickets, deliveries, queue, workflows, spend counts)`);
}
if (["true", "1", "yes"].includes((vars.DRY_RUN ?? "").toLowerCase())) {
  say("dev", "DRY_RUN is on: tickets are routed and answered with the would-be Devin request; no session starts, no tracker is written to");
}

/**
 * wrangler.toml with these settings in its `[vars]`: a file readable by this
 * user only, removed on exit. On the command line (`--var`) they would show
 * in `ps` to every user of the machine, ADMIN_TOKEN included. It sits next to
 * wrangler.toml so `main` and .dev.vars resolve as they do there.
 */
function writeDevConfig(settings: Record<string, string>): string {
  const lines = readFileSync(resolve(root, "wrangler.toml"), "utf8").split("\n");
  const start = lines.findIndex((l) => l.trim() === "[vars]");
  const end = lines.findIndex((l, i) => i > start && l.trim().startsWith("["));
  const keyOf = (line: string) => line.match(/^\s*([A-Z][A-Z0-9_]*)\s*=/)?.[1];
  // TOML basic strings take JSON's escapes; a key set here replaces the file's own.
  const ours = Object.entries(settings).map(([k, v]) => `${k} = ${JSON.stringify(v)}`);
  const out = lines.filter((l, i) => !(i > start && i < end && settings[keyOf(l) ?? ""] !== undefined));
  out.splice(start + 1, 0, ...ours);
  const path = resolve(root, ".dev.wrangler.toml");
  writeFileSync(path, out.join("\n"), { mode: 0o600 });
  return path;
}
const devConfig = writeDevConfig(vars);

const wrangler = spawn(
  process.execPath,
  [resolve(root, "node_modules/wrangler/bin/wrangler.js"), "dev", "--config", devConfig, "--port", String(BRIDGE_PORT), ...args],
  { cwd: root, stdio: ["inherit", "pipe", "pipe"], env: { ...process.env, WRANGLER_SEND_METRICS: "false" } },
);
// The Worker logs JSON lines; here each becomes one readable line per step of a ticket's path.
for (const [stream, out] of [
  [wrangler.stdout!, process.stdout],
  [wrangler.stderr!, process.stderr],
] as const) {
  createInterface({ input: stream, crlfDelay: Infinity }).on("line", (line) => {
    const readable = readableLogLine(line);
    if (readable === null) out.write(`${line}\n`);
    else say("ticket", readable);
  });
}

say("dev", `mock Devin ${devinServer.url} · mock tracker ${trackerServer.url} · bridge http://127.0.0.1:${BRIDGE_PORT}`);
say("dev", `try: npm run send -- gitlab   (or ${tables.map((t) => t.tracker).join(", ")})`);

let stopping = false;
async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  wrangler.kill("SIGINT");
  rmSync(devConfig, { force: true });
  await Promise.all([devinServer.close(), trackerServer.close()]);
  process.exit(code);
}
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());
wrangler.on("exit", (code) => void stop(code ?? 0));
