import { allowListVerdict, parseAllowList } from "./allowlist";
import type { Config } from "./config";
import { matchesAnySecret, sha256Hex, sha256HexOfBytes } from "./crypto/hmac";
import { decideComment, type FollowUpJob } from "./forward";
import { log } from "./log";
import { boundComment, boundTicket, fitForQueue, readableTicket, readJson } from "./bounds";
import type { QueueMessage, StopJob } from "./queue/messages";
import { pickRoute, triggerLabels, type Route, type RouteQuery } from "./routing";
import { contextFor, sessionSettingsFor, trackerConfig, writeBackTarget } from "./trackers/api";
import type { EndFields, TicketFields, Tracker, TrackerContext, TrackerEvent, WebhookRequest } from "./trackers/contract";
import type { TrackerConfig } from "./trackers/settings";
import type { DeliveryLog } from "./store/deliveries";
import { STOPPABLE, type TicketRecord, type TicketStore } from "./store/tickets";
import type { CreateSessionRequest } from "./devin/client";
import { MAX_REASON_CHARS } from "./limits";
import { sessionRequest } from "./session-request";
import { oneLine } from "./text";
import { nextRunJob, stopJobFor } from "./runs";
import { instanceIdFor, ticketKey, type TicketComment, type TicketEvent, type TicketJob } from "./ticket";
import { findTracker } from "./trackers";

export type IntakeResult =
  | { kind: "unauthorized" }
  | { kind: "invalid"; reason: string }
  | { kind: "skipped"; reason: string }
  | { kind: "duplicate"; record: TicketRecord }
  | { kind: "replayed"; deliveryId: string; ticketKey?: string }
  | { kind: "accepted"; job: TicketJob; retry: boolean }
  | { kind: "forwarded"; job: FollowUpJob }
  | { kind: "stopping"; job: StopJob }
  | { kind: "dry_run"; job: TicketJob; request: CreateSessionRequest; writeBack: { base_url: string } | { reason: string } };

export interface IntakeDeps {
  config: Config;
  store: TicketStore;
  enqueue(message: QueueMessage): Promise<void>;
  /** Delivery ids already handled; without it a replayed delivery is judged afresh. */
  deliveries?: DeliveryLog;
  requestId?: string;
}

/**
 * Outcomes worth remembering. Not `skipped`: judging it again costs nothing and
 * lets an operator redeliver after fixing PLAYBOOKS or an allow-list. Never an
 * error: a delivery that failed must stay retryable.
 */
const REMEMBERED = new Set<IntakeResult["kind"]>(["accepted", "duplicate", "forwarded", "stopping"]);

/**
 * The request path: verify, replay check, parse, allow-lists, route, duplicate
 * check, enqueue. Nothing slow happens here; the session is started by the
 * queue consumer.
 */
export async function intake(
  source: Tracker<any>,
  req: WebhookRequest,
  pathSecret: string | undefined,
  deps: IntakeDeps,
): Promise<IntakeResult> {
  const ctx = contextFor(deps.config, source);
  const settings = trackerConfig(deps.config, source);
  // The body is decoded and parsed once per request, by whichever asks first (see WebhookRequest.json).
  const { raw, headers, url } = req;
  let body: ReturnType<typeof readJson> | undefined;
  req = { raw, headers, url, json: () => (body ??= readJson(raw)) };
  if (!(await authentic(source, req, pathSecret, settings, ctx, deps.requestId))) return { kind: "unauthorized" };

  // Only past this point may the request touch KV: an unauthenticated caller must not read or write it.
  const deliveryId = deliveryIdOf(req.headers, source.deliveryIdHeaders);
  const deliveries = deliveryId ? deps.deliveries : undefined;
  if (deliveryId && deliveries) {
    const seen = await replayOf(deliveries, source.id, deliveryId, deps);
    if (seen) return seen;
  }

  const result = await decide(source, req, ctx, settings, deps);
  if (deliveryId && deliveries && REMEMBERED.has(result.kind)) {
    await rememberDelivery(deliveries, source.id, deliveryId, result, deps.requestId);
  }
  return result;
}

async function authentic(
  source: Tracker<any>,
  req: WebhookRequest,
  pathSecret: string | undefined,
  settings: TrackerConfig,
  ctx: TrackerContext,
  requestId?: string,
): Promise<boolean> {
  try {
    // Senders that cannot sign put a secret in the URL instead: its own `<ID>_URL_SECRET`, never the
    // signing secret, since a URL sits in plain text in the tracker's settings and in request logs.
    if (pathSecret !== undefined) return settings.urlSecrets.length > 0 && (await matchesAnySecret(pathSecret, settings.urlSecrets));
    if (settings.secrets.length === 0) return false;
    return await source.verify(req, settings.secrets, ctx);
  } catch (err) {
    // An adapter that throws on a malformed header has still not authenticated anyone.
    log("error", "adapter_error", { request_id: requestId, source: source.id, stage: "authenticate", error: errorName(err) });
    return false;
  }
}

async function decide(
  source: Tracker<any>,
  req: WebhookRequest,
  ctx: TrackerContext,
  settings: TrackerConfig,
  deps: IntakeDeps,
): Promise<IntakeResult> {
  const payload = req.json ? req.json() : readJson(req.raw);
  if (!payload.ok) return { kind: "invalid", reason: payload.reason };

  let parsed: TrackerEvent;
  try {
    parsed = source.parse(payload.value, req, ctx);
  } catch (err) {
    // Adapters promise not to throw; if one does on odd input, that is still the sender's odd input, not a 500.
    log("error", "adapter_error", { request_id: deps.requestId, source: source.id, stage: "parse", error: errorName(err) });
    return { kind: "invalid", reason: `the body is not a ${source.name} event the bridge can read` };
  }
  // A tracker's reason may quote the payload: the core keeps it to one short line.
  if (parsed.kind === "skip") return { kind: "skipped", reason: oneLine(parsed.reason, MAX_REASON_CHARS) };
  if (parsed.kind === "invalid") return { kind: "invalid", reason: oneLine(parsed.reason, MAX_REASON_CHARS) };
  if (parsed.kind === "ended") return ended(source, parsed.ended, settings, deps);
  if (parsed.kind === "comment") {
    const comment = boundComment({ ...parsed.comment, source: source.id });
    const outside = allowListVerdict({ author: comment.author }, settings);
    if (outside) return { kind: "skipped", reason: outside };
    // Delivery-id headers are not signed: a captured comment re-sent under a new one is still the same comment.
    const identity = await commentIdentity(comment, req.raw);
    if (deps.deliveries) {
      const seen = await replayOf(deps.deliveries, source.id, identity, deps);
      if (seen) return seen;
    }
    const result = await commentResult(source, parsed.comment.ticket, comment, ctx, settings, deps);
    if (deps.deliveries && REMEMBERED.has(result.kind)) await rememberDelivery(deps.deliveries, source.id, identity, result, deps.requestId);
    return result;
  }
  // The core, not the tracker, says which tracker a ticket came from.
  const ticket = boundTicket({ ...parsed.ticket, source: source.id, tracker: source.displayName?.(ctx) ?? source.name });

  // `?label=devin-autofix` on the webhook URL: the tracker's own rule (a Zammad trigger, a YouTrack
  // workflow, Jira automation) already selected this ticket. The URL is not signed, so it may only
  // choose among the labels the operator listed in `<ID>_URL_LABELS`; anything else is ignored.
  const asked = req.url.searchParams.get("label")?.trim().toLowerCase();
  const forcedLabel = asked && settings.urlLabels.includes(asked) ? asked : undefined;
  // An assignment to Devin's user (and no trigger label on the same event) is its own trigger.
  const agents = parseAllowList("ASSIGNEES", deps.config.assignees);
  if (!forcedLabel && ticket.triggerLabels.length === 0 && agents && ticket.assignedTo?.some((a) => agents.allows(a))) {
    const by = allowListVerdict({ project: ticket.project, author: ticket.assignedBy }, settings);
    if (by) return { kind: "skipped", reason: by };
    const route = routeFor(source, ticket, { source: ticket.source, project: ticket.project, kind: "assignment", labels: ticket.labels }, deps.config);
    if (!route) return { kind: "skipped", reason: "no routing rule takes an assignment on this ticket" };
    return start(ticket, route, deps, { kind: "assignment", author: ticket.assignedBy });
  }

  const outside = allowListVerdict({ project: ticket.project, author: ticket.requestedBy ?? ticket.author }, settings);
  if (outside) return { kind: "skipped", reason: outside };

  const query: RouteQuery = { source: ticket.source, project: ticket.project, kind: "label", labels: forcedLabel ? [forcedLabel] : ticket.triggerLabels };
  const route = routeFor(source, ticket, query, deps.config);
  if (!route) {
    return { kind: "skipped", reason: `no trigger label (${triggerLabels(deps.config.routes).join(", ")})` };
  }
  return start(ticket, route, deps);
}

/** What a comment asks: a follow-up, a stop, a retry, a new run (a mention on a ticket without one), or nothing. */
async function commentResult(
  source: Tracker<any>,
  fields: TicketFields | undefined,
  comment: TicketComment,
  ctx: TrackerContext,
  settings: TrackerConfig,
  deps: IntakeDeps,
): Promise<IntakeResult> {
  const decision = await decideComment(comment, deps.config, deps.store, deps.requestId);
  if (decision.kind === "start" && fields) return mentioned(source, fields, comment, ctx, settings, deps);
  if (decision.kind === "skip" || decision.kind === "start") return { kind: "skipped", reason: decision.kind === "skip" ? decision.reason : "this ticket has no Devin session" };
  if (decision.kind === "stop") return stop(decision.record, `${deps.config.mention} stop by ${comment.author ?? "a comment"}`, deps);
  if (decision.kind === "retry") {
    if (!decision.record.ticket) return { kind: "skipped", reason: "this run predates retries: add the trigger label again" };
    return retry(decision.record, decision.record.ticket, deps);
  }
  await deps.enqueue(decision.job);
  return { kind: "forwarded", job: decision.job };
}

/**
 * A comment's identity from the signed body: the tracker's comment id where it
 * sends one (with the text, so an edit that keeps the id is judged afresh), else
 * the signed bytes themselves.
 */
async function commentIdentity(comment: TicketComment, raw: Uint8Array): Promise<string> {
  if (comment.commentId) return `comment:${comment.key}:${comment.commentId}:${(await sha256Hex(comment.text)).slice(0, 16)}`;
  // The hash of the decoded text, without decoding again: the body is valid UTF-8 (readJson said so), so
  // its text encodes back to the same bytes, less a leading byte order mark the decoder drops.
  const bom = raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf;
  return `body:${await sha256HexOfBytes(bom ? raw.subarray(3) : raw)}`;
}

/**
 * A comment mentioning Devin on a ticket without a session starts one, routed
 * as a `mention`; the allow-lists judge the ticket's project and the person who
 * mentioned, and the comment goes into the prompt as reporter text.
 */
async function mentioned(
  source: Tracker<any>,
  fields: TicketFields,
  comment: TicketComment,
  ctx: TrackerContext,
  settings: TrackerConfig,
  deps: IntakeDeps,
): Promise<IntakeResult> {
  const ticket = boundTicket({ ...fields, triggerLabels: [], source: source.id, tracker: source.displayName?.(ctx) ?? source.name });
  const outside = allowListVerdict({ project: ticket.project, author: comment.author }, settings);
  if (outside) return { kind: "skipped", reason: outside };
  const route = routeFor(source, ticket, { source: ticket.source, project: ticket.project, kind: "mention", labels: ticket.labels }, deps.config);
  if (!route) return { kind: "skipped", reason: "no routing rule takes a mention on this ticket" };
  return start(ticket, route, deps, { kind: "mention", author: comment.author, text: comment.text });
}

/** The route with what the ticket itself implies: a code tracker's ticket works in its own repository unless a rule names others. */
function routeFor(source: Tracker<any>, ticket: TicketEvent, query: RouteQuery, config: Config): Route | null {
  const route = pickRoute(query, config.routes);
  if (!route || route.repos || !source.projectIsRepository || !ticket.project) return route;
  return { ...route, repos: [ticket.project] };
}

/** Starts the ticket's run on `route` unless it already has one: the duplicate check, the queue, or a dry run. */
async function start(ticket: TicketEvent, route: Route, deps: IntakeDeps, trigger?: TicketJob["trigger"]): Promise<IntakeResult> {
  const key = ticketKey(ticket, route.label);
  const instanceId = await instanceIdFor(key);
  const existing = await deps.store.get(instanceId);
  const latest = (await deps.store.findByTicket(ticket.source, ticket.key)) ?? existing;
  if (latest && latest.status !== "failed") {
    // One ticket, one active run, whatever label asked: a second label while it runs is a duplicate.
    if (STOPPABLE.includes(latest.status)) return { kind: "duplicate", record: latest };
    if (latest.ticket_key === key) {
      // The label added again after a stop asks for a new run; anything else is a redelivery.
      return latest.status === "stopped" && route.kind === "label" ? retry(latest, ticket, deps) : { kind: "duplicate", record: latest };
    }
    // Another route once the run ended: the ticket's next run, on that route's playbook.
    if (route.kind === "label") return retry(latest, ticket, deps, route);
    return { kind: "duplicate", record: latest };
  }
  if (existing && existing.status !== "failed") return { kind: "duplicate", record: existing };

  const job = fitForQueue({
    ticketKey: key,
    instanceId,
    ticket,
    label: route.label,
    ...(route.playbookId ? { playbookId: route.playbookId } : {}),
    route,
    ...(trigger ? { trigger } : {}),
    receivedAt: new Date().toISOString(),
    requestId: deps.requestId,
  });
  if (!job) return { kind: "invalid", reason: "the ticket's fields are too large to queue, even with the description cut" };
  if (deps.config.dryRun) {
    // Nothing is queued, so no session starts and no tracker is written to.
    const tracker = findTracker(ticket.source);
    const target = tracker ? writeBackTarget(deps.config, tracker) : { reason: "unknown tracker" };
    // What Devin would read: an HTML description converted here, as the workflow would (a dry run is a diagnostic).
    const request = sessionRequest({ ...job, ticket: readableTicket(job.ticket) }, { ...sessionSettingsFor(deps.config, ticket), ticketApiToken: "[redacted]" });
    return { kind: "dry_run", job, request, writeBack: "baseUrl" in target ? { base_url: target.baseUrl } : { reason: target.reason } };
  }
  await deps.enqueue(job);
  return { kind: "accepted", job, retry: existing?.status === "failed" };
}

/** A closed ticket or a removed trigger label stops the ticket's active run, if it has one. */
async function ended(source: Tracker<any>, event: EndFields, settings: TrackerConfig, deps: IntakeDeps): Promise<IntakeResult> {
  const outside = allowListVerdict({ author: event.author }, settings);
  if (outside) return { kind: "skipped", reason: outside };
  const record = await deps.store.findByTicket(source.id, event.key);
  if (!record || !STOPPABLE.includes(record.status)) {
    return { kind: "skipped", reason: event.reason === "closed" ? "the ticket is closed" : "a label was removed; no active run" };
  }
  if (event.reason === "label_removed" && !(event.labels ?? []).some((l) => l.trim().toLowerCase() === record.label)) {
    return { kind: "skipped", reason: "the removed label is not the one this run started from" };
  }
  const by = event.author ? ` by ${event.author}` : "";
  return stop(record, event.reason === "closed" ? `the ticket was closed${by}` : `the label ${record.label} was removed${by}`, deps);
}

async function stop(record: TicketRecord, why: string, deps: IntakeDeps): Promise<IntakeResult> {
  const job = stopJobFor(record, why, deps.requestId);
  await deps.enqueue(job);
  return { kind: "stopping", job };
}

/** The ticket's next run (see {@link nextRunJob}), on `route` when another route asked for it. */
async function retry(previous: TicketRecord, ticket: TicketEvent, deps: IntakeDeps, route?: Route): Promise<IntakeResult> {
  const next = await nextRunJob(previous, ticket, deps, route);
  if (next.kind === "too_large") return { kind: "invalid", reason: "the ticket's fields are too large to queue, even with the description cut" };
  if (next.kind === "exists") return { kind: "duplicate", record: previous };
  await deps.enqueue(next.job);
  return { kind: "accepted", job: next.job, retry: true };
}

// ---- replay ------------------------------------------------------------------------------------

/** The first delivery id among the headers the tracker declares; `X-Request-Id` is never one (proxies mint it per hop). */
export function deliveryIdOf(headers: Headers, names: readonly string[]): string | undefined {
  for (const name of names) {
    const value = headers.get(name)?.trim();
    if (value) return value;
  }
  return undefined;
}

async function replayOf(deliveries: DeliveryLog, source: string, deliveryId: string, deps: IntakeDeps): Promise<IntakeResult | null> {
  try {
    const seen = await deliveries.seen(source, deliveryId);
    if (!seen) return null;
    // A ticket whose run failed is started again when its webhook is redelivered: let that one through.
    if (seen.instance_id && (await deps.store.get(seen.instance_id))?.status === "failed") return null;
    return { kind: "replayed", deliveryId, ticketKey: seen.ticket_key };
  } catch (err) {
    // KV is the fast path only; the workflow's instance id still keeps the ticket to one session.
    log("warn", "delivery_lookup_failed", { request_id: deps.requestId, source, error: errorName(err) });
    return null;
  }
}

async function rememberDelivery(
  deliveries: DeliveryLog,
  source: string,
  deliveryId: string,
  result: IntakeResult,
  requestId?: string,
): Promise<void> {
  const ticket =
    result.kind === "accepted"
      ? { ticket_key: result.job.ticketKey, instance_id: result.job.instanceId }
      : result.kind === "duplicate"
        ? { ticket_key: result.record.ticket_key, instance_id: result.record.instance_id }
        : result.kind === "forwarded"
          ? { ticket_key: result.job.ticketKey }
          : {};
  try {
    await deliveries.remember(source, deliveryId, { decision: result.kind, ...ticket, at: new Date().toISOString() });
  } catch (err) {
    // The event is already queued: failing the request now would only invite a second copy.
    log("warn", "delivery_record_failed", { request_id: requestId, source, error: errorName(err) });
  }
}

function errorName(err: unknown): string {
  return err instanceof Error ? err.name : typeof err;
}
