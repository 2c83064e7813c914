import type { StampedTicket, TrackerApi } from "../contract";
import { trackerRequest } from "../kit/http";
import { trimBase, withSuffix } from "../kit/url";

/** `GITLAB_BASE_URL` may name the instance or its API root: both give the web root and the REST root. */
export const webRoot = (base: string) => trimBase(base).replace(/\/api\/v4$/i, "");
export const apiRoot = (base: string) => withSuffix(base, "/api/v4");

/** The numeric project id when the payload had one; otherwise the URL-encoded path, which the API takes as `:id` too. */
export function notesPath(key: string, reply?: Record<string, string | number>): string {
  const match = /^(.+)#(\d+)$/.exec(key);
  const project = reply?.projectId ?? match?.[1];
  const iid = reply?.iid ?? match?.[2];
  if (project === undefined || iid === undefined) throw new Error("ticket has no GitLab project and issue iid");
  return `/projects/${encodeURIComponent(String(project))}/issues/${encodeURIComponent(String(iid))}/notes`;
}

/** `POST /projects/:id/issues/:iid/notes` with a personal, project or group access token (`api` scope). */
export async function writeBack(ticket: StampedTicket, body: string, api: TrackerApi): Promise<void> {
  await trackerRequest("POST", `${apiRoot(api.baseUrl)}${notesPath(ticket.key, ticket.reply)}`, { "private-token": api.token }, { body });
}
