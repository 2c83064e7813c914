import { WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from "cloudflare:workers";
import { boundTicket, readableTicket } from "../bounds";
import { loadConfig, secretValues, type Config } from "../config";
import { DevinClient } from "../devin/client";
import { spendGuard, type Reservation, type SpendScope } from "../guards/spend-guard";
import { log, redact } from "../log";
import { ackNote, devinSaysNote, isBridgeNote, outcomeNote, pullRequestNote, timeoutNote } from "../notes";
import { TicketStore, type RunStatus, type TicketRecord } from "../store/tickets";
import { findTracker } from "../trackers";
import { noteWriter, sessionSettingsFor, trackerApiFor, trackerConfig } from "../trackers/api";
import { spendKey, type TicketEvent, type TicketJob } from "../ticket";
import { changed, isEnd, newPullRequests, nextPollDelayMs, phaseOf, snapshotOf, type Phase, type SessionSnapshot } from "./poll";
import { backoffMs, findOrCreateSession, MAX_ATTEMPTS, type SessionOutcome } from "./session";

export type TicketRunResult =
  | { status: "started"; session_id: string; url: string; created: boolean; outcome: string }
  | { status: "failed"; code: string; reason: string };

type Writer = ReturnType<typeof noteWriter>;

const WRITE_RETRIES = { retries: { limit: 5, delay: "10 seconds", backoff: "exponential" }, timeout: "1 minute" } as const;

/** Record status for each phase of a followed session. */
const STATUS_OF: Record<Phase, RunStatus> = {
  working: "started",
  waiting_for_user: "waiting",
  waiting_for_approval: "waiting",
  review: "finished",
  finished: "finished",
  suspended: "suspended",
  error: "finished",
};

/**
 * One instance per ticket run (the instance id is the exactly-once gate).
 * Each Devin or tracker call is a durable step and waits are durable sleeps,
 * so an outage delays the ticket instead of losing it. Once the session
 * exists: record it, tell the ticket, then follow the session: its pull
 * requests, Devin's questions, and how it ended. A job with `resume` follows a
 * session a follow-up woke, without starting anything.
 */
export class TicketRun extends WorkflowEntrypoint<Env, TicketJob> {
  override async run(event: WorkflowEvent<TicketJob>, step: WorkflowStep): Promise<TicketRunResult> {
    const config = loadConfig(this.env);
    const store = new TicketStore(this.env.TICKETS);
    const devin = new DevinClient(config.devin);
    if (event.payload.resume) return this.resume(event.payload, config, devin, store, step);

    // The ticket as Devin reads it: enriched, and an HTML description turned into text (never on the request path).
    const job: TicketJob = { ...event.payload, ticket: readableTicket(await this.enrich(event.payload.ticket, config, step)) };
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
      ...(job.route ? { route: job.route } : {}),
      run: job.run ?? 1,
      previous_instance_id: job.previousInstanceId,
      ticket: job.ticket,
    };

    await this.reserve(job, config, store, base, step);
    const outcome = await this.findOrCreate(job, config, devin, step);
    const now = new Date().toISOString();

    if (!outcome.ok) {
      // Nothing was started: the place under the spend limit goes back.
      await step.do("release spend", () => spendGuard(this.env).release(spendKey(job)));
      const code = outcome.retryable ? "devin_unavailable" : "devin_rejected";
      const reason = redact(outcome.reason, secretValues(config));
      const record: TicketRecord = {
        ...base,
        status: "failed",
        error: { code, message: reason, http_status: outcome.httpStatus || undefined },
        created_at: job.receivedAt,
        updated_at: now,
      };
      await step.do("record failure", async () => {
        await store.put(record);
        await store.index(record);
      });
      log("error", "session_failed", { ticket_key: job.ticketKey, run: base.run, code, http_status: outcome.httpStatus, reason });
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
      run: base.run,
      session_id: session.session_id,
      playbook: job.playbookId,
    });

    const write = this.writerFor(config, job.ticket);
    await this.note(step, write, "comment: acknowledge", ackNote(session.url, job.playbookId, job.label, config.mention, base.run), job);
    const final = await this.follow(job, record, config, devin, store, write, step);
    return { status: "started", session_id: session.session_id, url: session.url, created, outcome: final };
  }

  /** A follow-up woke a session whose run had ended: follow it again, from what was already reported. */
  private async resume(job: TicketJob, config: Config, devin: DevinClient, store: TicketStore, step: WorkflowStep): Promise<TicketRunResult> {
    const { sessionId, url } = job.resume!;
    const record = await step.do("read record", async () => (await store.get(job.instanceId)) ?? null);
    if (!record || record.status === "stopped") return { status: "started", session_id: sessionId, url, created: false, outcome: "not_followed" };
    log("info", "follower_started", { ticket_key: job.ticketKey, session_id: sessionId, wakes: record.wakes });
    const final = await this.follow(job, record, config, devin, store, this.writerFor(config, job.ticket), step);
    return { status: "started", session_id: sessionId, url, created: false, outcome: final };
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
    const limits = { perHour: config.spend.perHour, perDay: config.spend.perDay, scopes: spendScopes(config, job) };
    for (let attempt = 1; ; attempt++) {
      const reservation: Reservation = await step.do(`reserve spend #${attempt}`, async () => {
        const r = await spendGuard(this.env).reserve(spendKey(job), limits);
        return r.ok ? { ok: true as const } : { ok: false as const, retryAtMs: r.retryAtMs, reason: r.reason };
      });
      if (reservation.ok) return;
      const retryAt = new Date(reservation.retryAtMs).toISOString();
      await step.do(`record deferral #${attempt}`, async () => {
        const deferred: TicketRecord = { ...base, status: "deferred", retry_at: retryAt, created_at: job.receivedAt, updated_at: new Date().toISOString() };
        await store.put(deferred);
        // Findable by its ticket id while it waits, like every other run.
        await store.index(deferred);
      });
      log("warn", "session_deferred", { ticket_key: job.ticketKey, reason: reservation.reason, retry_at: retryAt });
      await step.sleep(`deferred #${attempt}`, Math.max(60_000, reservation.retryAtMs - Date.now()));
    }
  }

  private async findOrCreate(job: TicketJob, config: Config, devin: DevinClient, step: WorkflowStep): Promise<SessionOutcome> {
    const settings = sessionSettingsFor(config, job.ticket);
    let outcome: SessionOutcome | undefined;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      // A retryable failure is returned, not thrown, so the backoff (and Retry-After) is ours to choose.
      // Each attempt looks the session up by its tag (every page) before creating: a create whose
      // answer was lost is found here after the wait instead of becoming a second paid session.
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
   * Polls the session until its run ends or `FOLLOW_MAX_HOURS` of planned
   * waiting have passed (counted from the schedule, not the clock, so replays
   * agree). Each poll reports new pull requests once, relays Devin's new
   * messages once (batched), says when Devin waits for the reporter, and ends
   * with a note on how the session ended. A run stopped meanwhile ends quietly:
   * the stop said so on the ticket.
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
    const reported: string[] = [...(record.pull_requests ?? [])];
    let cursor = record.messages_cursor;
    let last: SessionSnapshot | undefined;
    let quiet = 0;
    let waited = 0;
    for (let poll = 1; waited < config.follow.maxMs; poll++) {
      const delay = nextPollDelayMs(config.follow.intervalMs, quiet);
      await step.sleep(`wait before poll #${poll}`, delay);
      waited += delay;

      let seen: { snapshot: SessionSnapshot; said: string[]; cursor?: string; stopped: boolean };
      try {
        seen = await step.do(`poll session #${poll}`, WRITE_RETRIES, async () => {
          const current = await store.get(job.instanceId);
          if (current?.status === "stopped") return { snapshot: { status: "exit", pullRequests: [] }, said: [], cursor, stopped: true };
          const snapshot = snapshotOf(await devin.getSession(sessionId));
          const messages = await devin.listMessages(sessionId, cursor).catch((err: Error) => {
            // Reading messages needs the same permission as the session; a failure costs the relay, not the run.
            log("warn", "messages_unreadable", { ticket_key: job.ticketKey, session_id: sessionId, error: err.message });
            return { items: [], cursor };
          });
          // Only Devin's own words: the reporter's forwarded comments come back with another source.
          const said = messages.items.filter((m) => m.source === "devin" && m.message.trim() && !isBridgeNote(m.message)).map((m) => m.message);
          return { snapshot, said, cursor: messages.cursor, stopped: false };
        });
      } catch (err) {
        // Devin unreachable for a while: keep following; the next poll may see it.
        log("warn", "poll_failed", { ticket_key: job.ticketKey, session_id: sessionId, error: (err as Error).message });
        quiet++;
        continue;
      }
      if (seen.stopped) return "stopped";
      const { snapshot } = seen;
      cursor = seen.cursor;

      for (const pr of newPullRequests(reported, snapshot.pullRequests)) {
        reported.push(pr);
        await this.note(step, write, `comment: pull request #${reported.length}`, pullRequestNote(pr), job);
      }
      const phase = phaseOf(snapshot);
      const waiting = phase === "waiting_for_user" ? "user" : phase === "waiting_for_approval" ? "approval" : null;
      if (seen.said.length > 0 || waiting) {
        await this.note(step, write, `comment: devin says #${poll}`, devinSaysNote(seen.said, waiting, config.mention), job);
      }

      // Waiting for the reporter ends this follow too: nothing moves until someone answers, and the
      // answer, forwarded from the ticket, starts a new follower (see queue/consumer.ts).
      const end = isEnd(phase) || waiting !== null;
      if (changed(last, snapshot) || end || seen.said.length > 0) {
        quiet = 0;
        const latest: TicketRecord = {
          ...record,
          status: STATUS_OF[phase],
          session_status: snapshot.status,
          session_status_detail: snapshot.statusDetail,
          pull_requests: reported,
          messages_cursor: cursor,
          updated_at: new Date().toISOString(),
        };
        await step.do(`record status #${poll}`, async () => {
          // A stop that landed during this poll wins over what the poll saw.
          if ((await store.get(job.instanceId))?.status !== "stopped") await store.put(latest);
        });
      } else {
        quiet++;
      }
      last = snapshot;

      if (waiting) {
        log("info", "session_waiting", { ticket_key: job.ticketKey, session_id: sessionId, for: waiting });
        return `waiting_for_${waiting}`;
      }
      if (end) {
        await this.note(step, write, "comment: outcome", outcomeNote({ ...snapshot, pullRequests: reported }, record.url ?? "", config.mention), job);
        log("info", "session_ended", { ticket_key: job.ticketKey, session_id: sessionId, status: snapshot.status, detail: snapshot.statusDetail });
        return snapshot.statusDetail ? `${snapshot.status}/${snapshot.statusDetail}` : snapshot.status;
      }
    }
    if (config.follow.maxMs > 0) {
      await this.note(step, write, "comment: stopped following", timeoutNote(record.url ?? "", config.follow.maxMs / 3_600_000), job);
    }
    return "not_followed_further";
  }

  /** A failed write-back is logged, never fatal: the session and its record stand. */
  private async note(step: WorkflowStep, write: Writer, name: string, body: string, job: TicketJob): Promise<void> {
    if (!write) return;
    try {
      await step.do(name, WRITE_RETRIES, () => write(body));
    } catch (err) {
      log("warn", "comment_failed", { ticket_key: job.ticketKey, step: name, error: (err as Error).message });
    }
  }

  private writerFor(config: Config, ticket: TicketEvent): Writer {
    return noteWriter(config, ticket);
  }

  /** Lets a tracker complete the ticket (slow calls to the tracker) before the prompt is built. */
  private async enrich(ticket: TicketEvent, config: Config, step: WorkflowStep): Promise<TicketEvent> {
    const tracker = findTracker(ticket.source);
    const api = tracker?.enrich && trackerApiFor(config, tracker);
    if (!tracker?.enrich || !api) return ticket;
    try {
      const extra = await step.do(
        "enrich ticket",
        { retries: { limit: 3, delay: "5 seconds", backoff: "exponential" }, timeout: "1 minute" },
        () => tracker.enrich!(ticket, api),
      );
      // What the tracker's API answered is bounded like what its webhook said. A new description
      // brings its own format: plain text unless the tracker says HTML.
      const { descriptionFormat, ...fields } = extra;
      const format = extra.description !== undefined ? descriptionFormat : (descriptionFormat ?? ticket.descriptionFormat);
      const { descriptionFormat: _old, ...rest } = ticket;
      return boundTicket({ ...rest, ...fields, ...(format ? { descriptionFormat: format } : {}) });
    } catch (err) {
      // The ticket as the webhook described it is still worth a session.
      log("warn", "enrich_failed", { ticket_key: `${ticket.source}:${ticket.key}`, error: (err as Error).message });
      return ticket;
    }
  }
}

/**
 * The shares of the spend limits this ticket counts against, where the operator set them: its
 * source's (`<ID>_MAX_SESSIONS_PER_*`, else `MAX_SESSIONS_PER_SOURCE_PER_*`), its project's and its
 * author's. Project and author are the payload's word, so only the source share binds a sender
 * who holds the secret; the others keep one busy team or person from taking a source's whole share.
 */
function spendScopes(config: Config, job: TicketJob): SpendScope[] {
  const { source, project, author } = job.ticket;
  const tracker = findTracker(source);
  const scopes: SpendScope[] = [{ name: `source:${source}`, label: source, ...(tracker ? trackerConfig(config, tracker).spend : {}) }];
  if (project) scopes.push({ name: `project:${source}:${project}`, label: "this project", ...config.spend.perProject });
  if (author) scopes.push({ name: `author:${source}:${author}`, label: "this author", ...config.spend.perAuthor });
  return scopes.filter((s) => s.perHour !== undefined || s.perDay !== undefined);
}
