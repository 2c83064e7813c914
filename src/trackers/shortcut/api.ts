import type { StampedTicket, TicketFields, TrackerApi } from "../contract";
import { COMMENT_TEXT, describe, send, type CommentCall } from "../kit/comment-call";
import { trackerRequest } from "../kit/http";
import { withSuffix } from "../kit/url";
import type { ShortcutSettings } from "./events";
import { Story } from "./schema";

type Api = TrackerApi<ShortcutSettings>;
const storyUrl = (ticket: StampedTicket, api: Api) => `${withSuffix(api.baseUrl, "/api/v3")}/stories/${encodeURIComponent(ticket.key)}`;
const auth = (api: Api) => ({ "shortcut-token": api.token });

/** The story as it is now: updates carry neither its description nor the names of its labels. */
export async function enrich(ticket: StampedTicket, api: Api): Promise<Partial<Pick<TicketFields, "description" | "labels" | "url">>> {
  const story = Story.safeParse(await trackerRequest("GET", storyUrl(ticket, api), auth(api)));
  if (!story.success) return {};
  const { description, labels, app_url } = story.data;
  return { ...(description?.trim() ? { description } : {}), ...(labels.length ? { labels } : {}), ...(app_url ? { url: app_url } : {}) };
}

/** `POST /api/v3/stories/{id}/comments` with `{text}`; API tokens go in `Shortcut-Token`. */
export function commentCall(ticket: StampedTicket, body: string, api: Api): CommentCall {
  return { method: "POST", url: `${storyUrl(ticket, api)}/comments`, headers: auth(api), body: { text: body } };
}

export const writeBack = (ticket: StampedTicket, body: string, api: Api) => send(commentCall(ticket, body, api));
export const commentInstruction = (ticket: StampedTicket, api: Api) => describe(commentCall(ticket, COMMENT_TEXT, api));
