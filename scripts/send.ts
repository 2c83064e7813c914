// npm run send -- <tracker> [file.json] [--label devin-autofix | --no-label] [--url http://127.0.0.1:8787] [--secret …]
// Signs a sample ticket exactly as that tracker would (its headers, its scheme: the tracker's own
// case table, src/trackers/<id>/cases.ts) and posts it to a local or deployed bridge.
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { caseTables } from "../test/support/case-tables.ts";

const root = resolve(import.meta.dirname, "..");
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    label: { type: "string", default: "devin-autofix" },
    url: { type: "string", default: process.env.BRIDGE_URL ?? "http://127.0.0.1:8787" },
    secret: { type: "string" },
    "no-label": { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
});

const tables = await caseTables();
const [tracker, file] = positionals;
const table = tables.find((t) => t.tracker === tracker);
if (values.help || !table) {
  console.log(`usage: npm run send -- <tracker> [file.json] [--label devin-autofix | --no-label] [--url ${values.url}] [--secret …]
trackers: ${tables.map((t) => t.tracker).join(", ")}
Without a file, sends the tracker's sample ticket. The secret defaults to <TRACKER>_WEBHOOK_SECRET or
WEBHOOK_SECRET from the environment or .dev.vars.`);
  process.exit(tracker && !table ? 2 : 0);
}

function devVar(name: string): string | undefined {
  if (process.env[name]) return process.env[name];
  const path = resolve(root, ".dev.vars");
  if (!existsSync(path)) return undefined;
  const line = readFileSync(path, "utf8").split("\n").find((l) => l.startsWith(`${name}=`));
  return line?.slice(name.length + 1).trim().replace(/^"(.*)"$/, "$1");
}

const prefix = table.tracker.toUpperCase().replace(/[^A-Z0-9]+/g, "_");
const secret = (values.secret ?? devVar(`${prefix}_WEBHOOK_SECRET`) ?? devVar("WEBHOOK_SECRET") ?? "devin-bridge-test-secret").split(",")[0]!.trim();

const sample = table.sample();
const body = file ? readFileSync(resolve(file), "utf8") : sample.body;
const signed = await table.sign(body, secret);
const url = new URL(`/webhooks/${table.tracker}${signed.suffix ?? ""}${sample.suffix ?? ""}`, values.url);
// A file may carry no trigger label: say which route the tracker's own rule would have picked.
if (file && !values["no-label"] && values.label) url.searchParams.set("label", values.label);
// Never print a secret that travels in the path.
const shown = signed.suffix ? url.toString().replace(signed.suffix, "/[secret]") : url.toString();
console.log(`POST ${shown}  (${new TextEncoder().encode(body).length} bytes, signed as ${table.tracker})`);
const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...sample.headers, ...signed.headers }, body });
console.log(`${res.status} ${res.statusText}`);
console.log(await res.text());
process.exit(res.ok ? 0 : 1);
