import { GitHubStyleIssuePayload, githubStyleSkip, githubStyleTicket } from "./github";
import { verifyHexHmacHeader } from "./signatures";
import type { ParseResult, SourceSettings, TicketSource, WebhookRequest } from "./types";

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

function parser(f: Flavour) {
  return (payload: unknown, req: WebhookRequest, settings: SourceSettings): ParseResult => {
    const event = header(req, f.prefixes, "event");
    if (!event || !ISSUE_EVENTS.has(event)) {
      return { kind: "skip", reason: `${f.tracker} event "${(event ?? "none").slice(0, 64)}" is not an issue event` };
    }
    const result = GitHubStyleIssuePayload.safeParse(payload);
    if (!result.success) return { kind: "skip", reason: `not a ${f.tracker} issue payload` };
    const p = result.data;
    if (ENDED.has(p.action)) return { kind: "skip", reason: `issue ${p.action}` };
    const skip = githubStyleSkip(p);
    if (skip) return { kind: "skip", reason: skip };
    const ticket = githubStyleTicket(p, {
      source: f.name,
      tracker: f.tracker,
      triggerLabels: triggerFor(p.action),
      fallbackBase: settings.get("BASE_URL") ?? instanceOf(p.repository.html_url),
    });
    return { kind: "ticket", ticket };
  };
}

/** The instance root from the repository's page: `https://host[/sub-path]/owner/repo` → `https://host[/sub-path]`. */
function instanceOf(repositoryUrl: string | null | undefined): string | undefined {
  return repositoryUrl?.replace(/\/[^/]+\/[^/]+\/?$/, "") || undefined;
}

function giteaLike(f: Flavour): TicketSource {
  const signatureHeaders = [...f.prefixes.map((p) => `x-${p}-signature`), "x-hub-signature-256"];
  return {
    name: f.name,
    tracker: f.tracker,
    // The native headers hold bare hex and X-Hub-Signature-256 holds `sha256=<hex>`; the prefix is optional in the helper.
    authenticate: (req, secrets) => verifyHexHmacHeader(req, secrets, "SHA-256", signatureHeaders, "sha256="),
    parse: parser(f),
  };
}

export const gitea = giteaLike({ name: "gitea", tracker: "Gitea", prefixes: ["gitea", "forgejo"] });
export const forgejo = giteaLike({ name: "forgejo", tracker: "Forgejo", prefixes: ["forgejo", "gitea"] });
