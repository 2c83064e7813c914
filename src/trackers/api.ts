import type { Config } from "../config";
import { log } from "../log";
import { findTracker } from ".";
import type { SessionSettings } from "../session-request";
import type { TicketEvent } from "../ticket";
import type { Tracker, TrackerApi, TrackerContext } from "./contract";
import { PROMPT_TOKEN } from "./kit/comment-call";
import { writeBackBase } from "./kit/url";
import { allowHttp, envPrefix, resolveTrackerConfig, type TrackerConfig } from "./settings";

/** A tracker's context for its handlers: its own settings and the operator's base URL. */
export function contextFor(config: Config, tracker: Tracker<any>): TrackerContext {
  const settings = trackerConfig(config, tracker);
  return { settings: settings.own, baseUrl: settings.baseUrl };
}

/** The tracker's resolved settings; a tracker outside the registry (a test's) is resolved on the spot. */
export function trackerConfig(config: Config, tracker: Tracker<any>): TrackerConfig {
  return config.trackers.get(tracker.id) ?? resolveTrackerConfig(tracker, config.env, []);
}

/**
 * Where the tracker's API is called (write-back, enrich): the operator's
 * `<ID>_BASE_URL` (or the tracker's own configured endpoint), never a host the
 * payload names, since the API token travels with it. Otherwise the reason.
 */
function apiTarget(config: Config, tracker: Tracker<any>): { baseUrl: string } | { reason: string } {
  const prefix = envPrefix(tracker.id);
  const settings = trackerConfig(config, tracker);
  const configured = settings.baseUrl ?? tracker.apiBase?.({ settings: settings.own, baseUrl: settings.baseUrl });
  if (!configured) return { reason: `no ${prefix}_BASE_URL` };
  const base = writeBackBase(configured, allowHttp(config.env));
  if (!base) return { reason: `${prefix}_BASE_URL is not https` };
  if (!settings.apiToken) return { reason: `no ${prefix}_API_TOKEN or TICKET_API_TOKEN` };
  return { baseUrl: base };
}

/** Where write-back goes for this tracker, or why it does not (told in /health and on the dry run). */
export function writeBackTarget(config: Config, tracker: Tracker<any>): { baseUrl: string } | { reason: string } {
  return tracker.writeBack ? apiTarget(config, tracker) : { reason: "the tracker cannot be written to" };
}

/** The operator's write-back base for a source, if the bridge writes there: what the prompt points Devin at. */
export function writeBackBaseOf(config: Config, source: string): string | undefined {
  const tracker = findTracker(source);
  const target = tracker && writeBackTarget(config, tracker);
  return target && "baseUrl" in target ? target.baseUrl : undefined;
}

/** The API to write back to a ticket's tracker, or null when the bridge may not write there. */
export function trackerApiFor(config: Config, tracker: Tracker<any>): TrackerApi | null {
  const target = apiTarget(config, tracker);
  const settings = trackerConfig(config, tracker);
  if (!("baseUrl" in target) || !settings.apiToken) return null;
  return { baseUrl: target.baseUrl, token: settings.apiToken, settings: settings.own };
}

/**
 * What the create call needs from the ticket's tracker: the tracker's own token
 * (`<SOURCE>_API_TOKEN`, else `TICKET_API_TOKEN`) as the session secret, and how
 * to comment on this ticket. `TICKET_API_DOCS_URL`, when set, replaces the instruction.
 */
export function sessionSettingsFor(config: Config, ticket: TicketEvent): SessionSettings {
  const tracker = findTracker(ticket.source);
  const settings = tracker ? trackerConfig(config, tracker) : undefined;
  let commentInstruction: string | undefined;
  if (tracker?.commentInstruction && !config.ticketApiDocsUrl) {
    const api = trackerApiFor(config, tracker);
    try {
      commentInstruction = api ? tracker.commentInstruction(ticket, { ...api, token: PROMPT_TOKEN }) : undefined;
    } catch {
      // A ticket without what the call needs (no project id): the generic sentence stays.
      commentInstruction = undefined;
    }
  }
  return {
    ticketApiToken: settings?.apiToken ?? config.ticketApiToken,
    ticketApiDocsUrl: config.ticketApiDocsUrl,
    commentInstruction,
    trackerApiBase: writeBackBaseOf(config, ticket.source),
    maxAcuLimit: config.spend.maxAcuLimit,
    mention: config.mention,
  };
}

/** Writes a note on the ticket through its tracker's API, or null when the bridge may not write there. */
export function noteWriter(config: Config, ticket: TicketEvent): ((body: string) => Promise<void>) | null {
  const tracker = findTracker(ticket.source);
  const api = tracker && trackerApiFor(config, tracker);
  if (!tracker?.writeBack || !api) {
    const target = tracker ? writeBackTarget(config, tracker) : { reason: "unknown tracker" };
    log("info", "tracker_not_written", { source: ticket.source, reason: "reason" in target ? target.reason : "no API token" });
    return null;
  }
  return (body) => tracker.writeBack!(ticket, body, api);
}
