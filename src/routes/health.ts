import { Hono } from "hono";
import { parseConfig } from "../config";
import type { AppEnv } from "../http/types";
import { trackers } from "../trackers";
import { writeBackTarget } from "../trackers/api";

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
  // Which trackers the bridge writes back to, and why not where it does not; base URLs are not shown to anonymous callers.
  const writeBack = Object.fromEntries(
    trackers.map((t) => {
      const target = writeBackTarget(parsed.config, t);
      return [t.id, "baseUrl" in target ? "on" : `off: ${target.reason}`];
    }),
  );
  return c.json({ status: "ok", write_back: writeBack });
});
