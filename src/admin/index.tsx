/** @jsxImportSource hono/jsx */
import { Hono } from "hono";
import { createMiddleware } from "hono/factory";
import { HTTPException } from "hono/http-exception";
import { csrf } from "hono/csrf";
import { secureHeaders } from "hono/secure-headers";
import { parseConfig } from "../config";
import { spendGuard } from "../guards/spend-guard";
import { ApiError } from "../http/errors";
import type { AppEnv } from "../http/types";
import { log } from "../log";
import { nextRunJob, stopJobFor } from "../runs";
import { STOPPABLE, TicketStore, type RunStatus } from "../store/tickets";
import { trackerIds } from "../trackers";
import { endSession, signedIn, startSession, tokenMatches } from "./auth";
import { STATUSES, sourceViews, ticketPage, ticketPath, timeline } from "./data";
import { Configuration, Misconfigured, SignIn, Spend, TicketDetail, TicketList } from "./views";

/** The operator console: server-rendered pages over the ticket records, the spend guard and the settings. */
export const admin = new Hono<AppEnv>();

admin.onError((err, c) => {
  if (err instanceof ApiError) return c.json(err.body(), err.status);
  // Hono's csrf refuses with a bare 403: give it the house shape.
  if (err instanceof HTTPException && err.status === 403) {
    return c.json({ error: { code: "cross_site_request", message: "a form posted from another site is refused" } }, 403);
  }
  log("error", "unhandled", { request_id: c.get("requestId"), error: err.name });
  return c.json({ error: { code: "internal", message: "internal error" } }, 500);
});

admin.use(
  "*",
  secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'none'"],
      styleSrc: ["'unsafe-inline'"],
      imgSrc: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
    },
    referrerPolicy: "same-origin",
  }),
);

// Misconfigured: the page names the variables (as public /health does), never their values.
admin.use("*", async (c, next) => {
  const parsed = parseConfig(c.env);
  if (!parsed.ok) return c.html(<Misconfigured problems={parsed.error.problems} />, 503);
  c.set("config", parsed.config);
  c.header("Cache-Control", "no-store");
  await next();
});

// A browser's form POST must come from the console itself; a script with a bearer token is no browser.
const sameOrigin = csrf();
admin.use("*", async (c, next) => (c.req.header("authorization") ? next() : sameOrigin(c, next)));

admin.get("/login", (c) => c.html(<SignIn disabled={!c.get("config").adminToken} />));

admin.post("/login", async (c) => {
  const token = c.get("config").adminToken;
  const form = await c.req.parseBody();
  const presented = typeof form.token === "string" ? form.token.trim() : undefined;
  // The comparison runs for a missing token too: a wrong token and none look and take the same.
  const ok = token ? await tokenMatches(token, presented) : false;
  if (!ok || !token) {
    log("warn", "admin_sign_in_refused", { request_id: c.get("requestId") });
    return c.html(<SignIn failed disabled={!token} />, 401);
  }
  await startSession(c, token);
  return c.redirect("/admin", 303);
});

admin.post("/logout", (c) => {
  endSession(c);
  return c.redirect("/admin/login", 303);
});

const requireSignIn = createMiddleware<AppEnv>(async (c, next) => {
  const token = c.get("config").adminToken;
  if (!token || !(await signedIn(c, token))) return c.html(<SignIn disabled={!token} />, 401);
  await next();
});
admin.use("*", requireSignIn);

admin.get("/", async (c) => {
  const status = c.req.query("status") || undefined;
  const source = c.req.query("source") || undefined;
  if (status !== undefined && !STATUSES.includes(status as RunStatus)) {
    throw new ApiError(400, "invalid_query", `status must be one of ${STATUSES.join(", ")}`);
  }
  if (source !== undefined && !trackerIds().includes(source)) {
    throw new ApiError(400, "invalid_query", `source must be one of ${trackerIds().join(", ")}`);
  }
  const page = Number.parseInt(c.req.query("page") ?? "1", 10);
  const result = await ticketPage(new TicketStore(c.env.TICKETS), { status: status as RunStatus | undefined, source }, Number.isFinite(page) ? page : 1);
  return c.html(
    <TicketList page={result} status={status as RunStatus | undefined} source={source} sources={trackerIds()} dryRun={c.get("config").dryRun} />,
  );
});

const NOTICES: Record<string, string> = {
  retry: "Retry queued: the next run starts in a moment.",
  stop: "Stop queued: the session is ended in a moment.",
};

// The ticket id may contain slashes (`acme/shop#42`): match the rest of the path.
admin.get("/tickets/:source/:ticket{.+}", async (c) => {
  const { source, ticket } = c.req.param();
  const store = new TicketStore(c.env.TICKETS);
  const record = await store.findByTicket(source, ticket);
  if (!record) throw new ApiError(404, "unknown_ticket", "the bridge has no session for this ticket");
  const runs = await store.runs(record);
  return c.html(
    <TicketDetail
      runs={runs}
      events={timeline(runs)}
      dryRun={c.get("config").dryRun}
      notice={NOTICES[c.req.query("done") ?? ""]}
    />,
  );
});

admin.get("/spend", async (c) => {
  const config = c.get("config");
  const guard = spendGuard(c.env);
  const [usage, days, deferred] = await Promise.all([
    guard.usage(),
    guard.perDay(14),
    ticketPage(new TicketStore(c.env.TICKETS), { status: "deferred" }, 1),
  ]);
  return c.html(<Spend usage={usage} limits={config.spend} days={days} deferred={deferred.records} dryRun={config.dryRun} />);
});

admin.get("/config", (c) => {
  const config = c.get("config");
  return c.html(<Configuration sources={sourceViews(config)} playbooks={[...config.playbooks]} problems={[]} dryRun={config.dryRun} />);
});

/** The run the operator acts on, which must be its ticket's latest: acting on an old run would fork the ticket's history. */
async function latestRun(store: TicketStore, instanceId: string) {
  const record = await store.get(instanceId);
  if (!record) throw new ApiError(404, "unknown_run", "the bridge has no such run");
  const latest = await store.findByTicket(record.source, record.key ?? record.ticket_id);
  if (latest && latest.instance_id !== record.instance_id) {
    throw new ApiError(409, "not_latest_run", `this ticket has a newer run (${latest.run ?? 1}); act on that one`);
  }
  return record;
}

admin.post("/runs/:id/stop", async (c) => {
  const store = new TicketStore(c.env.TICKETS);
  const record = await latestRun(store, c.req.param("id"));
  if (!STOPPABLE.includes(record.status)) throw new ApiError(409, "not_running", `the run is ${record.status}: there is nothing to stop`);
  await c.env.TICKET_QUEUE.send(stopJobFor(record, "stopped from the operator console", c.get("requestId")));
  log("info", "admin_stop", { ticket_key: record.ticket_key, instance_id: record.instance_id, request_id: c.get("requestId") });
  return c.redirect(`${ticketPath(record)}?done=stop`, 303);
});

admin.post("/runs/:id/retry", async (c) => {
  const store = new TicketStore(c.env.TICKETS);
  const record = await latestRun(store, c.req.param("id"));
  if (record.status !== "failed" && record.status !== "stopped") {
    throw new ApiError(409, "not_retryable", `the run is ${record.status}: only a failed or stopped run is retried here`);
  }
  if (!record.ticket) throw new ApiError(409, "not_retryable", "this run predates retries: add the trigger label on the ticket again");
  const next = await nextRunJob(record, record.ticket, { config: c.get("config"), store, requestId: c.get("requestId") });
  if (next.kind === "too_large") throw new ApiError(400, "too_large", "the ticket's fields are too large to queue, even with the description cut");
  if (next.kind === "exists") throw new ApiError(409, "already_retried", "the next run of this ticket exists already");
  await c.env.TICKET_QUEUE.send(next.job);
  log("info", "admin_retry", { ticket_key: record.ticket_key, instance_id: next.job.instanceId, run: next.job.run, request_id: c.get("requestId") });
  return c.redirect(`${ticketPath(record)}?done=retry`, 303);
});
