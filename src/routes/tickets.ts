import { Hono } from "hono";
import { createMiddleware } from "hono/factory";
import { matchesAnySecret } from "../crypto/hmac";
import { DevinApiError, DevinClient } from "../devin/client";
import { ApiError } from "../http/errors";
import { requireConfig } from "../http/middleware";
import type { AppEnv } from "../http/types";
import { TicketStore, type RunStatus } from "../store/tickets";

/** Operator endpoints: what happened to a ticket, and which tickets failed. Bearer ADMIN_TOKEN only. */
export const tickets = new Hono<AppEnv>();

const requireAdmin = createMiddleware<AppEnv>(async (c, next) => {
  const token = c.get("config").adminToken;
  const presented = c.req.header("authorization")?.match(/^Bearer\s+(.+)$/i)?.[1]?.trim();
  if (!token || !presented || !(await matchesAnySecret(presented, [token]))) {
    throw new ApiError(401, "unauthorized", token ? "a valid Authorization: Bearer <ADMIN_TOKEN> is required" : "set ADMIN_TOKEN to enable the status endpoints");
  }
  await next();
});

tickets.use("*", requireConfig, requireAdmin);

const STATUSES: readonly RunStatus[] = ["deferred", "started", "failed", "finished"];

tickets.get("/", async (c) => {
  const status = c.req.query("status");
  if (status !== undefined && !STATUSES.includes(status as RunStatus)) {
    throw new ApiError(400, "invalid_query", `status must be one of ${STATUSES.join(", ")}`);
  }
  const page = await new TicketStore(c.env.TICKETS).list(status as RunStatus | undefined, c.req.query("cursor"));
  return c.json({ tickets: page.records, ...(page.cursor ? { cursor: page.cursor } : {}) });
});

// The ticket id may contain slashes (`acme/shop#42`): match the rest of the path.
tickets.get("/:source/:ticket{.+}", async (c) => {
  const { source, ticket } = c.req.param();
  const record = await new TicketStore(c.env.TICKETS).findByTicket(source, ticket);
  if (!record) throw new ApiError(404, "unknown_ticket", "the bridge has no session for this ticket");
  if (!record.session_id) return c.json({ ticket: record });
  try {
    const live = await new DevinClient({ ...c.get("config").devin, timeoutMs: 5_000 }).getSession(record.session_id);
    return c.json({
      ticket: record,
      session: { status: live.status, status_detail: live.status_detail, pull_requests: live.pull_requests ?? [], url: live.url },
    });
  } catch (err) {
    // The record is still worth showing when Devin cannot be asked.
    const reason = err instanceof DevinApiError ? err.message : "Devin could not be reached";
    return c.json({ ticket: record, session_error: reason });
  }
});
