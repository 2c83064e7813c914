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
 * Where a session is, as the ticket should hear it. Devin reports "done" as
 * `running` + `finished` as often as `exit`; a session waiting for the user
 * with a pull request open is, in practice, done too (it waits for review).
 */
export type Phase = "working" | "waiting_for_user" | "waiting_for_approval" | "review" | "finished" | "suspended" | "error";

export function phaseOf(s: SessionSnapshot): Phase {
  if (s.status === "error") return "error";
  if (s.status === "exit" || s.statusDetail === "finished") return "finished";
  if (s.status === "suspended") return "suspended";
  if (s.statusDetail === "waiting_for_user") return s.pullRequests.length > 0 ? "review" : "waiting_for_user";
  if (s.statusDetail === "waiting_for_approval") return "waiting_for_approval";
  return "working";
}

/** The phases that end a run's following. Suspended and review may be woken by a follow-up, which follows again. */
export function isEnd(phase: Phase): boolean {
  return phase === "finished" || phase === "error" || phase === "suspended" || phase === "review";
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
