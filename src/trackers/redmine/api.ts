import type { StampedTicket, TrackerApi } from "../contract";
import { trackerRequest } from "../kit/http";

/** Redmine's own API-key header: an `Authorization` header would make it try Basic auth instead. */
export const apiHeaders = (token: string): Record<string, string> => ({ "x-redmine-api-key": token });

/** Redmine adds a comment as the `notes` of an issue update; it answers 204. */
export async function writeBack(ticket: StampedTicket, body: string, api: Pick<TrackerApi, "baseUrl" | "token">): Promise<void> {
  await trackerRequest("PUT", `${api.baseUrl}/issues/${encodeURIComponent(ticket.key)}.json`, apiHeaders(api.token), { issue: { notes: body } });
}
