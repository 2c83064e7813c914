import type { TrackerEvent, WebhookRequest } from "../contract";
import { CommentPayload, instanceOf, IssuePayload, issueComment, issueEnded, issueSkip, issueTicket } from "../kit/github-style";

// Actions after which the issue is gone here: nothing to start.
const GONE = new Set(["deleted", "transferred"]);

/** GitHub's `issues` and `issue_comment` events; the rest is skipped. */
export function parseGitHub(payload: unknown, req: WebhookRequest, baseUrl: string | undefined): TrackerEvent {
  const event = req.headers.get("x-github-event")?.trim().toLowerCase();
  if (event === "issue_comment") {
    const result = CommentPayload.safeParse(payload);
    if (!result.success) return { kind: "skip", reason: "not a GitHub issue_comment payload" };
    return issueComment(result.data, issueTicket(result.data, [], baseUrl ?? "https://github.com"));
  }
  if (event !== "issues") return { kind: "skip", reason: `GitHub event "${(event ?? "none").slice(0, 64)}" is not an issue event` };
  const result = IssuePayload.safeParse(payload);
  if (!result.success) return { kind: "skip", reason: "not a GitHub issue payload" };
  const p = result.data;
  if (GONE.has(p.action)) return { kind: "skip", reason: `issue ${p.action.slice(0, 32)}` };
  if (p.action === "closed") return issueEnded(p, []);
  if (p.action === "unlabeled") return issueEnded(p, p.label ? [p.label.name] : []);
  const skip = issueSkip(p);
  if (skip) return { kind: "skip", reason: skip };
  // GitHub names the one label just added; triggering on all current labels would re-fire on every label.
  const trigger = p.action === "opened" ? undefined : p.action === "labeled" ? (p.label ? [p.label.name] : []) : [];
  const ticket = issueTicket(p, [], baseUrl ?? instanceOf(p.repository.html_url) ?? "https://github.com");
  ticket.triggerLabels = trigger ?? ticket.labels;
  if (p.action === "assigned" && p.assignee?.login) Object.assign(ticket, { assignedTo: [p.assignee.login], assignedBy: p.sender?.login });
  return { kind: "ticket", ticket };
}
