import type { DevinSession } from "../devin/client";

/** What one poll of the session saw. Plain data: it is a step result. */
export interface SessionSnapshot {
  status: string;
  statusDetail?: string;
  pullRequests: string[];
}

export function snapshotOf(session: DevinSession & { status_detail?: string }): SessionSnapshot {
  const prs = (session.pull_requests ?? []).map((p) => p.pr_url).filter((u): u is string => typeof u === "string" && u !== "");
  return { status: session.status, statusDetail: session.status_detail ?? undefined, pullRequests: [...new Set(prs)] };
}

/**
 * `exit`, `error` and `suspended` end a session; a session waiting for the user
 * with a pull request open is, in practice, done too.
 */
export function isFinished(s: SessionSnapshot): boolean {
  if (s.status === "exit" || s.status === "error" || s.status === "suspended") return true;
  return s.statusDetail === "waiting_for_user" && s.pullRequests.length > 0;
}

export function newPullRequests(seen: readonly string[], now: readonly string[]): string[] {
  return now.filter((url) => !seen.includes(url));
}

export function changed(a: SessionSnapshot | undefined, b: SessionSnapshot): boolean {
  return !a || a.status !== b.status || a.statusDetail !== b.statusDetail || a.pullRequests.join() !== b.pullRequests.join();
}

/** Poll at the base interval while things change; back off (×2, up to 8×) while nothing does. */
export function nextPollDelayMs(baseMs: number, quietPolls: number): number {
  return baseMs * 2 ** Math.min(quietPolls, 3);
}
