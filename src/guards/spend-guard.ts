import { DurableObject } from "cloudflare:workers";

/** A share of the limits for one kind of sender (a source, a project): inside the global ones, never beyond. */
export interface SpendScope {
  /** `source:github`: what the starts are counted under. */
  name: string;
  perHour?: number;
  perDay?: number;
  /** Names the setting in the reason (`MAX_SESSIONS_PER_HOUR for github`). */
  label: string;
}

export interface SpendLimits {
  perHour: number;
  perDay: number;
  scopes?: readonly SpendScope[];
}

export type Reservation = { ok: true } | { ok: false; retryAtMs: number; reason: string };

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** When the window has room again, or null when it has room now: enough of its oldest starts must age out. */
function fullUntil(ats: readonly number[], limit: number | undefined, windowMs: number): number | null {
  if (limit === undefined || ats.length < limit) return null;
  return ats[ats.length - limit]! + windowMs;
}

/**
 * Counts new Devin sessions exactly. One instance for the whole deployment:
 * a Durable Object runs one call at a time on strongly consistent storage, so
 * a burst of tickets can never slip past the limit (KV arithmetic could).
 * Reservations are keyed by ticket, so a workflow step that runs twice counts once.
 * Scoped shares (per source) are checked first: a flood from one sender fills
 * its own share and waits there, leaving the global room to everyone else.
 */
export class SpendGuard extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS starts (ticket_key TEXT PRIMARY KEY, at INTEGER NOT NULL)");
    // `starts` forgets after a day; the console's chart wants a fortnight, one row per UTC day.
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS days (day TEXT PRIMARY KEY, n INTEGER NOT NULL)");
    // A table of its own rather than a new column: instances created before scopes need no migration.
    ctx.storage.sql.exec(
      "CREATE TABLE IF NOT EXISTS scoped_starts (ticket_key TEXT NOT NULL, scope TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (ticket_key, scope))",
    );
  }

  reserve(ticketKey: string, limits: SpendLimits, nowMs: number = Date.now()): Reservation {
    const sql = this.ctx.storage.sql;
    if (sql.exec("SELECT 1 FROM starts WHERE ticket_key = ?", ticketKey).toArray().length > 0) return { ok: true };
    sql.exec("DELETE FROM starts WHERE at <= ?", nowMs - DAY);
    sql.exec("DELETE FROM scoped_starts WHERE at <= ?", nowMs - DAY);

    for (const scope of limits.scopes ?? []) {
      const inDay = sql.exec<{ at: number }>("SELECT at FROM scoped_starts WHERE scope = ? ORDER BY at", scope.name).toArray().map((r) => r.at);
      const inHour = inDay.filter((at) => at > nowMs - HOUR);
      const hourly = fullUntil(inHour, scope.perHour, HOUR);
      if (hourly !== null) return { ok: false, retryAtMs: hourly, reason: `MAX_SESSIONS_PER_HOUR for ${scope.label} (${scope.perHour}) reached` };
      const daily = fullUntil(inDay, scope.perDay, DAY);
      if (daily !== null) return { ok: false, retryAtMs: daily, reason: `MAX_SESSIONS_PER_DAY for ${scope.label} (${scope.perDay}) reached` };
    }

    const inHour = sql.exec<{ at: number }>("SELECT at FROM starts WHERE at > ? ORDER BY at", nowMs - HOUR).toArray().map((r) => r.at);
    const inDay = sql.exec<{ at: number }>("SELECT at FROM starts ORDER BY at").toArray().map((r) => r.at);
    const hourly = fullUntil(inHour, limits.perHour, HOUR);
    if (hourly !== null) return { ok: false, retryAtMs: hourly, reason: `MAX_SESSIONS_PER_HOUR (${limits.perHour}) reached` };
    const daily = fullUntil(inDay, limits.perDay, DAY);
    if (daily !== null) return { ok: false, retryAtMs: daily, reason: `MAX_SESSIONS_PER_DAY (${limits.perDay}) reached` };

    sql.exec("INSERT INTO starts (ticket_key, at) VALUES (?, ?)", ticketKey, nowMs);
    sql.exec("INSERT INTO days (day, n) VALUES (?, 1) ON CONFLICT(day) DO UPDATE SET n = n + 1", dayOf(nowMs));
    for (const scope of limits.scopes ?? []) {
      sql.exec("INSERT OR IGNORE INTO scoped_starts (ticket_key, scope, at) VALUES (?, ?, ?)", ticketKey, scope.name, nowMs);
    }
    return { ok: true };
  }

  /** A create that Devin refused started nothing: give the place back. */
  release(ticketKey: string): void {
    const sql = this.ctx.storage.sql;
    for (const { at } of sql.exec<{ at: number }>("SELECT at FROM starts WHERE ticket_key = ?", ticketKey).toArray()) {
      sql.exec("UPDATE days SET n = MAX(0, n - 1) WHERE day = ?", dayOf(at));
    }
    sql.exec("DELETE FROM starts WHERE ticket_key = ?", ticketKey);
    sql.exec("DELETE FROM scoped_starts WHERE ticket_key = ?", ticketKey);
  }

  /** Sessions started on each of the last `days` UTC days, oldest first, today last. */
  perDay(days: number, nowMs: number = Date.now()): { day: string; sessions: number }[] {
    const n = Math.max(1, Math.min(366, Math.floor(days)));
    const wanted = Array.from({ length: n }, (_, i) => dayOf(nowMs - (n - 1 - i) * DAY));
    const sql = this.ctx.storage.sql;
    sql.exec("DELETE FROM days WHERE day < ?", dayOf(nowMs - 366 * DAY));
    const counts = new Map(sql.exec<{ day: string; n: number }>("SELECT day, n FROM days WHERE day >= ?", wanted[0]!).toArray().map((r) => [r.day, r.n]));
    return wanted.map((day) => ({ day, sessions: counts.get(day) ?? 0 }));
  }

  usage(nowMs: number = Date.now()): { lastHour: number; lastDay: number } {
    const sql = this.ctx.storage.sql;
    const count = (since: number) => sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM starts WHERE at > ?", since).one().n;
    return { lastHour: count(nowMs - HOUR), lastDay: count(nowMs - DAY) };
  }
}

function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function spendGuard(env: Env): DurableObjectStub<SpendGuard> {
  return env.SPEND_GUARD.get(env.SPEND_GUARD.idFromName("deployment"));
}
