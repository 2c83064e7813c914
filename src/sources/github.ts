import { z } from "zod";
import type { TicketEvent } from "../ticket";
import { verifyHexHmacHeader } from "./signatures";
import type { ParseResult, SourceSettings, TicketSource, WebhookRequest } from "./types";

const Label = z.looseObject({ name: z.string().trim().min(1).max(256) });

/**
 * The `issues` payload shape GitHub defined and Gitea/Forgejo copied. Loose:
 * trackers keep adding fields, and only these few matter here.
 */
export const GitHubStyleIssuePayload = z.looseObject({
  action: z.string(),
  issue: z.looseObject({
    number: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
    title: z.string().trim().min(1).max(2_000),
    body: z.string().nullish(),
    html_url: z.string().max(2_000).nullish(),
    state: z.string().nullish(),
    // Gitea sends labels: null for an issue without any.
    labels: z.array(Label).max(200).nullish(),
    user: z.looseObject({ login: z.string().max(256) }).nullish(),
    pull_request: z.unknown().optional(),
  }),
  // Only `labeled` carries it: the one label just added.
  label: z.looseObject({ name: z.string() }).nullish(),
  repository: z.looseObject({
    full_name: z.string().trim().min(1).max(512),
    html_url: z.string().max(2_000).nullish(),
  }),
});
export type GitHubStyleIssuePayload = z.infer<typeof GitHubStyleIssuePayload>;

/** What the tracker-specific code decides; the rest of the ticket is the same for all GitHub-style trackers. */
export interface GitHubStyleTicketOptions {
  source: string;
  tracker: string;
  triggerLabels: (labels: string[]) => string[];
  /** Where issues live when the payload has no html_url: `<base>/<owner>/<repo>/issues/<n>`. */
  fallbackBase: string | undefined;
}

export function githubStyleTicket(p: GitHubStyleIssuePayload, o: GitHubStyleTicketOptions): TicketEvent {
  const { issue, repository } = p;
  const project = repository.full_name;
  // Issue numbers are per repository, so the repository is part of the identity.
  const key = `${project}#${issue.number}`;
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
  };
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

function parse(payload: unknown, req: WebhookRequest, settings: SourceSettings): ParseResult {
  const event = req.headers.get("x-github-event")?.trim().toLowerCase();
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
};
