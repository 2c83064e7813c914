import { splitSecrets, type Config } from "./config";
import { matchesAnySecret } from "./crypto/hmac";
import { pickRoute } from "./routing";
import { sourceSettings } from "./sources/settings";
import type { TicketSource, WebhookRequest } from "./sources/types";
import type { TicketRecord, TicketStore } from "./store/tickets";
import { instanceIdFor, ticketKey, type TicketJob } from "./ticket";

export type IntakeResult =
  | { kind: "unauthorized" }
  | { kind: "invalid"; reason: string }
  | { kind: "skipped"; reason: string }
  | { kind: "duplicate"; record: TicketRecord }
  | { kind: "accepted"; job: TicketJob; retry: boolean };

export interface IntakeDeps {
  config: Config;
  store: TicketStore;
  enqueue(job: TicketJob): Promise<void>;
  requestId?: string;
}

/**
 * The request path: verify, parse, route, duplicate check, enqueue. Nothing
 * slow happens here; the session is started by the queue consumer.
 */
export async function intake(
  source: TicketSource,
  req: WebhookRequest,
  pathSecret: string | undefined,
  deps: IntakeDeps,
): Promise<IntakeResult> {
  const settings = sourceSettings(deps.config, source.name);
  const secrets = splitSecrets(settings.get("WEBHOOK_SECRET") ?? "");
  if (secrets.length === 0) return { kind: "unauthorized" };
  // Senders that cannot sign put the secret in the URL instead; that form works for every source.
  const authentic =
    pathSecret !== undefined ? await matchesAnySecret(pathSecret, secrets) : await source.authenticate(req, secrets, settings);
  if (!authentic) return { kind: "unauthorized" };

  const payload = parseJson(req.raw);
  if (payload === INVALID) return { kind: "invalid", reason: "body is not valid UTF-8 JSON" };

  const parsed = source.parse(payload, req, settings);
  if (parsed.kind !== "ticket") return parsed.kind === "skip" ? { kind: "skipped", reason: parsed.reason } : parsed;
  const { ticket } = parsed;

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

  const job: TicketJob = {
    ticketKey: key,
    instanceId,
    ticket,
    label: route.label,
    playbookId: route.playbookId,
    receivedAt: new Date().toISOString(),
    requestId: deps.requestId,
  };
  await deps.enqueue(job);
  return { kind: "accepted", job, retry: existing?.status === "failed" };
}

const INVALID = Symbol("invalid");
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

function parseJson(raw: Uint8Array): unknown {
  try {
    return JSON.parse(utf8.decode(raw));
  } catch {
    // Malformed UTF-8, malformed JSON, or nesting deep enough to exhaust the stack: all the sender's fault.
    return INVALID;
  }
}
