import { allowListVerdict } from "./allowlist";
import type { Config } from "./config";
import { matchesAnySecret, sha256Hex } from "./crypto/hmac";
import { decideComment, type FollowUpJob } from "./forward";
import { log } from "./log";
import { boundComment, boundTicket, fitForQueue, readJson } from "./bounds";
import type { QueueMessage, StopJob } from "./queue/messages";
import { pickPlaybook } from "./playbooks";
import { contextFor, trackerConfig, writeBackTarget } from "./trackers/api";
import type { EndFields, Tracker, TrackerContext, TrackerEvent, WebhookRequest } from "./trackers/contract";
import type { TrackerConfig } from "./trackers/settings";
import type { DeliveryLog } from "./store/deliveries";
import { STOPPABLE, type TicketRecord, type TicketStore } from "./store/tickets";
import type { Route } from "./playbooks";
import type { CreateSessionRequest } from "./devin/client";
import { MAX_REASON_CHARS } from "./limits";
import { sessionRequest } from "./session-request";
import { oneLine } from "./text";
import { instanceIdFor, runInstanceId, ticketKey, type TicketComment, type TicketEvent, type TicketJob } from "./ticket";
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
  const payload = readJson(req.raw);
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
    const result = await commentResult(comment, deps);
    if (deps.deliveries && REMEMBERED.has(result.kind)) await rememberDelivery(deps.deliveries, source.id, identity, result, deps.requestId);
    return result;
  }
  // The core, not the tracker, says which tracker a ticket came from.
  const ticket = boundTicket({ ...parsed.ticket, source: source.id, tracker: source.displayName?.(ctx) ?? source.name });
  return ticketResult(ticket, req, settings, deps);
}

/** What a comment asks: a follow-up, a stop, a retry, or nothing. */
async function commentResult(comment: TicketComment, deps: IntakeDeps): Promise<IntakeResult> {
  const decision = await decideComment(comment, deps.config, deps.store, deps.requestId);
  if (decision.kind === "skip") return { kind: "skipped", reason: decision.reason };
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
  return `body:${await sha256Hex(new TextDecoder().decode(raw))}`;
}

async function ticketResult(ticket: TicketEvent, req: WebhookRequest, settings: TrackerConfig, deps: IntakeDeps): Promise<IntakeResult> {
  const outside = allowListVerdict(ticket, settings);
  if (outside) return { kind: "skipped", reason: outside };

  // `?label=devin-autofix` on the webhook URL: the tracker's own rule (a Zammad trigger, a YouTrack
  // workflow, Jira automation) already selected this ticket. The URL is not signed, so it may only
  // choose among the labels the operator listed in `<ID>_URL_LABELS`; anything else is ignored.
  const forced = req.url.searchParams.get("label")?.trim().toLowerCase();
  const chosen = forced && settings.urlLabels.includes(forced) ? [forced] : ticket.triggerLabels;
  const route = pickPlaybook(chosen, deps.config.playbooks);
  if (!route) {
    return { kind: "skipped", reason: `no trigger label (${[...deps.config.playbooks.keys()].join(", ")})` };
  }

  const key = ticketKey(ticket, route.label);
  const instanceId = await instanceIdFor(key);
  const existing = await deps.store.get(instanceId);
  const latest = (await deps.store.findByTicket(ticket.source, ticket.key)) ?? existing;
  if (latest && latest.status !== "failed") {
    // One ticket, one active run, whatever label asked: a second label while it runs is a duplicate.
    if (STOPPABLE.includes(latest.status)) return { kind: "duplicate", record: latest };
    if (latest.label === route.label) {
      // The label added again after a stop asks for a new run; anything else is a redelivery.
      return latest.status === "stopped" ? retry(latest, ticket, deps) : { kind: "duplicate", record: latest };
    }
    // Another label once the run ended: the ticket's next run, on that label's playbook.
    return retry(latest, ticket, deps, route);
  }
  if (existing && existing.status !== "failed") return { kind: "duplicate", record: existing };

  const job = fitForQueue({
    ticketKey: key,
    instanceId,
    ticket,
    label: route.label,
    playbookId: route.playbookId,
    receivedAt: new Date().toISOString(),
    requestId: deps.requestId,
  });
  if (!job) return { kind: "invalid", reason: "the ticket's fields are too large to queue, even with the description cut" };
  if (deps.config.dryRun) {
    // Nothing is queued, so no session starts and no tracker is written to.
    const { ticketApiDocsUrl, spend, mention } = deps.config;
    const tracker = findTracker(ticket.source);
    const target = tracker ? writeBackTarget(deps.config, tracker) : { reason: "unknown tracker" };
    const trackerApiBase = "baseUrl" in target ? target.baseUrl : undefined;
    const request = sessionRequest(job, { ticketApiToken: "[redacted]", ticketApiDocsUrl, trackerApiBase, maxAcuLimit: spend.maxAcuLimit, mention });
    return { kind: "dry_run", job, request, writeBack: trackerApiBase ? { base_url: trackerApiBase } : { reason: (target as { reason: string }).reason } };
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
  const job: StopJob = {
    kind: "stop",
    source: record.source,
    ticketKey: record.ticket_key,
    instanceId: record.instance_id,
    why,
    receivedAt: new Date().toISOString(),
    requestId: deps.requestId,
  };
  await deps.enqueue(job);
  return { kind: "stopping", job };
}

/**
 * The next run of a ticket whose last run ended. Its instance id follows from
 * the run number, so concurrent retries of the same run start it once.
 */
async function retry(previous: TicketRecord, ticket: TicketEvent, deps: IntakeDeps, route?: Route): Promise<IntakeResult> {
  const run = (previous.run ?? 1) + 1;
  const job = fitForQueue({
    ticketKey: previous.ticket_key,
    instanceId: await runInstanceId(previous.ticket_key, run),
    ticket,
    label: route?.label ?? previous.label,
    playbookId: route?.playbookId ?? deps.config.playbooks.get(previous.label) ?? previous.playbook,
    receivedAt: new Date().toISOString(),
    requestId: deps.requestId,
    run,
    previousInstanceId: previous.instance_id,
    previousSessionUrl: previous.url,
  });
  if (!job) return { kind: "invalid", reason: "the ticket's fields are too large to queue, even with the description cut" };
  if (await deps.store.get(job.instanceId)) return { kind: "duplicate", record: previous };
  await deps.enqueue(job);
  return { kind: "accepted", job, retry: true };
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
