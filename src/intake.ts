import { allowListVerdict } from "./allowlist";
import { splitSecrets, type Config } from "./config";
import { matchesAnySecret } from "./crypto/hmac";
import { decideFollowUp, type FollowUpJob } from "./followup";
import { log } from "./log";
import { boundComment, boundTicket, fitForQueue, readJson } from "./bounds";
import type { QueueMessage } from "./queue/messages";
import { pickRoute } from "./routing";
import { sourceSettings } from "./sources/settings";
import type { ParseResult, SourceSettings, TicketSource, WebhookRequest } from "./sources/types";
import type { DeliveryLog } from "./store/deliveries";
import type { TicketRecord, TicketStore } from "./store/tickets";
import type { CreateSessionRequest } from "./devin/client";
import { sessionRequest } from "./workflows/session";
import { instanceIdFor, ticketKey, type TicketJob } from "./ticket";

export type IntakeResult =
  | { kind: "unauthorized" }
  | { kind: "invalid"; reason: string }
  | { kind: "skipped"; reason: string }
  | { kind: "duplicate"; record: TicketRecord }
  | { kind: "replayed"; deliveryId: string; ticketKey?: string }
  | { kind: "accepted"; job: TicketJob; retry: boolean }
  | { kind: "forwarded"; job: FollowUpJob }
  | { kind: "dry_run"; job: TicketJob; request: CreateSessionRequest };

export interface IntakeDeps {
  config: Config;
  store: TicketStore;
  enqueue(message: QueueMessage): Promise<void>;
  /** Delivery ids already handled; without it a replayed delivery is judged afresh. */
  deliveries?: DeliveryLog;
  requestId?: string;
}

/**
 * Headers naming one delivery, stable across the sender's own retries, most
 * specific first. `X-Request-Id` is not one: proxies mint it per hop.
 */
export const DELIVERY_ID_HEADERS = [
  "x-github-delivery",
  "x-gitea-delivery",
  "x-forgejo-delivery",
  "idempotency-key", // GitLab 17.4+: unchanged on retries and manual resends
  "x-gitlab-event-uuid",
  "x-zammad-delivery",
  "x-atlassian-webhook-identifier",
  "x-plane-delivery", // new per attempt: catches a copied request, not Plane's own retries
  "webhook-id", // Standard Webhooks (GitLab 19 signing tokens)
] as const;

/**
 * Outcomes worth remembering. Not `skipped`: judging it again costs nothing and
 * lets an operator redeliver after fixing PLAYBOOKS or an allow-list. Never an
 * error: a delivery that failed must stay retryable.
 */
const REMEMBERED = new Set<IntakeResult["kind"]>(["accepted", "duplicate", "forwarded"]);

/**
 * The request path: verify, replay check, parse, allow-lists, route, duplicate
 * check, enqueue. Nothing slow happens here; the session is started by the
 * queue consumer.
 */
export async function intake(
  source: TicketSource,
  req: WebhookRequest,
  pathSecret: string | undefined,
  deps: IntakeDeps,
): Promise<IntakeResult> {
  const settings = sourceSettings(deps.config, source.name);
  if (!(await authentic(source, req, pathSecret, settings, deps.requestId))) return { kind: "unauthorized" };

  // Only past this point may the request touch KV: an unauthenticated caller must not read or write it.
  const deliveryId = deliveryIdOf(req.headers);
  const deliveries = deliveryId ? deps.deliveries : undefined;
  if (deliveryId && deliveries) {
    const seen = await replayOf(deliveries, source.name, deliveryId, deps);
    if (seen) return seen;
  }

  const result = await decide(source, req, settings, deps);
  if (deliveryId && deliveries && REMEMBERED.has(result.kind)) {
    await rememberDelivery(deliveries, source.name, deliveryId, result, deps.requestId);
  }
  return result;
}

async function authentic(
  source: TicketSource,
  req: WebhookRequest,
  pathSecret: string | undefined,
  settings: SourceSettings,
  requestId?: string,
): Promise<boolean> {
  const secrets = splitSecrets(settings.get("WEBHOOK_SECRET") ?? "");
  if (secrets.length === 0) return false;
  try {
    // Senders that cannot sign put the secret in the URL instead; that form works for every source.
    return pathSecret !== undefined ? await matchesAnySecret(pathSecret, secrets) : await source.authenticate(req, secrets, settings);
  } catch (err) {
    // An adapter that throws on a malformed header has still not authenticated anyone.
    log("error", "adapter_error", { request_id: requestId, source: source.name, stage: "authenticate", error: errorName(err) });
    return false;
  }
}

async function decide(source: TicketSource, req: WebhookRequest, settings: SourceSettings, deps: IntakeDeps): Promise<IntakeResult> {
  const payload = readJson(req.raw);
  if (!payload.ok) return { kind: "invalid", reason: payload.reason };

  let parsed: ParseResult;
  try {
    parsed = source.parse(payload.value, req, settings);
  } catch (err) {
    // Adapters promise not to throw; if one does on odd input, that is still the sender's odd input, not a 500.
    log("error", "adapter_error", { request_id: deps.requestId, source: source.name, stage: "parse", error: errorName(err) });
    return { kind: "invalid", reason: `the body is not a ${source.tracker} event the bridge can read` };
  }
  if (parsed.kind === "skip") return { kind: "skipped", reason: parsed.reason };
  if (parsed.kind === "invalid") return parsed;
  if (parsed.kind === "comment") {
    const comment = boundComment(parsed.comment);
    const outside = allowListVerdict({ author: comment.author }, settings);
    if (outside) return { kind: "skipped", reason: outside };
    const decision = await decideFollowUp(comment, deps.config, deps.store, deps.requestId);
    if (decision.kind === "skip") return { kind: "skipped", reason: decision.reason };
    await deps.enqueue(decision.job);
    return { kind: "forwarded", job: decision.job };
  }
  const ticket = boundTicket(parsed.ticket);

  const outside = allowListVerdict(ticket, settings);
  if (outside) return { kind: "skipped", reason: outside };

  // `?label=devin-autofix` on the webhook URL: the tracker's own rule (a Zammad trigger,
  // a YouTrack workflow, Jira automation) already selected this ticket for that route.
  const forced = req.url.searchParams.get("label")?.trim();
  const route = pickRoute(forced ? [forced] : ticket.triggerLabels, deps.config.playbooks);
  if (!route) {
    return { kind: "skipped", reason: `no trigger label (${[...deps.config.playbooks.keys()].join(", ")})` };
  }

  const key = ticketKey(ticket, route.label);
  const instanceId = await instanceIdFor(key);
  const existing = await deps.store.get(instanceId);
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
    const { ticketApiDocsUrl, spend } = deps.config;
    return { kind: "dry_run", job, request: sessionRequest(job, { ticketApiToken: "[redacted]", ticketApiDocsUrl, maxAcuLimit: spend.maxAcuLimit }) };
  }
  await deps.enqueue(job);
  return { kind: "accepted", job, retry: existing?.status === "failed" };
}

// ---- replay ------------------------------------------------------------------------------------

export function deliveryIdOf(headers: Headers): string | undefined {
  for (const name of DELIVERY_ID_HEADERS) {
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
