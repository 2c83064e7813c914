/**
 * What the bridge writes on a ticket. Every note ends with the same footer,
 * which is also how the bridge recognises its own notes and never forwards
 * them to Devin as follow-ups.
 */
import { phaseOf, type SessionSnapshot } from "./workflows/poll";

export const BRIDGE_FOOTER = "— posted by devin-ticket-bridge";

export function isBridgeNote(text: string): boolean {
  return text.includes(BRIDGE_FOOTER);
}

const withFooter = (lines: (string | null | undefined | false)[]) => [...lines.filter(Boolean), "", BRIDGE_FOOTER].join("\n");

/** Devin's own words, quoted and capped: a long answer is read in the session. */
const MAX_QUOTED_CHARS = 2_000;
const MAX_QUOTED_MESSAGES = 5;

export function ackNote(sessionUrl: string, playbook: string | undefined, label: string, mention: string, run = 1): string {
  return withFooter([
    run > 1 ? `Devin is working on this ticket again (run ${run}): ${sessionUrl}` : `Devin is working on this ticket: ${sessionUrl}`,
    playbook ? `Playbook: ${playbook} (trigger label "${label}").` : null,
    `A comment here mentioning ${mention} is passed on to the session; "${mention} stop" stops it, "${mention} retry" starts a new run once it has ended.`,
  ]);
}

export function pullRequestNote(prUrl: string): string {
  return withFooter([`Devin opened a pull request: ${prUrl}`]);
}

/** Devin's new messages, and whether it now waits for an answer. */
export function devinSaysNote(messages: readonly string[], waiting: "user" | "approval" | null, mention: string): string {
  const quoted = messages.slice(-MAX_QUOTED_MESSAGES).map((m) => quote(m.length > MAX_QUOTED_CHARS ? `${m.slice(0, MAX_QUOTED_CHARS)}…` : m));
  const skipped = messages.length - quoted.length;
  const head =
    waiting === "approval"
      ? "Devin is waiting for approval before it goes on."
      : waiting === "user"
        ? "Devin is waiting for an answer from you."
        : "Devin wrote:";
  return withFooter([
    head,
    skipped > 0 && `(${skipped} earlier message${skipped === 1 ? "" : "s"} in the session)`,
    ...quoted.flatMap((q) => ["", q]),
    "",
    waiting ? `Answer with a comment that mentions ${mention}: it is passed on to the session.` : null,
  ]);
}

function quote(text: string): string {
  return text
    .trim()
    .split("\n")
    .map((line) => `> ${line}`)
    .join("\n");
}

/** Why a session was suspended, in a reporter's words. */
export function suspendReason(detail: string | undefined): string {
  switch (detail) {
    case "usage_limit_exceeded":
    case "org_usage_limit_exceeded":
    case "total_session_limit_exceeded":
      return "it reached its compute limit (ACU limit)";
    case "out_of_credits":
    case "out_of_quota":
    case "no_quota_allocation":
    case "payment_declined":
      return "the organisation has run out of Devin credits";
    case "inactivity":
      return "it was idle for a while";
    case "user_request":
      return "someone paused it";
    case "error":
      return "of an error";
    default:
      return detail ? detail.replace(/_/g, " ") : "of an unknown reason";
  }
}

export function outcomeNote(state: SessionSnapshot, sessionUrl: string, mention: string): string {
  const prs = state.pullRequests.length ? `Pull requests: ${state.pullRequests.join(", ")}` : "No pull request was opened.";
  const wake = `A comment mentioning ${mention} wakes it and is passed on.`;
  switch (phaseOf(state)) {
    case "error":
      return withFooter(["Devin's session ended with an error.", prs, `Session: ${sessionUrl}`, `"${mention} retry" starts a new run.`]);
    case "suspended":
      return withFooter([`Devin's session is paused because ${suspendReason(state.statusDetail)}.`, prs, `Session: ${sessionUrl}`, wake]);
    case "review":
      return withFooter(["Devin has finished and is waiting for review.", prs, `Session: ${sessionUrl}`]);
    default:
      return withFooter([
        state.pullRequests.length ? "Devin has finished." : "Devin has finished without opening a pull request.",
        prs,
        `Session: ${sessionUrl}`,
      ]);
  }
}

export function stoppedNote(why: string, sessionUrl: string | undefined, mention: string): string {
  return withFooter([`Devin's session was stopped: ${why}.`, sessionUrl && `Session: ${sessionUrl}`, `"${mention} retry" starts a new run.`]);
}

export function timeoutNote(sessionUrl: string, hours: number): string {
  return withFooter([`The bridge stopped following Devin's session after ${hours} h; it may still be running: ${sessionUrl}`]);
}
