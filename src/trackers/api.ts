import type { Config } from "../config";
import { log } from "../log";
import { findTracker } from ".";
import type { SessionSettings } from "../session-request";
import type { TicketEvent } from "../ticket";
import type { Tracker, TrackerApi, TrackerContext } from "./contract";
import { PROMPT_TOKEN } from "./kit/comment-call";
import { resolveTrackerConfig, type TrackerConfig } from "./settings";

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
 * The API to write back to a ticket's tracker, or null when the bridge has no
 * base URL and token for it: such a tracker is simply not written to.
 */
export function trackerApiFor(config: Config, tracker: Tracker<any>, ticket: TicketEvent): TrackerApi | null {
  const settings = trackerConfig(config, tracker);
  const base = settings.baseUrl ?? ticket.origin ?? "";
  if (!/^https?:\/\//i.test(base) || !settings.apiToken) return null;
  return { baseUrl: base.replace(/\/+$/, ""), token: settings.apiToken, settings: settings.own };
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
    const api = trackerApiFor(config, tracker, ticket);
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
    maxAcuLimit: config.spend.maxAcuLimit,
    mention: config.mention,
  };
}

/** Writes a note on the ticket through its tracker's API, or null when the bridge may not write there. */
export function noteWriter(config: Config, ticket: TicketEvent): ((body: string) => Promise<void>) | null {
  const tracker = findTracker(ticket.source);
  const api = tracker && trackerApiFor(config, tracker, ticket);
  if (!tracker?.writeBack || !api) {
    log("info", "tracker_not_written", {
      source: ticket.source,
      reason: tracker?.writeBack ? `no ${ticket.source.toUpperCase()}_BASE_URL or API token` : "the tracker cannot be written to",
    });
    return null;
  }
  return (body) => tracker.writeBack!(ticket, body, api);
}
