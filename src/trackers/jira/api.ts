import type { StampedTicket, TrackerApi } from "../contract";
import { trackerRequest } from "../kit/http";
import { rootBefore, trimBase } from "../kit/url";

/** The instance root, context path kept (`https://host/jira`), from a REST link or a base that names the API. */
export function instanceRoot(url: string | null | undefined): string | undefined {
  return url ? rootBefore(`${trimBase(url)}/`, "/rest/") : undefined;
}

export function commentUrl(base: string, key: string): string {
  return `${instanceRoot(base) ?? trimBase(base)}/rest/api/2/issue/${encodeURIComponent(key)}/comment`;
}

/**
 * Data Center's REST v2 with a personal access token. Cloud would need v3
 * (an ADF body) and Basic `email:token`, which this does not send.
 */
export async function writeBack(ticket: StampedTicket, body: string, api: TrackerApi): Promise<void> {
  await trackerRequest("POST", commentUrl(api.baseUrl, ticket.key), { authorization: `Bearer ${api.token}` }, { body });
}
