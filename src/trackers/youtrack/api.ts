import * as z from "../../zod";
import type { StampedTicket, TrackerApi } from "../contract";
import { COMMENT_TEXT, describe, send, type CommentCall } from "../kit/comment-call";
import { trackerRequest } from "../kit/http";
import { trimBase, withSuffix } from "../kit/url";

/** `YOUTRACK_BASE_URL` may name the site or its REST root (`…/api`): both give the web root and the REST root. */
export const webRoot = (base: string) => trimBase(base).replace(/\/api$/i, "");
export const apiRoot = (base: string) => withSuffix(base, "/api");

/** `POST /api/issues/{idReadable}/comments` with a permanent token (`perm:…`). */
export function commentCall(ticket: StampedTicket, body: string, api: TrackerApi): CommentCall {
  const url = `${apiRoot(api.baseUrl)}/issues/${encodeURIComponent(ticket.key)}/comments`;
  return { method: "POST", url, headers: { authorization: `Bearer ${api.token}` }, body: { text: body } };
}

const Reporter = z.looseObject({ reporter: z.nullish(z.looseObject({ login: z.nullish(z.string()), fullName: z.nullish(z.string()) })) });

/** The Webhook Triggers app names the reporter only on `issueCreated`: an update's ticket reads it from the REST API. */
export async function enrich(ticket: StampedTicket, api: TrackerApi): Promise<{ author?: string }> {
  if (ticket.author) return {};
  const url = `${apiRoot(api.baseUrl)}/issues/${encodeURIComponent(ticket.key)}?fields=reporter(login,fullName)`;
  const issue = Reporter.safeParse(await trackerRequest("GET", url, { authorization: `Bearer ${api.token}` }));
  const author = issue.success ? issue.data.reporter?.login || issue.data.reporter?.fullName : undefined;
  return author ? { author } : {};
}

export const writeBack = (ticket: StampedTicket, body: string, api: TrackerApi) => send(commentCall(ticket, body, api));
export const commentInstruction = (ticket: StampedTicket, api: TrackerApi) => describe(commentCall(ticket, COMMENT_TEXT, api));
