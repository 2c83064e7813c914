import { Hono, type Context } from "hono";
import { parseConfig } from "../config";
import { matchesAnySecret } from "../crypto/hmac";
import { deepChecks } from "../doctor/checks";
import type { AppEnv } from "../http/types";

export const health = new Hono<AppEnv>();

/** 200 when the bridge can take tickets; 503 naming the variables that are wrong. `?deep=1`: see {@link deepHealth}. */
health.get("/health", async (c) => {
  if (c.req.query("deep") !== undefined) return deepHealth(c);
  const parsed = parseConfig(c.env);
  if (!parsed.ok) {
    return c.json(
      { status: "misconfigured", error: { code: "misconfigured", message: parsed.error.message, variables: parsed.error.variables } },
      503,
    );
  }
  return c.json({ status: "ok", ...(parsed.config.dryRun ? { dry_run: true } : {}) });
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
