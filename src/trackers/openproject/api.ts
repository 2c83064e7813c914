import type { StampedTicket, TrackerApi } from "../contract";
import { basicAuth, COMMENT_TEXT, describe, send, type CommentCall } from "../kit/comment-call";

/** Markdown folds single line breaks into one paragraph; the bridge's lines are meant to stand apart. */
export function asMarkdownParagraphs(text: string): string {
  return text.replace(/\r\n?/g, "\n").replace(/\n+/g, "\n\n");
}

/** `POST /api/v3/work_packages/{id}/activities` with an API key as Basic `apikey:<key>`. */
export function commentCall(ticket: StampedTicket, body: string, api: TrackerApi): CommentCall {
  // In a prompt the key is a shell variable: Devin encodes it, the bridge cannot.
  return {
    method: "POST",
    url: `${api.baseUrl}/api/v3/work_packages/${encodeURIComponent(ticket.key)}/activities`,
    headers: { authorization: basicAuth(`apikey:${api.token}`) },
    body: { comment: { raw: asMarkdownParagraphs(body) } },
  };
}

export const writeBack = (ticket: StampedTicket, body: string, api: TrackerApi) => send(commentCall(ticket, body, api));
export const commentInstruction = (ticket: StampedTicket, api: TrackerApi) => describe(commentCall(ticket, COMMENT_TEXT, api));
