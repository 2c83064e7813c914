import type { StampedTicket, TrackerApi } from "../contract";
import { repoIssuePath } from "../kit/github-style";
import { COMMENT_TEXT, describe, send, type CommentCall } from "../kit/comment-call";

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

/** `POST /repos/{owner}/{repo}/issues/{n}/comments` with a token (classic or fine-grained, `Issues: write`). */
export function commentCall(ticket: StampedTicket, body: string, api: TrackerApi): CommentCall {
  return {
    method: "POST",
    url: `${githubApiBase(api.baseUrl)}${repoIssuePath(ticket.key)}/comments`,
    headers: {
      authorization: `Bearer ${api.token}`,
      accept: "application/vnd.github+json",
      "x-github-api-version": "2022-11-28",
      // GitHub refuses API calls without a User-Agent, and Workers' fetch sends none.
      "user-agent": "devin-ticket-bridge",
    },
    body: { body },
  };
}

export const writeBack = (ticket: StampedTicket, body: string, api: TrackerApi) => send(commentCall(ticket, body, api));
export const commentInstruction = (ticket: StampedTicket, api: TrackerApi) => describe(commentCall(ticket, COMMENT_TEXT, api));
