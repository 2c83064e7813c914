import type { CreateSessionRequest } from "./devin/client";
import { buildPrompt, sessionTitle } from "./prompt";
import type { TicketJob } from "./ticket";

/**
 * The Devin create call for a ticket: what the workflow sends and what a dry
 * run shows (with the secret's value redacted). Domain code: no HTTP, no workflow.
 */
export const BRIDGE_TAG = "devin-ticket-bridge";

/** The tag that finds this ticket's session again: derived from the ticket key, short and tag-safe. */
export function sessionTag(job: Pick<TicketJob, "instanceId">): string {
  return `ticket:${job.instanceId}`;
}

export interface SessionSettings {
  ticketApiToken: string;
  ticketApiDocsUrl?: string;
  /** The operator's write-back base for the ticket's tracker, if any: the API Devin is pointed at. */
  trackerApiBase?: string;
  maxAcuLimit?: number;
  /** The word that reaches Devin from the ticket: Devin must not write it itself. */
  mention?: string;
}

/** The create call for a ticket: also what a dry run shows (with the secret's value redacted). */
export function sessionRequest(job: TicketJob, settings: SessionSettings): CreateSessionRequest {
  return {
    prompt: buildPrompt(job.ticket, {
      ticketApiDocsUrl: settings.ticketApiDocsUrl,
      trackerApiBase: settings.trackerApiBase,
      mention: settings.mention,
      previousSessionUrl: job.previousSessionUrl,
      run: job.run,
    }),
    title: sessionTitle(job.ticket),
    playbook_id: job.playbookId,
    tags: [BRIDGE_TAG, sessionTag(job), `source:${job.ticket.source}`],
    session_secrets: [{ key: "TICKET_API_TOKEN", value: settings.ticketApiToken, sensitive: true }],
    ...(settings.maxAcuLimit ? { max_acu_limit: settings.maxAcuLimit } : {}),
  };
}

