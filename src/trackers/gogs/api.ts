import type { StampedTicket, TrackerApi } from "../contract";
import { repoIssuePath } from "../kit/github-style";
import { trackerRequest } from "../kit/http";
import { withSuffix } from "../kit/url";

/** `/api/v1` under the instance root; an operator's `GOGS_BASE_URL` may name either. */
export function gogsApiBase(base: string): string {
  return withSuffix(base, "/api/v1");
}

/** `POST /repos/{owner}/{repo}/issues/{n}/comments` with `{body}`; Gogs takes access tokens as `token <t>`. */
export async function writeBack(ticket: StampedTicket, body: string, api: TrackerApi): Promise<void> {
  await trackerRequest("POST", `${gogsApiBase(api.baseUrl)}${repoIssuePath(ticket.key)}/comments`, { authorization: `token ${api.token}` }, { body });
}
