import { createMiddleware } from "hono/factory";
import { parseConfig } from "../config";
import { ApiError } from "./errors";
import type { AppEnv } from "./types";

/** A misconfigured deployment answers 503 naming the variables, never their values. */
export const requireConfig = createMiddleware<AppEnv>(async (c, next) => {
  const parsed = parseConfig(c.env);
  if (!parsed.ok) {
    throw new ApiError(503, "misconfigured", parsed.error.message, { variables: parsed.error.variables });
  }
  c.set("config", parsed.config);
  await next();
});

/** JSON only: `application/json` or any `+json` type, with or without parameters. */
export const requireJson = createMiddleware<AppEnv>(async (c, next) => {
  const type = (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/json" && !/^application\/[a-z0-9.+-]+\+json$/.test(type)) {
    throw new ApiError(415, "unsupported_media_type", "send the webhook as application/json");
  }
  await next();
});
