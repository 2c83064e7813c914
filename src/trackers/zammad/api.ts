import type { StampedTicket, TrackerApi } from "../contract";
import { trackerRequest } from "../kit/http";

/** An article as the bridge posts it: a plain-text note, internal unless `ZAMMAD_COMMENT_INTERNAL=false`. */
export function noteFor(key: string, body: string, internal = true) {
  return { ticket_id: /^\d+$/.test(key) ? Number(key) : key, body, content_type: "text/plain", type: "note", internal };
}

/** Internal by default: a helpdesk ticket's customer sees public notes, and session and PR links are for agents. */
export async function writeBack(ticket: StampedTicket, body: string, api: TrackerApi<{ COMMENT_INTERNAL?: boolean }>): Promise<void> {
  await trackerRequest("POST", `${api.baseUrl}/api/v1/ticket_articles`, { authorization: `Token token=${api.token}` }, noteFor(ticket.key, body, api.settings.COMMENT_INTERNAL));
}
