import type { StampedTicket, TrackerApi } from "../contract";
import { COMMENT_TEXT, describe, send, type CommentCall } from "../kit/comment-call";
import { trackerRequest } from "../kit/http";
import { withSuffix } from "../kit/url";
import { describeEvent } from "./event-text";

/** `SENTRY_BASE_URL` may be the site (`https://sentry.io`, a region, a self-hosted host) or its `/api/0`. */
export const apiRoot = (base: string) => withSuffix(base, "/api/0");

/** The issue's API path; issue ids are global to an instance, so the org slug is not needed. */
export const issuePath = (key: string) => `/issues/${encodeURIComponent(key)}`;

const auth = (api: TrackerApi) => ({ authorization: `Bearer ${api.token}` });

/** The issue's latest event as the description (needs `event:read`); a non-2xx throws so the step retries. */
export async function enrich(ticket: StampedTicket, api: TrackerApi): Promise<{ description?: string }> {
  const event = await trackerRequest("GET", `${apiRoot(api.baseUrl)}${issuePath(ticket.key)}/events/latest/`, auth(api));
  const description = describeEvent(event);
  return description ? { description } : {};
}

/** A note on the issue (`POST /api/0/issues/{id}/comments/`, needs `event:write`). */
export function commentCall(ticket: StampedTicket, body: string, api: TrackerApi): CommentCall {
  return { method: "POST", url: `${apiRoot(api.baseUrl)}${issuePath(ticket.key)}/comments/`, headers: auth(api), body: { text: body } };
}

export const writeBack = (ticket: StampedTicket, body: string, api: TrackerApi) => send(commentCall(ticket, body, api));
export const commentInstruction = (ticket: StampedTicket, api: TrackerApi) => describe(commentCall(ticket, COMMENT_TEXT, api));
