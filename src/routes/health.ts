import { Hono } from "hono";
import { parseConfig } from "../config";
import type { AppEnv } from "../http/types";

export const health = new Hono<AppEnv>();

/** 200 when the bridge can take tickets; 503 naming the variables that are wrong. */
health.get("/health", (c) => {
  const parsed = parseConfig(c.env);
  if (!parsed.ok) {
    return c.json(
      { status: "misconfigured", error: { code: "misconfigured", message: parsed.error.message, variables: parsed.error.variables } },
      503,
    );
  }
  return c.json({ status: "ok" });
});
