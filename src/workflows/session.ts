import { DevinApiError, type CreateSessionRequest, type DevinClient, type DevinSession } from "../devin/client";
import { sessionRequest, sessionTag, type SessionSettings } from "../session-request";
import type { TicketJob } from "../ticket";

/** What one attempt at finding or creating the session came to. Plain data: it is a step result. */
export type SessionOutcome =
  | { ok: true; created: boolean; session: Pick<DevinSession, "session_id" | "url" | "status"> }
  | { ok: false; retryable: boolean; httpStatus: number; reason: string; retryAfterMs?: number };

/**
 * Looks for a session already tagged with the ticket before creating one: a
 * create whose answer was lost must not become a second paid session.
 */
export async function findOrCreateSession(
  devin: DevinClient,
  job: TicketJob,
  settings: SessionSettings,
): Promise<SessionOutcome> {
  const tag = sessionTag(job);
  try {
    const [existing] = await devin.findSessionsByTag(tag);
    if (existing) return { ok: true, created: false, session: pick(existing) };
    const session = await devin.createSession(sessionRequest(job, settings));
    if (!session?.session_id) {
      return { ok: false, retryable: true, httpStatus: 200, reason: "create answered without a session_id" };
    }
    return { ok: true, created: true, session: pick(session) };
  } catch (err) {
    if (err instanceof DevinApiError) {
      return {
        ok: false,
        retryable: err.retryable,
        httpStatus: err.status,
        reason: err.reason,
        retryAfterMs: err.retryAfterMs,
      };
    }
    throw err;
  }
}

function pick(s: DevinSession) {
  return { session_id: s.session_id, url: s.url, status: s.status };
}

export const MAX_ATTEMPTS = 12;
const BASE_DELAY_MS = 10_000;
const MAX_DELAY_MS = 30 * 60_000;
const MAX_RETRY_AFTER_MS = 60 * 60_000;

/** Exponential backoff, or Devin's `Retry-After` when it asks for longer. ~2.5 h over all attempts. */
export function backoffMs(attempt: number, retryAfterMs?: number): number {
  const exponential = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (attempt - 1));
  return Math.max(exponential, Math.min(retryAfterMs ?? 0, MAX_RETRY_AFTER_MS));
}
