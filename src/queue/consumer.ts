import { loadConfig, type Config } from "../config";
import { DevinApiError, DevinClient } from "../devin/client";
import { followUpMessage, type FollowUpJob } from "../forward";
import { log } from "../log";
import { stoppedNote } from "../notes";
import { STOPPABLE, TicketStore, type TicketRecord } from "../store/tickets";
import { instanceIdFor, type TicketJob } from "../ticket";
import { noteWriter } from "../trackers/api";
import { kindOf, type QueueMessage, type StopJob } from "./messages";

/**
 * Starts one TicketRun per ticket run, forwards follow-ups and carries out
 * stops. A run's instance id is derived from the ticket key and run number,
 * so a second create for the same run fails with "already exists": that is
 * the exactly-once gate, and the message is done.
 */
export async function consumeTickets(batch: MessageBatch<QueueMessage>, env: Env): Promise<void> {
  const store = new TicketStore(env.TICKETS);
  await Promise.all(
    batch.messages.map(async (message) => {
      const job = message.body;
      try {
        const kind = kindOf(job);
        if (kind === "followup") await forward(env, store, job as FollowUpJob, message.attempts);
        else if (kind === "stop") await stop(env, store, job as StopJob);
        else {
          const run = job as TicketJob;
          const outcome = await startRun(env, store, run);
          log("info", "run_" + outcome, { ticket_key: run.ticketKey, instance_id: run.instanceId, run: run.run ?? 1, request_id: run.requestId });
        }
        message.ack();
      } catch (err) {
        const delaySeconds = Math.min(300, 5 * 2 ** (message.attempts - 1));
        log("warn", "queue_retry", {
          ticket_key: job.ticketKey,
          kind: kindOf(job),
          attempts: message.attempts,
          delay_seconds: delaySeconds,
          error: err instanceof Error ? err.message : String(err),
        });
        message.retry({ delaySeconds });
      }
    }),
  );
}

/**
 * Passes a ticket comment on to the ticket's session (which wakes it if it
 * sleeps). A refusal (4xx) is final; an outage is retried, and a retried
 * delivery first looks whether the message already arrived, so a timeout that
 * hid a success does not send it twice. A run whose following had ended is
 * followed again.
 */
async function forward(env: Env, store: TicketStore, job: FollowUpJob, attempts: number): Promise<void> {
  const config = loadConfig(env);
  const devin = new DevinClient(config.devin);
  const message = followUpMessage(job);
  try {
    const sent = attempts > 1 && (await devin.listMessages(job.sessionId)).items.some((m) => m.source !== "devin" && m.message === message);
    if (!sent) await devin.sendMessage(job.sessionId, message);
    log("info", sent ? "followup_already_sent" : "followup_forwarded", { ticket_key: job.ticketKey, session_id: job.sessionId, request_id: job.requestId });
  } catch (err) {
    if (err instanceof DevinApiError && !err.retryable) {
      log("error", "followup_rejected", { ticket_key: job.ticketKey, session_id: job.sessionId, http_status: err.status, reason: err.reason });
      return;
    }
    throw err;
  }
  if (job.instanceId) await followAgain(env, store, job.instanceId, job.sessionId);
}

/** A woken session whose run stopped following (finished, suspended, waiting for an answer) gets one new follower per wake. */
async function followAgain(env: Env, store: TicketStore, instanceId: string, sessionId: string): Promise<void> {
  const record = await store.get(instanceId);
  if (!record?.ticket || record.session_id !== sessionId || !["finished", "suspended", "waiting"].includes(record.status)) return;
  const wakes = (record.wakes ?? 0) + 1;
  const job: TicketJob = {
    ticketKey: record.ticket_key,
    instanceId,
    ticket: record.ticket,
    label: record.label,
    playbookId: record.playbook,
    receivedAt: new Date().toISOString(),
    run: record.run,
    resume: { sessionId, url: record.url ?? "" },
  };
  try {
    // Concurrent follow-ups see the same count, so they name the same follower: it starts once.
    await env.TICKET_RUN.create({ id: await instanceIdFor(`${instanceId}#wake${wakes}`), params: job });
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
    return;
  }
  await store.put({ ...record, status: "started", wakes, updated_at: new Date().toISOString() });
  log("info", "session_followed_again", { ticket_key: record.ticket_key, session_id: sessionId, wakes });
}

/**
 * Ends the run: the session is terminated (once: a redelivered stop finds the
 * record stopped), its workflow ends, the record says who stopped it, and the
 * ticket is told.
 */
async function stop(env: Env, store: TicketStore, job: StopJob): Promise<void> {
  const config = loadConfig(env);
  const record = await store.get(job.instanceId);
  if (!record || !STOPPABLE.includes(record.status)) return;
  if (record.session_id) {
    try {
      await new DevinClient(config.devin).terminate(record.session_id);
    } catch (err) {
      // 404: the session is gone already, which is what a stop wants.
      if (!(err instanceof DevinApiError) || err.retryable) throw err;
      if (err.status !== 404) {
        log("error", "stop_rejected", { ticket_key: job.ticketKey, session_id: record.session_id, http_status: err.status, reason: err.reason });
        return;
      }
    }
  }
  const stopped: TicketRecord = { ...record, status: "stopped", stopped_by: job.why, updated_at: new Date().toISOString() };
  await store.put(stopped);
  await endWorkflows(env, record);
  log("info", "run_stopped", { ticket_key: job.ticketKey, session_id: record.session_id, why: job.why, request_id: job.requestId });
  await tell(config, stopped, stoppedNote(job.why, record.url, config.mention));
}

/** The run's workflow (and a follower a wake started) stop polling now rather than at their next poll. */
async function endWorkflows(env: Env, record: TicketRecord): Promise<void> {
  const ids = [record.instance_id, ...(record.wakes ? [await instanceIdFor(`${record.instance_id}#wake${record.wakes}`)] : [])];
  for (const id of ids) {
    try {
      await (await env.TICKET_RUN.get(id)).terminate();
    } catch {
      // Already finished, or never started: the record's status stops it at its next poll anyway.
    }
  }
}

async function tell(config: Config, record: TicketRecord, body: string): Promise<void> {
  const write = record.ticket ? noteWriter(config, record.ticket) : null;
  try {
    await write?.(body);
  } catch (err) {
    log("warn", "comment_failed", { ticket_key: record.ticket_key, step: "stop", error: (err as Error).message });
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
 * Messages that exhausted their retries land here. Record tickets as failed so
 * they show up for the operator (and can be re-triggered) instead of vanishing.
 */
export async function consumeDeadLetters(batch: MessageBatch<QueueMessage>, env: Env): Promise<void> {
  const store = new TicketStore(env.TICKETS);
  for (const message of batch.messages) {
    const job = message.body;
    if (kindOf(job) !== "ticket") {
      log("error", `${kindOf(job)}_dead_letter`, { ticket_key: job.ticketKey });
      message.ack();
      continue;
    }
    const run = job as TicketJob;
    const now = new Date().toISOString();
    await store.put({
      ticket_key: run.ticketKey,
      instance_id: run.instanceId,
      source: run.ticket.source,
      key: run.ticket.key,
      ticket_id: run.ticket.id,
      title: run.ticket.title,
      ticket_url: run.ticket.url,
      label: run.label,
      playbook: run.playbookId,
      run: run.run ?? 1,
      ticket: run.ticket,
      status: "failed",
      error: { code: "queue_exhausted", message: "the run could not be started after repeated attempts" },
      created_at: run.receivedAt,
      updated_at: now,
    });
    log("error", "dead_letter", { ticket_key: run.ticketKey, instance_id: run.instanceId });
    message.ack();
  }
}
