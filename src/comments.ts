/**
 * What the bridge writes on a ticket. Every comment ends with the same footer,
 * which is also how the bridge recognises its own comments and never forwards
 * them to Devin as follow-ups.
 */
export const BRIDGE_FOOTER = "— posted by devin-ticket-bridge";

export function isBridgeComment(text: string): boolean {
  return text.includes(BRIDGE_FOOTER);
}

const withFooter = (lines: (string | null | undefined)[]) => [...lines.filter(Boolean), "", BRIDGE_FOOTER].join("\n");

export function ackComment(sessionUrl: string, playbook: string, label: string): string {
  return withFooter([
    `Devin is working on this ticket: ${sessionUrl}`,
    `Playbook: ${playbook} (trigger label "${label}").`,
    "A comment here mentioning @devin is passed on to the session.",
  ]);
}

export function pullRequestComment(prUrl: string): string {
  return withFooter([`Devin opened a pull request: ${prUrl}`]);
}

export interface FinalState {
  status: string;
  statusDetail?: string;
  pullRequests: string[];
  sessionUrl: string;
}

export function finalComment(state: FinalState): string {
  const prs = state.pullRequests.length ? `Pull requests: ${state.pullRequests.join(", ")}` : "No pull request was opened.";
  const how =
    state.status === "error"
      ? "Devin's session ended with an error."
      : state.status === "suspended"
        ? `Devin's session is suspended${state.statusDetail ? ` (${state.statusDetail.replace(/_/g, " ")})` : ""}.`
        : state.status === "exit"
          ? "Devin's session has finished."
          : "Devin has finished and is waiting for review.";
  return withFooter([how, prs, `Session: ${state.sessionUrl}`]);
}

export function timeoutComment(sessionUrl: string, hours: number): string {
  return withFooter([`The bridge stopped following Devin's session after ${hours} h; it may still be running: ${sessionUrl}`]);
}
