import type { StampedTicket, TrackerApi } from "../contract";
import { trackerRequest } from "../kit/http";
import { trimBase, withSuffix } from "../kit/url";

/** `YOUTRACK_BASE_URL` may name the site or its REST root (`…/api`): both give the web root and the REST root. */
export const webRoot = (base: string) => trimBase(base).replace(/\/api$/i, "");
export const apiRoot = (base: string) => withSuffix(base, "/api");

/** `POST /api/issues/{idReadable}/comments` with a permanent token (`perm:…`). */
export async function writeBack(ticket: StampedTicket, body: string, api: TrackerApi): Promise<void> {
  const url = `${apiRoot(api.baseUrl)}/issues/${encodeURIComponent(ticket.key)}/comments`;
  await trackerRequest("POST", url, { authorization: `Bearer ${api.token}` }, { text: body });
}
