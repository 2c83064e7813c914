// npm run doctor [-- --url <bridge>]: checks a running bridge end to end (its settings, bindings,
// the Devin key, each configured tracker's token) and prints each check with its fix. The checks
// run inside the Worker (GET /health?deep=1, admin only), where the secrets are.
// Token: ADMIN_TOKEN from the environment, else from .dev.vars (for `npm run dev`).
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";

interface Check {
  name: string;
  ok: boolean;
  message: string;
  fix?: string;
}

const { values } = parseArgs({ options: { url: { type: "string" }, help: { type: "boolean", short: "h" } } });
if (values.help) {
  console.log("usage: npm run doctor [-- --url https://<bridge>]   (ADMIN_TOKEN=… in the environment, or in .dev.vars)");
  process.exit(0);
}
const url = (values.url ?? `http://127.0.0.1:${process.env.PORT ?? 8787}`).replace(/\/+$/, "");
const color = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: number, text: string) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
const pass = (text: string) => console.log(`${paint(32, "✓")} ${text}`);
const fail = (text: string, fix?: string) => {
  console.log(`${paint(31, "✗")} ${text}`);
  if (fix) console.log(`    fix: ${fix}`);
};

function devVarsToken(): string | undefined {
  const file = resolve(import.meta.dirname, "..", ".dev.vars");
  if (!existsSync(file)) return undefined;
  return readFileSync(file, "utf8").match(/^\s*ADMIN_TOKEN\s*=\s*"?([^"\n]+)"?\s*$/m)?.[1]?.trim();
}
const token = process.env.ADMIN_TOKEN?.trim() || devVarsToken();

console.log(`doctor: ${url}`);
let res: Response;
try {
  res = await fetch(`${url}/health?deep=1`, { headers: token ? { authorization: `Bearer ${token}` } : {}, signal: AbortSignal.timeout(30_000) });
} catch (err) {
  fail(`the bridge could not be reached at ${url} (${(err as Error).message})`, "start it with `npm run dev`, or pass the deployed URL: npm run doctor -- --url https://<bridge>");
  process.exit(1);
}
if (res.status === 401) {
  fail(
    token ? "the bridge refused the admin token" : "no admin token to ask the bridge with",
    "ADMIN_TOKEN=<the deployment's ADMIN_TOKEN> npm run doctor -- --url …  (locally: ADMIN_TOKEN in .dev.vars; deployed: npx wrangler secret put ADMIN_TOKEN)",
  );
  process.exit(1);
}
const body = (await res.json().catch(() => null)) as { status?: string; checks?: Check[] } | null;
if (!body?.checks) {
  fail(`the bridge answered ${res.status} without checks`, "deploy this version of the bridge (it serves GET /health?deep=1)");
  process.exit(1);
}
for (const check of body.checks) {
  if (check.ok) pass(`${check.name}: ${check.message}`);
  else fail(`${check.name}: ${check.message}`, check.fix);
}
const failing = body.checks.filter((c) => !c.ok).length;
console.log(failing ? paint(31, `${failing} of ${body.checks.length} checks failed`) : paint(32, `all ${body.checks.length} checks passed`));
process.exit(failing ? 1 : 0);
