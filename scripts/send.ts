// npm run send -- <source> [fixture-or-file] [--label devin-autofix] [--url http://127.0.0.1:8787] [--secret …]
// Signs a sample ticket exactly as that tracker would (its headers, its scheme)
// and posts it to a local or deployed bridge, printing the answer.
import { readFileSync, existsSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { genericTicket, SAMPLES } from "../tools/signers.ts";

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

const [source, file] = positionals;
if (values.help || !source || !SAMPLES[source]) {
  console.log(`usage: npm run send -- <source> [fixture-or-file] [--label devin-autofix | --no-label] [--url ${values.url}] [--secret …]
sources: ${Object.keys(SAMPLES).join(", ")}
The secret defaults to <SOURCE>_WEBHOOK_SECRET or WEBHOOK_SECRET from the environment or .dev.vars.`);
  process.exit(source && !SAMPLES[source] ? 2 : 0);
}
const sample = SAMPLES[source]!;

function devVar(name: string): string | undefined {
  if (process.env[name]) return process.env[name];
  const path = resolve(root, ".dev.vars");
  if (!existsSync(path)) return undefined;
  const line = readFileSync(path, "utf8").split("\n").find((l) => l.startsWith(`${name}=`));
  return line?.slice(name.length + 1).trim().replace(/^"(.*)"$/, "$1");
}

const secret = (
  values.secret ??
  devVar(`${source.toUpperCase()}_WEBHOOK_SECRET`) ??
  devVar("WEBHOOK_SECRET") ??
  "devin-bridge-test-secret"
).split(",")[0]!.trim();

function body(): Uint8Array<ArrayBuffer> {
  if (file) {
    const candidates = [resolve(file), resolve(root, "../shared/fixtures", file)];
    const found = candidates.find((p) => existsSync(p));
    if (!found) throw new Error(`no such file: ${file}`);
    return new Uint8Array(readFileSync(found));
  }
  if (!sample.fixture) return new TextEncoder().encode(genericTicket());
  return new Uint8Array(readFileSync(resolve(root, "../shared/fixtures", sample.fixture)));
}

const raw = body();
const { path, headers } = await sample.sign(raw, secret);
const url = new URL(path, values.url);
// Most fixtures carry no trigger label: say which route the tracker's own rule would have picked.
if (!values["no-label"] && values.label) url.searchParams.set("label", values.label);
const shown = url.pathname.startsWith(`/webhooks/${source}/`) ? `${values.url}/webhooks/${source}/[secret]` : url.toString();
console.log(`POST ${shown}  (${raw.length} bytes, signed as ${source})`);
const res = await fetch(url, { method: "POST", headers, body: raw });
console.log(`${res.status} ${res.statusText}`);
console.log(await res.text());
process.exit(res.ok ? 0 : 1);
