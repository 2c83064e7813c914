import { WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from "cloudflare:workers";
import { ackComment, finalComment, pullRequestComment, timeoutComment } from "../comments";
import { loadConfig, secretValues, type Config } from "../config";
import { DevinClient } from "../devin/client";
import { spendGuard, type Reservation } from "../guards/spend-guard";
import { log, redact } from "../log";
import { findSource } from "../sources";
import { sourceSettings } from "../sources/settings";
import { trackerApiFor } from "../sources/tracker-api";
import { TicketStore, type TicketRecord } from "../store/tickets";
import type { TicketEvent, TicketJob } from "../ticket";
import { changed, isFinished, newPullRequests, nextPollDelayMs, snapshotOf, type SessionSnapshot } from "./follow";
import { backoffMs, findOrCreateSession, MAX_ATTEMPTS, type SessionOutcome } from "./session";

export type TicketRunResult =
  | { status: "started"; session_id: string; url: string; created: boolean; outcome: string }
  | { status: "failed"; code: string; reason: string };

type Writer = ((body: string) => Promise<void>) | null;

const WRITE_RETRIES = { retries: { limit: 5, delay: "10 seconds", backoff: "exponential" }, timeout: "1 minute" } as const;

/**
 * One instance per ticket key (the instance id is the exactly-once gate).
 * Each Devin or tracker call is a durable step and waits are durable sleeps,
 * so an outage delays the ticket instead of losing it. Once the session
 * exists: record it, tell the ticket, then follow the session and report its
 * pull requests and outcome.
 */
export class TicketRun extends WorkflowEntrypoint<Env, TicketJob> {
  override async run(event: WorkflowEvent<TicketJob>, step: WorkflowStep): Promise<TicketRunResult> {
    const config = loadConfig(this.env);
    const store = new TicketStore(this.env.TICKETS);
    const devin = new DevinClient(config.devin);
    const job: TicketJob = { ...event.payload, ticket: await this.enrich(event.payload.ticket, config, step) };

    const base = {
      ticket_key: job.ticketKey,
      instance_id: job.instanceId,
      source: job.ticket.source,
      key: job.ticket.key,
      ticket_id: job.ticket.id,
      title: job.ticket.title,
      ticket_url: job.ticket.url,
      label: job.label,
      playbook: job.playbookId,
    };

    await this.reserve(job, config, store, base, step);
    const outcome = await this.findOrCreate(job, config, devin, step);
    const now = new Date().toISOString();

    if (!outcome.ok) {
      // Nothing was started: the place under the spend limit goes back.
      await step.do("release spend", () => spendGuard(this.env).release(job.ticketKey));
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
    await step.do("record session", async () => {
      await store.put(record);
      await store.index(record);
    });
    log("info", created ? "session_created" : "session_found", {
      ticket_key: job.ticketKey,
      session_id: session.session_id,
      playbook: job.playbookId,
    });

    const write = this.writerFor(config, job.ticket);
    await this.comment(step, write, "comment: acknowledge", ackComment(session.url, job.playbookId, job.label), job);
    const final = await this.follow(job, record, config, devin, store, write, step);
    return { status: "started", session_id: session.session_id, url: session.url, created, outcome: final };
  }

  /**
   * Waits, durably, until the spend guard has room for one more session. A
   * deferred ticket is recorded as such and started when the window allows.
   */
  private async reserve(
    job: TicketJob,
    config: Config,
    store: TicketStore,
    base: Omit<TicketRecord, "status" | "created_at" | "updated_at">,
    step: WorkflowStep,
  ): Promise<void> {
    const limits = { perHour: config.spend.perHour, perDay: config.spend.perDay };
    for (let attempt = 1; ; attempt++) {
      const reservation: Reservation = await step.do(`reserve spend #${attempt}`, async () => {
        const r = await spendGuard(this.env).reserve(job.ticketKey, limits);
        return r.ok ? { ok: true as const } : { ok: false as const, retryAtMs: r.retryAtMs, reason: r.reason };
      });
      if (reservation.ok) return;
      const retryAt = new Date(reservation.retryAtMs).toISOString();
      await step.do(`record deferral #${attempt}`, () =>
        store.put({ ...base, status: "deferred", retry_at: retryAt, created_at: job.receivedAt, updated_at: new Date().toISOString() }),
      );
      log("warn", "session_deferred", { ticket_key: job.ticketKey, reason: reservation.reason, retry_at: retryAt });
      await step.sleep(`deferred #${attempt}`, Math.max(60_000, reservation.retryAtMs - Date.now()));
    }
  }

  private async findOrCreate(job: TicketJob, config: Config, devin: DevinClient, step: WorkflowStep): Promise<SessionOutcome> {
    const settings = {
      ticketApiToken: config.ticketApiToken,
      ticketApiDocsUrl: config.ticketApiDocsUrl,
      maxAcuLimit: config.spend.maxAcuLimit,
    };
    let outcome: SessionOutcome | undefined;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      // A retryable failure is returned, not thrown, so the backoff (and Retry-After) is ours to choose.
      outcome = await step.do(
        `find or create session #${attempt}`,
        { retries: { limit: 2, delay: "5 seconds", backoff: "exponential" }, timeout: "2 minutes" },
        () => findOrCreateSession(devin, job, settings),
      );
      if (outcome.ok || !outcome.retryable) return outcome;
      log("warn", "devin_retry", { ticket_key: job.ticketKey, attempt, http_status: outcome.httpStatus, reason: outcome.reason });
      if (attempt < MAX_ATTEMPTS) {
        await step.sleep(`wait before attempt #${attempt + 1}`, backoffMs(attempt, outcome.retryAfterMs));
      }
    }
    return outcome!;
  }

  /**
   * Polls the session until it ends or `FOLLOW_MAX_HOURS` of planned waiting
   * have passed (counted from the schedule, not the clock, so replays agree).
   */
  private async follow(
    job: TicketJob,
    record: TicketRecord,
    config: Config,
    devin: DevinClient,
    store: TicketStore,
    write: Writer,
    step: WorkflowStep,
  ): Promise<string> {
    const sessionId = record.session_id!;
    const reported: string[] = [];
    let last: SessionSnapshot | undefined;
    let quiet = 0;
    let waited = 0;
    for (let poll = 1; waited < config.follow.maxMs; poll++) {
      const delay = nextPollDelayMs(config.follow.intervalMs, quiet);
      await step.sleep(`wait before poll #${poll}`, delay);
      waited += delay;

      let snapshot: SessionSnapshot;
      try {
        snapshot = await step.do(`poll session #${poll}`, WRITE_RETRIES, async () => snapshotOf(await devin.getSession(sessionId)));
      } catch (err) {
        // Devin unreachable for a while: keep following; the next poll may see it.
        log("warn", "poll_failed", { ticket_key: job.ticketKey, session_id: sessionId, error: (err as Error).message });
        quiet++;
        continue;
      }

      for (const pr of newPullRequests(reported, snapshot.pullRequests)) {
        reported.push(pr);
        await this.comment(step, write, `comment: pull request #${reported.length}`, pullRequestComment(pr), job);
      }
      const finished = isFinished(snapshot);
      if (changed(last, snapshot) || finished) {
        quiet = 0;
        const latest: TicketRecord = {
          ...record,
          status: finished ? "finished" : "started",
          session_status: snapshot.status,
          session_status_detail: snapshot.statusDetail,
          pull_requests: snapshot.pullRequests,
          updated_at: new Date().toISOString(),
        };
        await step.do(`record status #${poll}`, () => store.put(latest));
      } else {
        quiet++;
      }
      last = snapshot;

      if (finished) {
        const body = finalComment({ ...snapshot, sessionUrl: record.url ?? "" });
        await this.comment(step, write, "comment: outcome", body, job);
        log("info", "session_finished", { ticket_key: job.ticketKey, session_id: sessionId, status: snapshot.status });
        return snapshot.statusDetail ? `${snapshot.status}/${snapshot.statusDetail}` : snapshot.status;
      }
    }
    if (config.follow.maxMs > 0) {
      await this.comment(step, write, "comment: stopped following", timeoutComment(record.url ?? "", config.follow.maxMs / 3_600_000), job);
    }
    return "not_followed_further";
  }

  /** A failed write-back is logged, never fatal: the session and its record stand. */
  private async comment(step: WorkflowStep, write: Writer, name: string, body: string, job: TicketJob): Promise<void> {
    if (!write) return;
    try {
      await step.do(name, WRITE_RETRIES, () => write(body));
    } catch (err) {
      log("warn", "comment_failed", { ticket_key: job.ticketKey, step: name, error: (err as Error).message });
    }
  }

  private writerFor(config: Config, ticket: TicketEvent): Writer {
    const source = findSource(ticket.source);
    const api = trackerApiFor(config, ticket);
    if (!source?.comment || !api) {
      log("info", "tracker_not_written", {
        source: ticket.source,
        reason: source?.comment ? `no ${ticket.source.toUpperCase()}_BASE_URL or API token` : "the adapter cannot comment",
      });
      return null;
    }
    return (body) => source.comment!(ticket, body, api);
  }

  /** Lets a source complete the ticket (slow calls to the tracker) before the prompt is built. */
  private async enrich(ticket: TicketEvent, config: Config, step: WorkflowStep): Promise<TicketEvent> {
    const source = findSource(ticket.source);
    if (!source?.enrich) return ticket;
    const settings = sourceSettings(config, source.name);
    try {
      const extra = await step.do(
        "enrich ticket",
        { retries: { limit: 3, delay: "5 seconds", backoff: "exponential" }, timeout: "1 minute" },
        () => source.enrich!(ticket, settings),
      );
      return { ...ticket, ...extra };
    } catch (err) {
      // The ticket as the webhook described it is still worth a session.
      log("warn", "enrich_failed", { ticket_key: `${ticket.source}:${ticket.key}`, error: (err as Error).message });
      return ticket;
    }
  }
}
