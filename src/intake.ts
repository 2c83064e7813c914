import { allowListVerdict } from "./allowlist";
import { splitSecrets, type Config } from "./config";
import { matchesAnySecret } from "./crypto/hmac";
import { decideFollowUp, type FollowUpJob } from "./followup";
import { log } from "./log";
import { capText, cut, MAX_DESCRIPTION_CHARS, stripHidden } from "./prompt";
import type { QueueMessage } from "./queue/messages";
import { pickRoute } from "./routing";
import { sourceSettings } from "./sources/settings";
import type { ParseResult, SourceSettings, TicketComment, TicketSource, WebhookRequest } from "./sources/types";
import type { DeliveryLog } from "./store/deliveries";
import type { TicketRecord, TicketStore } from "./store/tickets";
import type { CreateSessionRequest } from "./devin/client";
import { sessionRequest } from "./workflows/session";
import { instanceIdFor, ticketKey, type TicketEvent, type TicketJob } from "./ticket";

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

// ---- limits ------------------------------------------------------------------------------------

/** Deeper JSON is no tracker's payload; real ones stay under 10 levels. */
export const MAX_JSON_DEPTH = 64;
/**
 * A queue message may be 128 KB (V8-serialised). Budget its JSON at 96 KB of
 * UTF-8, which is never smaller than the V8 form, to leave room for overhead.
 */
export const MAX_QUEUED_BYTES = 96_000;
const MAX_TITLE_CHARS = 2_000;
// Labels only matter for routing, which has already seen them all; the job keeps a readable few.
const MAX_LABELS = 50;
const MAX_LABEL_CHARS = 100;
const MAX_URL_CHARS = 2_000;
const MAX_NAME_CHARS = 512;

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
const encoder = new TextEncoder();

type Json = { ok: true; value: unknown } | { ok: false; reason: string };

function readJson(raw: Uint8Array): Json {
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    return { ok: false, reason: "the body is not valid UTF-8" };
  }
  // Checked on the text, before parsing, so depth never reaches the parser (or the stack of whoever walks the result).
  if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) return { ok: false, reason: `the JSON nests deeper than ${MAX_JSON_DEPTH} levels` };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, reason: "the body is not valid JSON" };
  }
}

/**
 * True when arrays/objects nest deeper than `limit`; brackets inside strings do not count. One pass,
 * jumping with native regex search from one structural character to the next (and over strings
 * whole), so a 64 KiB description costs a few searches rather than a JavaScript loop per character.
 */
export function jsonDepthExceeds(text: string, limit: number): boolean {
  const structural = /["[\]{}]/g;
  const stringEnd = /["\\]/g;
  let depth = 0;
  let i = 0;
  for (;;) {
    structural.lastIndex = i;
    const at = structural.exec(text)?.index;
    if (at === undefined) return false;
    const c = text.charCodeAt(at);
    i = at + 1;
    if (c === 0x22) {
      for (;;) {
        stringEnd.lastIndex = i;
        const end = stringEnd.exec(text)?.index;
        if (end === undefined) return false;
        i = end + 1;
        if (text.charCodeAt(end) === 0x22) break;
        i++; // an escape: skip the escaped character
      }
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else depth--;
  }
}

/**
 * Lone surrogates (`"\ud800"` is valid JSON) become U+FFFD rather than a 400:
 * trackers that cut text by UTF-16 units produce them in honest payloads.
 * Sizes are capped so the job fits a queue message; routing has already seen
 * every label.
 */
/** Lone surrogates become U+FFFD; the common, well-formed text is returned as is, without a copy. */
function wellFormed(text: string): string {
  return text.isWellFormed() ? text : text.toWellFormed();
}

function boundTicket(ticket: TicketEvent): TicketEvent {
  const labels = (list: readonly string[]) => list.slice(0, MAX_LABELS).map((l) => cut(wellFormed(l), MAX_LABEL_CHARS));
  const optional = (text: string | undefined, max: number) => (text === undefined ? undefined : cut(wellFormed(text), max));
  return {
    ...ticket,
    key: wellFormed(ticket.key),
    id: wellFormed(ticket.id),
    title: cut(wellFormed(ticket.title), MAX_TITLE_CHARS),
    // Cut in fitForQueue, from the full text, so the note counts what the ticket really holds.
    description: wellFormed(ticket.description),
    labels: labels(ticket.labels),
    // Routing reads the whole list; only what is queued is capped.
    triggerLabels: ticket.triggerLabels.map((l) => wellFormed(l)),
    url: optional(ticket.url, MAX_URL_CHARS),
    project: optional(ticket.project, MAX_NAME_CHARS),
    author: optional(ticket.author, MAX_NAME_CHARS),
  };
}

/** A follow-up reaches Devin as a message, not through the prompt: hidden text is stripped here. */
function boundComment(comment: TicketComment): TicketComment {
  return {
    ...comment,
    key: wellFormed(comment.key),
    id: wellFormed(comment.id),
    text: capText(stripHidden(comment.text), MAX_DESCRIPTION_CHARS, "comment"),
    author: comment.author === undefined ? undefined : cut(wellFormed(comment.author), MAX_NAME_CHARS),
  };
}

/** The job with its description capped, and cut further if the whole would not fit; `null` when nothing helps. */
function fitForQueue(job: TicketJob): TicketJob | null {
  const full = job.ticket.description;
  const triggerLabels = job.ticket.triggerLabels.slice(0, MAX_LABELS).map((l) => cut(l, MAX_LABEL_CHARS));
  for (let max = MAX_DESCRIPTION_CHARS; max >= 500; max = Math.floor(max / 2)) {
    const fitted: TicketJob = { ...job, ticket: { ...job.ticket, triggerLabels, description: capText(full, max) } };
    const json = JSON.stringify(fitted);
    // A UTF-16 unit is at most 3 bytes of UTF-8: most jobs fit without encoding them to find out.
    if (json.length * 3 <= MAX_QUEUED_BYTES || encoder.encode(json).byteLength <= MAX_QUEUED_BYTES) return fitted;
  }
  return null;
}

function errorName(err: unknown): string {
  return err instanceof Error ? err.name : typeof err;
}
