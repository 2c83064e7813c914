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

const STATUSES: readonly RunStatus[] = ["deferred", "started", "waiting", "suspended", "finished", "failed", "stopped"];

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
  const store = new TicketStore(c.env.TICKETS);
  const record = await store.findByTicket(source, ticket);
  if (!record) throw new ApiError(404, "unknown_ticket", "the bridge has no session for this ticket");
  // Every run, newest first; the ticket's own text stays out of the answer (it is the reporter's, and long).
  const runs = (await store.runs(record)).map(({ ticket: _t, ...run }) => run);
  const { ticket: _t, ...latest } = record;
  if (!record.session_id) return c.json({ ticket: latest, runs });
  try {
    const live = await new DevinClient({ ...c.get("config").devin, timeoutMs: 5_000 }).getSession(record.session_id);
    return c.json({
      ticket: latest,
      runs,
      session: { status: live.status, status_detail: live.status_detail, pull_requests: live.pull_requests ?? [], url: live.url },
    });
  } catch (err) {
    // The record is still worth showing when Devin cannot be asked.
    const reason = err instanceof DevinApiError ? err.message : "Devin could not be reached";
    return c.json({ ticket: latest, runs, session_error: reason });
  }
});
