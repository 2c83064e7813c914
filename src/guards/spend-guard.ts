import { DurableObject } from "cloudflare:workers";

export interface SpendLimits {
  perHour: number;
  perDay: number;
}

export type Reservation = { ok: true } | { ok: false; retryAtMs: number; reason: string };

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * Counts new Devin sessions exactly. One instance for the whole deployment:
 * a Durable Object runs one call at a time on strongly consistent storage, so
 * a burst of tickets can never slip past the limit (KV arithmetic could).
 * Reservations are keyed by ticket, so a workflow step that runs twice counts once.
 */
export class SpendGuard extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS starts (ticket_key TEXT PRIMARY KEY, at INTEGER NOT NULL)");
    // `starts` forgets after a day; the console's chart wants a fortnight, one row per UTC day.
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS days (day TEXT PRIMARY KEY, n INTEGER NOT NULL)");
  }

  reserve(ticketKey: string, limits: SpendLimits, nowMs: number = Date.now()): Reservation {
    const sql = this.ctx.storage.sql;
    if (sql.exec("SELECT 1 FROM starts WHERE ticket_key = ?", ticketKey).toArray().length > 0) return { ok: true };
    sql.exec("DELETE FROM starts WHERE at <= ?", nowMs - DAY);

    const inHour = sql.exec<{ at: number }>("SELECT at FROM starts WHERE at > ? ORDER BY at", nowMs - HOUR).toArray();
    const inDay = sql.exec<{ at: number }>("SELECT at FROM starts ORDER BY at").toArray();
    if (inHour.length >= limits.perHour) {
      // The window opens again when enough of its oldest starts have aged out.
      const oldest = inHour[inHour.length - limits.perHour]!.at;
      return { ok: false, retryAtMs: oldest + HOUR, reason: `MAX_SESSIONS_PER_HOUR (${limits.perHour}) reached` };
    }
    if (inDay.length >= limits.perDay) {
      const oldest = inDay[inDay.length - limits.perDay]!.at;
      return { ok: false, retryAtMs: oldest + DAY, reason: `MAX_SESSIONS_PER_DAY (${limits.perDay}) reached` };
    }
    sql.exec("INSERT INTO starts (ticket_key, at) VALUES (?, ?)", ticketKey, nowMs);
    sql.exec("INSERT INTO days (day, n) VALUES (?, 1) ON CONFLICT(day) DO UPDATE SET n = n + 1", dayOf(nowMs));
    return { ok: true };
  }

  /** A create that Devin refused started nothing: give the place back. */
  release(ticketKey: string): void {
    const sql = this.ctx.storage.sql;
    for (const { at } of sql.exec<{ at: number }>("SELECT at FROM starts WHERE ticket_key = ?", ticketKey).toArray()) {
      sql.exec("UPDATE days SET n = MAX(0, n - 1) WHERE day = ?", dayOf(at));
    }
    sql.exec("DELETE FROM starts WHERE ticket_key = ?", ticketKey);
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
