import { Hono, type Context } from "hono";
import { parseConfig } from "../config";
import { matchesAnySecret } from "../crypto/hmac";
import { deepChecks } from "../doctor/checks";
import type { AppEnv } from "../http/types";
import { describeRules } from "../routing";
import { trackers } from "../trackers";
import { writeBackTarget } from "../trackers/api";

export const health = new Hono<AppEnv>();

/**
 * 200 when the bridge can take tickets; 503 naming the variables that are wrong. With the admin
 * token, also the effective routing rules. `?deep=1`: see {@link deepHealth}.
 */
health.get("/health", async (c) => {
  if (c.req.query("deep") !== undefined) return deepHealth(c);
  const parsed = parseConfig(c.env);
  if (!parsed.ok) {
    return c.json(
      { status: "misconfigured", error: { code: "misconfigured", message: parsed.error.message, variables: parsed.error.variables } },
      503,
    );
  }
  // Which trackers the bridge writes back to, and why not where it does not; base URLs are not shown to anonymous callers.
  const writeBack = Object.fromEntries(
    trackers.map((t) => {
      const target = writeBackTarget(parsed.config, t);
      return [t.id, "baseUrl" in target ? "on" : `off: ${target.reason}`];
    }),
  );
  const status = { status: "ok", ...(parsed.config.dryRun ? { dry_run: true } : {}), write_back: writeBack };
  // The effective rules are the operator's to see: with the admin token only, and never a secret (rules hold none).
  const admin = parsed.config.adminToken;
  const given = c.req.header("authorization")?.match(/^Bearer\s+(.+)$/i)?.[1]?.trim();
  if (admin && given && (await matchesAnySecret(given, [admin]))) {
    return c.json({ ...status, routes: describeRules(parsed.config.routes), assignees: parsed.config.assignees ?? null, mention: parsed.config.mention });
  }
  return c.json(status);
});

/**
 * What `npm run doctor` reads: every check in words, run where the secrets are.
 * Admin only; the token is read from env directly so a misconfigured bridge can still be diagnosed.
 */
async function deepHealth(c: Context<AppEnv>) {
  const raw = (c.env as unknown as Record<string, unknown>).ADMIN_TOKEN;
  const token = typeof raw === "string" && raw.trim().length >= 16 ? raw.trim() : undefined;
  const presented = c.req.header("authorization")?.match(/^Bearer\s+(.+)$/i)?.[1]?.trim();
  if (!token || !(await matchesAnySecret(presented ?? "", [token]))) {
    return c.json(
      { error: { code: "unauthorized", message: token ? "a valid Authorization: Bearer <ADMIN_TOKEN> is required" : "set ADMIN_TOKEN to enable /health?deep=1" } },
      401,
    );
  }
  const checks = await deepChecks(c.env);
  const ok = checks.every((check) => check.ok);
  return c.json({ status: ok ? "ok" : "failing", checks }, ok ? 200 : 503);
}
