import * as z from "../../zod";
import type { StampedTicket, TrackerApi } from "../contract";
import { COMMENT_TEXT, describe, send, type CommentCall } from "../kit/comment-call";
import { trackerRequest } from "../kit/http";
import { trimBase, withSuffix } from "../kit/url";

/** `GITLAB_BASE_URL` may name the instance or its API root: both give the web root and the REST root. */
export const webRoot = (base: string) => trimBase(base).replace(/\/api\/v4$/i, "");
export const apiRoot = (base: string) => withSuffix(base, "/api/v4");

/** The numeric project id when the payload had one; otherwise the URL-encoded path, which the API takes as `:id` too. */
export function issuePath(key: string, reply?: Record<string, string | number>): string {
  const match = /^(.+)#(\d+)$/.exec(key);
  const project = reply?.projectId ?? match?.[1];
  const iid = reply?.iid ?? match?.[2];
  if (project === undefined || iid === undefined) throw new Error("ticket has no GitLab project and issue iid");
  return `/projects/${encodeURIComponent(String(project))}/issues/${encodeURIComponent(String(iid))}`;
}

export const notesPath = (key: string, reply?: Record<string, string | number>) => `${issuePath(key, reply)}/notes`;

const Issue = z.looseObject({ author: z.nullish(z.looseObject({ username: z.nullish(z.string()), name: z.nullish(z.string()) })) });

/** An update names its reporter only by `author_id`: the issue from the API gives their username. */
export async function enrich(ticket: StampedTicket, api: TrackerApi): Promise<{ author?: string }> {
  if (ticket.author) return {};
  const issue = Issue.safeParse(await trackerRequest("GET", `${apiRoot(api.baseUrl)}${issuePath(ticket.key, ticket.reply)}`, { "private-token": api.token }));
  const author = issue.success ? issue.data.author?.username || issue.data.author?.name : undefined;
  return author ? { author } : {};
}

/** `POST /projects/:id/issues/:iid/notes` with a personal, project or group access token (`api` scope). */
export function commentCall(ticket: StampedTicket, body: string, api: TrackerApi): CommentCall {
  return { method: "POST", url: `${apiRoot(api.baseUrl)}${notesPath(ticket.key, ticket.reply)}`, headers: { "private-token": api.token }, body: { body } };
}

export const writeBack = (ticket: StampedTicket, body: string, api: TrackerApi) => send(commentCall(ticket, body, api));
export const commentInstruction = (ticket: StampedTicket, api: TrackerApi) => describe(commentCall(ticket, COMMENT_TEXT, api));
