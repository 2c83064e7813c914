import * as z from "../../zod";
import type { CommentFields, TicketFields, TrackerEvent } from "../contract";
import { addedLabels } from "./labels";
import { httpBase } from "./url";

/**
 * The `issues` / `issue_comment` payloads GitHub defined and Gitea, Forgejo
 * and Gogs copied. Loose: trackers keep adding fields, and only these matter.
 */
const Label = z.looseObject({ name: z.string().check(z.trim(), z.minLength(1), z.maxLength(256)) });

export const IssuePayload = z.looseObject({
  action: z.string(),
  issue: z.looseObject({
    number: z.number().check(z.int(), z.positive(), z.lte(Number.MAX_SAFE_INTEGER)),
    title: z.string().check(z.trim(), z.minLength(1), z.maxLength(2_000)),
    body: z.nullish(z.string()),
    html_url: z.nullish(z.string().check(z.maxLength(2_000))),
    state: z.nullish(z.string()),
    // Gitea sends labels: null for an issue without any.
    labels: z.nullish(z.array(Label).check(z.maxLength(200))),
    user: z.nullish(z.looseObject({ login: z.string().check(z.maxLength(256)) })),
    assignees: z.catch(z.nullish(z.array(z.looseObject({ login: z.string() }))), undefined),
    pull_request: z.optional(z.unknown()),
  }),
  // Only `labeled` / `unlabeled` carry it: the one label just changed.
  label: z.nullish(z.looseObject({ name: z.string() })),
  repository: z.looseObject({
    full_name: z.string().check(z.trim(), z.minLength(1), z.maxLength(512)),
    html_url: z.nullish(z.string().check(z.maxLength(2_000))),
  }),
  sender: z.catch(z.nullish(z.looseObject({ login: z.string() })), undefined),
  // GitHub's `assigned` names the one user just assigned.
  assignee: z.catch(z.nullish(z.looseObject({ login: z.string() })), undefined),
});
export type IssuePayload = z.infer<typeof IssuePayload>;

/** `issue_comment`: the issue as in `issues`, plus the comment. */
export const CommentPayload = z.extend(IssuePayload, {
  comment: z.looseObject({
    id: z.catch(z.nullish(z.union([z.number(), z.string()])), undefined),
    body: z.nullish(z.string()),
    user: z.nullish(z.looseObject({ login: z.string().check(z.maxLength(256)) })),
  }),
  // Gitea/Forgejo say so here as well as in issue.pull_request.
  is_pull: z.nullish(z.boolean()),
});
export type CommentPayload = z.infer<typeof CommentPayload>;

/** Issue numbers are per repository, so the repository is part of the identity. */
export function issueKey(p: IssuePayload): string {
  return `${p.repository.full_name}#${p.issue.number}`;
}

export function labelNames(p: IssuePayload): string[] {
  return (p.issue.labels ?? []).map((l) => l.name);
}

/** The ticket every GitHub-style tracker reads the same way; the link base is the tracker's to give. */
export function issueTicket(p: IssuePayload, triggerLabels: string[], linkBase: string | undefined): TicketFields {
  const key = issueKey(p);
  const base = linkBase ? httpBase(linkBase) : undefined;
  return {
    key,
    id: key,
    title: p.issue.title,
    description: p.issue.body ?? "",
    labels: labelNames(p),
    triggerLabels,
    url: p.issue.html_url || (base ? `${base}/${p.repository.full_name}/issues/${p.issue.number}` : undefined),
    project: p.repository.full_name,
    author: p.issue.user?.login || undefined,
    // Who opened the issue, or who added the label: the sender of this event.
    requestedBy: p.sender?.login || undefined,
  };
}

/** Shared skips: what no GitHub-style tracker hands to Devin whatever the action says. */
export function issueSkip(p: IssuePayload): string | undefined {
  if (p.issue.pull_request != null) return "pull request, not an issue";
  if (p.issue.state === "closed") return "issue is closed";
  return undefined;
}

/** A new comment on an issue, keyed like the issue's ticket events; edits, deletions and pull requests are skipped. */
export function issueComment(p: CommentPayload, ticket?: TicketFields): TrackerEvent {
  if (p.action !== "created") return { kind: "skip", reason: `comment ${p.action.slice(0, 32)}, not created` };
  if (p.is_pull || p.issue.pull_request != null) return { kind: "skip", reason: "comment on a pull request, not an issue" };
  const key = issueKey(p);
  const comment: CommentFields = { key, id: key, text: p.comment.body ?? "", author: p.comment.user?.login || undefined };
  if (p.comment.id != null) comment.commentId = String(p.comment.id);
  if (ticket && p.issue.state !== "closed") comment.ticket = ticket;
  return { kind: "comment", comment };
}

/** The end of a ticket's run: closed, or a trigger label taken off. */
export function issueEnded(p: IssuePayload, removed: string[]): TrackerEvent {
  const key = issueKey(p);
  if (removed.length) return { kind: "ended", ended: { key, id: key, reason: "label_removed", labels: removed, author: p.sender?.login } };
  return { kind: "ended", ended: { key, id: key, reason: "closed", author: p.sender?.login } };
}

/** The instance root from the repository's page: `https://host[/sub-path]/owner/repo` → `https://host[/sub-path]`. */
export function instanceOf(repositoryUrl: string | null | undefined): string | undefined {
  return httpBase(repositoryUrl?.trim().replace(/\/[^/]+\/[^/]+\/?$/, ""));
}

/** `owner/repo#12` → the API path of that issue; the key is the only place both are kept. */
export function repoIssuePath(key: string): string {
  const match = /^([^/#]+)\/([^/#]+)#(\d+)$/.exec(key);
  if (!match) throw new Error("ticket key is not owner/repo#number");
  const [, owner, repo, number] = match;
  return `/repos/${encodeURIComponent(owner!)}/${encodeURIComponent(repo!)}/issues/${number}`;
}

export { addedLabels };
