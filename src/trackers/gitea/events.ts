import type { TrackerEvent, WebhookRequest } from "../contract";
import { CommentPayload, instanceOf, IssuePayload, issueComment, issueEnded, issueSkip, issueTicket, labelNames } from "../kit/github-style";

/**
 * Forgejo is a Gitea fork with the same payloads; it sends its own
 * `X-Forgejo-*` headers and Gitea's too, so either set is read on both routes.
 */
export interface Flavour {
  id: "gitea" | "forgejo";
  name: string;
  /** Header prefixes, own first: `x-<prefix>-event`, `-event-type`, `-signature`, `-delivery`. */
  prefixes: readonly string[];
}

// `issues` is what current versions put in X-*-Event for every issue change; older ones sent the detailed type there.
const ISSUE_EVENTS = new Set(["issues", "issue_label", "issue_assign", "issue_milestone"]);

function header(req: WebhookRequest, f: Flavour, suffix: string): string | undefined {
  for (const prefix of f.prefixes) {
    const value = req.headers.get(`x-${prefix}-${suffix}`)?.trim().toLowerCase();
    if (value) return value;
  }
  return undefined;
}

/**
 * Comments on issues and on pull requests both arrive as `issue_comment`;
 * only the detailed type (and `is_pull`) tells them apart.
 */
function parseComment(f: Flavour, payload: unknown, req: WebhookRequest, baseUrl: string | undefined): TrackerEvent {
  if (header(req, f, "event-type") === "pull_request_comment") return { kind: "skip", reason: "comment on a pull request, not an issue" };
  const result = CommentPayload.safeParse(payload);
  if (!result.success) return { kind: "skip", reason: `not a ${f.name} issue_comment payload` };
  const origin = instanceOf(result.data.repository.html_url);
  return issueComment(result.data, issueTicket(result.data, [], baseUrl ?? origin));
}

export function parseGiteaLike(f: Flavour, payload: unknown, req: WebhookRequest, baseUrl: string | undefined): TrackerEvent {
  const event = header(req, f, "event");
  if (event === "issue_comment") return parseComment(f, payload, req, baseUrl);
  if (!event || !ISSUE_EVENTS.has(event)) return { kind: "skip", reason: `${f.name} event "${(event ?? "none").slice(0, 64)}" is not an issue event` };
  const result = IssuePayload.safeParse(payload);
  if (!result.success) return { kind: "skip", reason: `not a ${f.name} issue payload` };
  const p = result.data;
  if (p.action === "deleted") return { kind: "skip", reason: "issue deleted" };
  if (p.action === "closed") return issueEnded(p, []);
  const skip = issueSkip(p);
  if (skip) return { kind: "skip", reason: skip };
  // Gitea does not say which label changed, so every current label counts on a label update;
  // the per-ticket duplicate check keeps a second label change from starting another session.
  const trigger = p.action === "opened" || p.action === "label_updated" ? labelNames(p) : [];
  const origin = instanceOf(p.repository.html_url);
  const ticket = issueTicket(p, trigger, baseUrl ?? origin);
  // Gitea does not say whom an `assigned` added: every current assignee counts, as labels do on a label update.
  if (p.action === "assigned") Object.assign(ticket, { assignedTo: (p.issue.assignees ?? []).map((a) => a.login), assignedBy: p.sender?.login });
  return { kind: "ticket", ticket };
}
