import type { TicketEvent } from "../ticket";
import {
  GitHubStyleCommentPayload,
  GitHubStyleIssuePayload,
  githubStyleComment,
  githubStyleSkip,
  githubStyleTicket,
  instanceOf,
  repoIssuePath,
} from "./github";
import { verifyHexHmacHeader } from "./signatures";
import { trackerRequest } from "./tracker-api";
import type { ParseResult, SourceSettings, TicketSource, TrackerApi, WebhookRequest } from "./types";

/**
 * Forgejo is a Gitea fork with the same payloads; it sends its own
 * `X-Forgejo-*` headers and also Gitea's, so either set is accepted on both routes.
 */
type Flavour = { name: "gitea" | "forgejo"; tracker: string; prefixes: readonly string[] };

// `issues` is what current versions put in X-*-Event for every issue change; older ones sent the detailed type there.
const ISSUE_EVENTS = new Set(["issues", "issue_label", "issue_assign", "issue_milestone"]);
const ENDED = new Set(["closed", "deleted"]);

function header(req: WebhookRequest, prefixes: readonly string[], suffix: string): string | undefined {
  for (const prefix of prefixes) {
    const value = req.headers.get(`x-${prefix}-${suffix}`)?.trim().toLowerCase();
    if (value) return value;
  }
  return undefined;
}

function triggerFor(action: string): (labels: string[]) => string[] {
  if (action === "opened") return (labels) => labels;
  // Gitea does not say which label changed, so every current label counts;
  // the per-ticket duplicate check keeps a second label change from starting another session.
  if (action === "label_updated") return (labels) => labels;
  return () => [];
}

/**
 * Gitea sends comments on issues and on pull requests both as X-Gitea-Event
 * `issue_comment`; only the detailed type (and `is_pull`) tells them apart.
 */
function parseComment(f: Flavour, payload: unknown, req: WebhookRequest): ParseResult {
  if (header(req, f.prefixes, "event-type") === "pull_request_comment") {
    return { kind: "skip", reason: "comment on a pull request, not an issue" };
  }
  const result = GitHubStyleCommentPayload.safeParse(payload);
  if (!result.success) return { kind: "skip", reason: `not a ${f.tracker} issue_comment payload` };
  return githubStyleComment(result.data, f.name);
}

/** `/api/v1` under the instance root; an operator's `<SOURCE>_BASE_URL` may be either. */
export function giteaApiBase(base: string): string {
  const trimmed = base.trim().replace(/\/+$/, "");
  return /\/api\/v1$/i.test(trimmed) ? trimmed : `${trimmed}/api/v1`;
}

function parser(f: Flavour) {
  return (payload: unknown, req: WebhookRequest, settings: SourceSettings): ParseResult => {
    const event = header(req, f.prefixes, "event");
    if (event === "issue_comment") return parseComment(f, payload, req);
    if (!event || !ISSUE_EVENTS.has(event)) {
      return { kind: "skip", reason: `${f.tracker} event "${(event ?? "none").slice(0, 64)}" is not an issue event` };
    }
    const result = GitHubStyleIssuePayload.safeParse(payload);
    if (!result.success) return { kind: "skip", reason: `not a ${f.tracker} issue payload` };
    const p = result.data;
    if (ENDED.has(p.action)) return { kind: "skip", reason: `issue ${p.action}` };
    const skip = githubStyleSkip(p);
    if (skip) return { kind: "skip", reason: skip };
    const root = settings.get("BASE_URL") ?? instanceOf(p.repository.html_url);
    const ticket = githubStyleTicket(p, {
      source: f.name,
      tracker: f.tracker,
      triggerLabels: triggerFor(p.action),
      fallbackBase: root,
      apiBase: root ? giteaApiBase(root) : undefined,
    });
    return { kind: "ticket", ticket };
  };
}

async function comment(ticket: TicketEvent, body: string, api: TrackerApi): Promise<void> {
  await trackerRequest(
    "POST",
    `${giteaApiBase(api.baseUrl)}${repoIssuePath(ticket.key)}/comments`,
    { authorization: `token ${api.token}` },
    { body },
  );
}

function giteaLike(f: Flavour): TicketSource {
  const signatureHeaders = [...f.prefixes.map((p) => `x-${p}-signature`), "x-hub-signature-256"];
  return {
    name: f.name,
    tracker: f.tracker,
    // The native headers hold bare hex and X-Hub-Signature-256 holds `sha256=<hex>`; the prefix is optional in the helper.
    authenticate: (req, secrets) => verifyHexHmacHeader(req, secrets, "SHA-256", signatureHeaders, "sha256="),
    parse: parser(f),
    comment,
  };
}

export const gitea = giteaLike({ name: "gitea", tracker: "Gitea", prefixes: ["gitea", "forgejo"] });
export const forgejo = giteaLike({ name: "forgejo", tracker: "Forgejo", prefixes: ["forgejo", "gitea"] });
