import * as z from "../zod";
import type { TicketEvent } from "../ticket";
import { verifyHexHmacHeader } from "./signatures";
import { trackerRequest } from "./tracker-api";
import type { ParseResult, SourceSettings, TicketComment, TicketSource, TrackerApi, WebhookRequest } from "./types";

const Label = z.looseObject({ name: z.string().check(z.trim(), z.minLength(1), z.maxLength(256)) });

/**
 * The `issues` payload shape GitHub defined and Gitea/Forgejo copied. Loose:
 * trackers keep adding fields, and only these few matter here.
 */
export const GitHubStyleIssuePayload = z.looseObject({
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
    pull_request: z.optional(z.unknown()),
  }),
  // Only `labeled` carries it: the one label just added.
  label: z.nullish(z.looseObject({ name: z.string() })),
  repository: z.looseObject({
    full_name: z.string().check(z.trim(), z.minLength(1), z.maxLength(512)),
    html_url: z.nullish(z.string().check(z.maxLength(2_000))),
  }),
});
export type GitHubStyleIssuePayload = z.infer<typeof GitHubStyleIssuePayload>;

/** `issue_comment`: the issue as in `issues`, plus the comment. */
export const GitHubStyleCommentPayload = z.extend(GitHubStyleIssuePayload, {
  comment: z.looseObject({
    body: z.nullish(z.string()),
    user: z.nullish(z.looseObject({ login: z.string().check(z.maxLength(256)) })),
  }),
  // Gitea/Forgejo say so here as well as in issue.pull_request.
  is_pull: z.nullish(z.boolean()),
});
export type GitHubStyleCommentPayload = z.infer<typeof GitHubStyleCommentPayload>;

/** What the tracker-specific code decides; the rest of the ticket is the same for all GitHub-style trackers. */
export interface GitHubStyleTicketOptions {
  source: string;
  tracker: string;
  triggerLabels: (labels: string[]) => string[];
  /** Where issues live when the payload has no html_url: `<base>/<owner>/<repo>/issues/<n>`. */
  fallbackBase: string | undefined;
  /** The REST API root to comment back through, when known. */
  apiBase?: string;
}

/** Issue numbers are per repository, so the repository is part of the identity. */
function issueKey(p: GitHubStyleIssuePayload): string {
  return `${p.repository.full_name}#${p.issue.number}`;
}

export function githubStyleTicket(p: GitHubStyleIssuePayload, o: GitHubStyleTicketOptions): TicketEvent {
  const { issue, repository } = p;
  const project = repository.full_name;
  const key = issueKey(p);
  const labels = (issue.labels ?? []).map((l) => l.name);
  const base = o.fallbackBase?.replace(/\/+$/, "");
  return {
    source: o.source,
    tracker: o.tracker,
    key,
    id: key,
    title: issue.title,
    description: issue.body ?? "",
    labels,
    triggerLabels: o.triggerLabels(labels),
    url: issue.html_url || (base ? `${base}/${project}/issues/${issue.number}` : undefined),
    project,
    author: issue.user?.login || undefined,
    ...(o.apiBase ? { replyTo: { baseUrl: o.apiBase } } : {}),
  };
}

/** A new comment on an issue, keyed like the issue's ticket events; edits, deletions and pull requests are skipped. */
export function githubStyleComment(p: GitHubStyleCommentPayload, source: string): ParseResult {
  if (p.action !== "created") return { kind: "skip", reason: `comment ${p.action.slice(0, 32)}, not created` };
  if (p.is_pull || p.issue.pull_request != null) return { kind: "skip", reason: "comment on a pull request, not an issue" };
  const key = issueKey(p);
  const comment: TicketComment = {
    source,
    key,
    id: key,
    text: p.comment.body ?? "",
    author: p.comment.user?.login || undefined,
  };
  return { kind: "comment", comment };
}

/** The instance root from the repository's page: `https://host[/sub-path]/owner/repo` → `https://host[/sub-path]`. */
export function instanceOf(repositoryUrl: string | null | undefined): string | undefined {
  const root = repositoryUrl?.trim().replace(/\/[^/]+\/[^/]+\/?$/, "");
  return root && /^https?:\/\/[^/]/i.test(root) ? root : undefined;
}

/** `owner/repo#12` → the API path of that issue; the key is the only place both are kept. */
export function repoIssuePath(key: string): string {
  const match = /^([^/#]+)\/([^/#]+)#(\d+)$/.exec(key);
  if (!match) throw new Error("ticket key is not owner/repo#number");
  const [, owner, repo, number] = match;
  return `/repos/${encodeURIComponent(owner!)}/${encodeURIComponent(repo!)}/issues/${number}`;
}

/** Shared skips: what no GitHub-style tracker should hand to Devin whatever the action says. */
export function githubStyleSkip(p: GitHubStyleIssuePayload): string | undefined {
  if (p.issue.pull_request != null) return "pull request, not an issue";
  if (p.issue.state === "closed") return "issue is closed";
  return undefined;
}

// Actions after which the issue is gone or finished here: nothing to start.
const ENDED = new Set(["closed", "deleted", "transferred"]);

function triggerFor(action: string, added: string | undefined): (labels: string[]) => string[] {
  if (action === "opened") return (labels) => labels;
  // GitHub names the one label just added; triggering on all current labels would re-fire on every label.
  if (action === "labeled") return () => (added ? [added] : []);
  return () => [];
}

/**
 * The REST root for a GitHub web or API address. Operators may give either
 * (`GITHUB_BASE_URL` also builds issue links), so both must land on the API:
 * github.com → api.github.com, `<sub>.ghe.com` → `api.<sub>.ghe.com`,
 * Enterprise Server `https://host` → `https://host/api/v3`.
 */
export function githubApiBase(base: string): string {
  const trimmed = base.trim().replace(/\/+$/, "");
  const url = new URL(trimmed);
  const host = url.hostname.toLowerCase();
  if (host === "github.com" || host === "www.github.com") return "https://api.github.com";
  if (host.startsWith("api.")) return trimmed;
  if (host.endsWith(".ghe.com")) return `${url.protocol}//api.${url.host}`;
  return /\/api\/v3$/.test(url.pathname.replace(/\/+$/, "")) ? trimmed : `${trimmed}/api/v3`;
}

function apiBaseFrom(p: GitHubStyleIssuePayload, settings: SourceSettings): string | undefined {
  const root = instanceOf(p.repository.html_url) ?? settings.get("BASE_URL") ?? "https://github.com";
  try {
    return githubApiBase(root);
  } catch {
    return undefined;
  }
}

async function comment(ticket: TicketEvent, body: string, api: TrackerApi): Promise<void> {
  await trackerRequest(
    "POST",
    `${githubApiBase(api.baseUrl)}${repoIssuePath(ticket.key)}/comments`,
    {
      authorization: `Bearer ${api.token}`,
      accept: "application/vnd.github+json",
      "x-github-api-version": "2022-11-28",
      // GitHub refuses API calls without a User-Agent, and Workers' fetch sends none.
      "user-agent": "devin-ticket-bridge",
    },
    { body },
  );
}

function parseComment(payload: unknown): ParseResult {
  const result = GitHubStyleCommentPayload.safeParse(payload);
  if (!result.success) return { kind: "skip", reason: "not a GitHub issue_comment payload" };
  return githubStyleComment(result.data, "github");
}

function parse(payload: unknown, req: WebhookRequest, settings: SourceSettings): ParseResult {
  const event = req.headers.get("x-github-event")?.trim().toLowerCase();
  if (event === "issue_comment") return parseComment(payload);
  if (event !== "issues") return { kind: "skip", reason: `GitHub event "${(event ?? "none").slice(0, 64)}" is not an issue event` };
  const result = GitHubStyleIssuePayload.safeParse(payload);
  if (!result.success) return { kind: "skip", reason: "not a GitHub issue payload" };
  const p = result.data;
  if (ENDED.has(p.action)) return { kind: "skip", reason: `issue ${p.action.slice(0, 32)}` };
  const skip = githubStyleSkip(p);
  if (skip) return { kind: "skip", reason: skip };
  const ticket = githubStyleTicket(p, {
    source: "github",
    tracker: "GitHub",
    triggerLabels: triggerFor(p.action, p.label?.name),
    fallbackBase: settings.get("BASE_URL") ?? "https://github.com",
    apiBase: apiBaseFrom(p, settings),
  });
  return { kind: "ticket", ticket };
}

export const github: TicketSource = {
  name: "github",
  tracker: "GitHub",

  authenticate(req, secrets) {
    // GitHub always prefixes the algorithm; a bare value is not something GitHub sent.
    if (!req.headers.get("x-hub-signature-256")?.trim().toLowerCase().startsWith("sha256=")) return Promise.resolve(false);
    return verifyHexHmacHeader(req, secrets, "SHA-256", ["x-hub-signature-256"], "sha256=");
  },

  parse,
  comment,
};
