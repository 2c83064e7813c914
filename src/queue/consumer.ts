import { loadConfig } from "../config";
import { DevinApiError, DevinClient } from "../devin/client";
import { followUpMessage, type FollowUpJob } from "../followup";
import { log } from "../log";
import { TicketStore } from "../store/tickets";
import type { TicketJob } from "../ticket";
import { isFollowUp, type QueueMessage } from "./messages";

/**
 * Starts one TicketRun per ticket. The instance id is derived from the ticket
 * key, so a second create for the same ticket fails with "already exists":
 * that is the exactly-once gate, and the message is done.
 */
export async function consumeTickets(batch: MessageBatch<QueueMessage>, env: Env): Promise<void> {
  const store = new TicketStore(env.TICKETS);
  await Promise.all(
    batch.messages.map(async (message) => {
      const job = message.body;
      try {
        if (isFollowUp(job)) await forward(env, job);
        else {
          const outcome = await startRun(env, store, job);
          log("info", "run_" + outcome, { ticket_key: job.ticketKey, instance_id: job.instanceId, request_id: job.requestId });
        }
        message.ack();
      } catch (err) {
        const delaySeconds = Math.min(300, 5 * 2 ** (message.attempts - 1));
        log("warn", "run_start_retry", {
          ticket_key: job.ticketKey,
          attempts: message.attempts,
          delay_seconds: delaySeconds,
          error: err instanceof Error ? err.message : String(err),
        });
        message.retry({ delaySeconds });
      }
    }),
  );
}

/** Passes a ticket comment on to the ticket's session. A refusal (4xx) is final; an outage is retried. */
async function forward(env: Env, job: FollowUpJob): Promise<void> {
  const devin = new DevinClient(loadConfig(env).devin);
  try {
    await devin.sendMessage(job.sessionId, followUpMessage(job));
    log("info", "followup_forwarded", { ticket_key: job.ticketKey, session_id: job.sessionId, request_id: job.requestId });
  } catch (err) {
    if (err instanceof DevinApiError && !err.retryable) {
      log("error", "followup_rejected", { ticket_key: job.ticketKey, session_id: job.sessionId, http_status: err.status, reason: err.reason });
      return;
    }
    throw err;
  }
}

async function startRun(env: Env, store: TicketStore, job: TicketJob): Promise<"started" | "duplicate" | "restarted"> {
  try {
    await env.TICKET_RUN.create({ id: job.instanceId, params: job });
    return "started";
  } catch (err) {
    // Local workerd also prints this error as "uncaught" although it is caught here: harmless noise.
    if (!isAlreadyExists(err)) throw err;
  }
  // A ticket whose earlier run failed (say, a bad API key since fixed) may be triggered again.
  const record = await store.get(job.instanceId);
  if (record?.status !== "failed") return "duplicate";
  const instance = await env.TICKET_RUN.get(job.instanceId);
  const { status } = await instance.status();
  if (status !== "complete" && status !== "errored" && status !== "terminated") return "duplicate";
  await instance.restart();
  return "restarted";
}

function isAlreadyExists(err: unknown): boolean {
  return err instanceof Error && /already.exists/i.test(err.message);
}

/**
 * Messages that exhausted their retries land here. Record them as failed so
 * they show up for the operator (and can be re-triggered) instead of vanishing.
 */
export async function consumeDeadLetters(batch: MessageBatch<QueueMessage>, env: Env): Promise<void> {
  const store = new TicketStore(env.TICKETS);
  for (const message of batch.messages) {
    const job = message.body;
    if (isFollowUp(job)) {
      log("error", "followup_dead_letter", { ticket_key: job.ticketKey, session_id: job.sessionId });
      message.ack();
      continue;
    }
    const now = new Date().toISOString();
    await store.put({
      ticket_key: job.ticketKey,
      instance_id: job.instanceId,
      source: job.ticket.source,
      ticket_id: job.ticket.id,
      title: job.ticket.title,
      ticket_url: job.ticket.url,
      label: job.label,
      playbook: job.playbookId,
      status: "failed",
      error: { code: "queue_exhausted", message: "the run could not be started after repeated attempts" },
      created_at: job.receivedAt,
      updated_at: now,
    });
    log("error", "dead_letter", { ticket_key: job.ticketKey, instance_id: job.instanceId });
    message.ack();
  }
}
