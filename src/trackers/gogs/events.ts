import type { TrackerEvent, WebhookRequest } from "../contract";
import { CommentPayload, instanceOf, IssuePayload, issueComment, issueEnded, issueSkip, issueTicket, labelNames } from "../kit/github-style";

/**
 * Gogs sends GitHub-style `issues` / `issue_comment` payloads (go-gogs-client
 * repo_hook.go) under `X-Gogs-Event`. Its issue has no `html_url`: the link
 * is `{instance}/{owner}/{repo}/issues/{n}`, the instance from the repository's page.
 */
export function parseGogs(payload: unknown, req: WebhookRequest, baseUrl: string | undefined): TrackerEvent {
  const event = req.headers.get("x-gogs-event")?.trim().toLowerCase();
  if (event === "issue_comment") {
    const result = CommentPayload.safeParse(payload);
    return result.success ? issueComment(result.data) : { kind: "skip", reason: "not a Gogs issue_comment payload" };
  }
  if (event !== "issues") return { kind: "skip", reason: `Gogs event "${(event ?? "none").slice(0, 64)}" is not an issue event` };
  const result = IssuePayload.safeParse(payload);
  if (!result.success) return { kind: "skip", reason: "not a Gogs issue payload" };
  const p = result.data;
  if (p.action === "closed") return issueEnded(p, []);
  const skip = issueSkip(p);
  if (skip) return { kind: "skip", reason: skip };
  // `label_updated` carries the labels after the change, not which one changed: every current label counts,
  // and the one-session-per-ticket gate keeps a second label change from starting another session.
  const trigger = p.action === "opened" || p.action === "label_updated" ? labelNames(p) : [];
  const origin = instanceOf(p.repository.html_url);
  return { kind: "ticket", ticket: issueTicket(p, trigger, baseUrl ?? origin) };
}
