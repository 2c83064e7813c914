import type { StampedTicket, TrackerApi } from "../contract";
import { basicAuth, describe, send, type CommentCall } from "../kit/comment-call";

export interface AzureDevOpsSettings extends Record<string, unknown> {
  AUTH_HEADER?: string;
  API_VERSION?: string;
  CLOSED_STATES?: string[];
}
type Api = TrackerApi<AzureDevOpsSettings>;

/** The comments API's version that Services and Server 2022+ both serve; Server 2020 wants `6.0-preview.3`. */
export const DEFAULT_API_VERSION = "7.0-preview.3";

/** `POST {org}/{project}/_apis/wit/workItems/{id}/comments`: the project is part of the path. */
export function commentsUrl(key: string, project: string, api: Pick<Api, "baseUrl" | "settings">): string {
  const version = encodeURIComponent(api.settings.API_VERSION ?? DEFAULT_API_VERSION);
  return `${api.baseUrl}/${encodeURIComponent(project)}/_apis/wit/workItems/${encodeURIComponent(key)}/comments?api-version=${version}`;
}

/** A personal access token goes as the password of Basic auth with an empty user name. */
export const patAuth = (token: string) => ({ authorization: basicAuth(`:${token}`) });

const escapeHtml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** Comments are HTML: the note's text escaped, its links clickable, its line breaks kept. */
export function commentHtml(body: string): string {
  return escapeHtml(body)
    .replace(/https?:\/\/[^\s<>"]+[^\s<>".,;:!?)]/g, (url) => `<a href="${url}">${url}</a>`)
    .replace(/\r?\n/g, "<br>");
}

/** The comment call with `html` as its text, already HTML. */
export function commentCall(ticket: StampedTicket, html: string, api: Api): CommentCall {
  const project = ticket.reply?.project;
  // Every work item event names its project; without one there is no URL to post to.
  if (typeof project !== "string" || !project) throw new Error("work item without a project");
  return { method: "POST", url: commentsUrl(ticket.key, project, api), headers: patAuth(api.token), body: { text: html } };
}

export const writeBack = (ticket: StampedTicket, body: string, api: Api) => send(commentCall(ticket, commentHtml(body), api));
export const commentInstruction = (ticket: StampedTicket, api: Api) =>
  describe({ ...commentCall(ticket, "<div>your comment</div>", api), note: "text is HTML: escape &, < and >, links as <a href>, line breaks as <br>" });
