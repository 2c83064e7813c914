import type { StampedTicket, TrackerApi } from "../contract";
import { trackerRequest } from "../kit/http";

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
export const patAuth = (token: string) => ({ authorization: `Basic ${btoa(`:${token}`)}` });

const escapeHtml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** Comments are HTML: the note's text escaped, its links clickable, its line breaks kept. */
export function commentHtml(body: string): string {
  return escapeHtml(body)
    .replace(/https?:\/\/[^\s<>"]+[^\s<>".,;:!?)]/g, (url) => `<a href="${url}">${url}</a>`)
    .replace(/\r?\n/g, "<br>");
}

export async function writeBack(ticket: StampedTicket, body: string, api: Api): Promise<void> {
  const project = ticket.reply?.project;
  // Every work item event names its project; without one there is no URL to post to.
  if (typeof project !== "string" || !project) throw new Error("work item without a project");
  await trackerRequest("POST", commentsUrl(ticket.key, project, api), patAuth(api.token), { text: commentHtml(body) });
}
