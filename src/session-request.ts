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
  /** How to comment on this ticket, from its tracker (method, URL, header, body). */
  commentInstruction?: string;
  /** `MAX_ACU_LIMIT`: the default, and the ceiling a rule's own cap cannot exceed. */
  maxAcuLimit?: number;
  /** The word that reaches Devin from the ticket: Devin must not write it itself. */
  mention?: string;
}

/** The create call for a ticket: also what a dry run shows (with the secret's value redacted). */
export function sessionRequest(job: TicketJob, settings: SessionSettings): CreateSessionRequest {
  const route = job.route;
  const acu = [route?.maxAcuLimit, settings.maxAcuLimit].filter((n): n is number => typeof n === "number" && n > 0);
  return {
    prompt: buildPrompt(job.ticket, {
      ticketApiDocsUrl: settings.ticketApiDocsUrl,
      commentInstruction: settings.commentInstruction,
      trackerApiBase: settings.trackerApiBase,
      mention: settings.mention,
      previousSessionUrl: job.previousSessionUrl,
      run: job.run,
      repos: route?.repos,
      preamble: route?.preamble,
      trigger: job.trigger,
    }),
    title: sessionTitle(job.ticket),
    ...(job.playbookId ? { playbook_id: job.playbookId } : {}),
    // The bridge's own tags first: a rule's extra tags may be cut at Devin's 50, never the one that finds the session.
    tags: [...new Set([BRIDGE_TAG, sessionTag(job), `source:${job.ticket.source}`, ...(route?.tags ?? [])])].slice(0, 50),
    ...(route?.repos?.length ? { repos: route.repos } : {}),
    ...(route?.knowledgeIds ? { knowledge_ids: route.knowledgeIds } : {}),
    ...(route?.secretIds ? { secret_ids: route.secretIds } : {}),
    session_secrets: [{ key: "TICKET_API_TOKEN", value: settings.ticketApiToken, sensitive: true }],
    ...(acu.length ? { max_acu_limit: Math.min(...acu) } : {}),
  };
}
