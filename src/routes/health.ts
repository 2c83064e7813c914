import { Hono } from "hono";
import { parseConfig } from "../config";
import type { AppEnv } from "../http/types";
import { describeRules } from "../routing";
import { matchesAnySecret } from "../crypto/hmac";

export const health = new Hono<AppEnv>();

/** 200 when the bridge can take tickets; 503 naming the variables that are wrong. */
health.get("/health", async (c) => {
  const parsed = parseConfig(c.env);
  if (!parsed.ok) {
    return c.json(
      { status: "misconfigured", error: { code: "misconfigured", message: parsed.error.message, variables: parsed.error.variables } },
      503,
    );
  }
  // The effective rules are the operator's to see: with the admin token only, and never a secret (rules hold none).
  const admin = parsed.config.adminToken;
  const given = c.req.header("authorization")?.match(/^Bearer\s+(.+)$/i)?.[1]?.trim();
  if (admin && given && (await matchesAnySecret(given, [admin]))) {
    return c.json({ status: "ok", routes: describeRules(parsed.config.routes), assignees: parsed.config.assignees ?? null, mention: parsed.config.mention });
  }
  return c.json({ status: "ok" });
});
