import { WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from "cloudflare:workers";
import { loadConfig, secretValues } from "../config";
import { DevinClient } from "../devin/client";
import { log, redact } from "../log";
import { TicketStore, type TicketRecord } from "../store/tickets";
import { findSource } from "../sources";
import { sourceSettings } from "../sources/settings";
import type { TicketEvent, TicketJob } from "../ticket";
import { backoffMs, findOrCreateSession, MAX_ATTEMPTS, type SessionOutcome } from "./session";

export type TicketRunResult =
  | { status: "started"; session_id: string; url: string; created: boolean }
  | { status: "failed"; code: string; reason: string };

/**
 * One instance per ticket key (the instance id is the exactly-once gate).
 * Each Devin call is a durable step; waits between attempts are durable sleeps,
 * so a Devin outage delays the ticket instead of losing it.
 */
export class TicketRun extends WorkflowEntrypoint<Env, TicketJob> {
  override async run(event: WorkflowEvent<TicketJob>, step: WorkflowStep): Promise<TicketRunResult> {
    let job = event.payload;
    const store = new TicketStore(this.env.TICKETS);
    const config = loadConfig(this.env);
    const devin = new DevinClient(config.devin);
    const settings = { ticketApiToken: config.ticketApiToken, ticketApiDocsUrl: config.ticketApiDocsUrl };

    job = { ...job, ticket: await this.enrich(job.ticket, step) };

    let outcome: SessionOutcome | undefined;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      // A retryable failure is returned, not thrown, so the backoff (and Retry-After) is ours to choose.
      outcome = await step.do(
        `find or create session #${attempt}`,
        { retries: { limit: 2, delay: "5 seconds", backoff: "exponential" }, timeout: "2 minutes" },
        () => findOrCreateSession(devin, job, settings),
      );
      if (outcome.ok || !outcome.retryable) break;
      log("warn", "devin_retry", {
        ticket_key: job.ticketKey,
        attempt,
        http_status: outcome.httpStatus,
        reason: outcome.reason,
      });
      if (attempt < MAX_ATTEMPTS) {
        await step.sleep(`wait before attempt #${attempt + 1}`, backoffMs(attempt, outcome.retryAfterMs));
      }
    }
    if (!outcome) throw new Error("unreachable: no attempt made");

    const now = new Date().toISOString();
    const base = {
      ticket_key: job.ticketKey,
      instance_id: job.instanceId,
      source: job.ticket.source,
      ticket_id: job.ticket.id,
      title: job.ticket.title,
      ticket_url: job.ticket.url,
      label: job.label,
      playbook: job.playbookId,
    };

    if (!outcome.ok) {
      const code = outcome.retryable ? "devin_unavailable" : "devin_rejected";
      const reason = redact(outcome.reason, secretValues(config));
      const record: TicketRecord = {
        ...base,
        status: "failed",
        error: { code, message: reason, http_status: outcome.httpStatus || undefined },
        created_at: job.receivedAt,
        updated_at: now,
      };
      await step.do("record failure", () => store.put(record));
      log("error", "session_failed", { ticket_key: job.ticketKey, code, http_status: outcome.httpStatus, reason });
      return { status: "failed", code, reason };
    }

    const { session, created } = outcome;
    const record: TicketRecord = {
      ...base,
      status: "started",
      session_id: session.session_id,
      url: session.url,
      session_status: session.status,
      created_at: now,
      updated_at: now,
    };
    await step.do("record session", () => store.put(record));
    log("info", created ? "session_created" : "session_found", {
      ticket_key: job.ticketKey,
      session_id: session.session_id,
      playbook: job.playbookId,
    });
    return { status: "started", session_id: session.session_id, url: session.url, created };
  }

  /** Lets a source complete the ticket (slow calls to the tracker) before the prompt is built. */
  private async enrich(ticket: TicketEvent, step: WorkflowStep): Promise<TicketEvent> {
    const source = findSource(ticket.source);
    if (!source?.enrich) return ticket;
    const settings = sourceSettings(loadConfig(this.env), source.name);
    try {
      const extra = await step.do(
        "enrich ticket",
        { retries: { limit: 3, delay: "5 seconds", backoff: "exponential" }, timeout: "1 minute" },
        () => source.enrich!(ticket, settings),
      );
      return { ...ticket, ...extra };
    } catch (err) {
      // The ticket as the webhook described it is still worth a session.
      log("warn", "enrich_failed", { ticket_key: ticket.source + ":" + ticket.key, error: err instanceof Error ? err.message : String(err) });
      return ticket;
    }
  }
}
