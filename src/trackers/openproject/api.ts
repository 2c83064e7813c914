import type { StampedTicket, TrackerApi } from "../contract";
import { trackerRequest } from "../kit/http";

/** Markdown folds single line breaks into one paragraph; the bridge's lines are meant to stand apart. */
export function asMarkdownParagraphs(text: string): string {
  return text.replace(/\r\n?/g, "\n").replace(/\n+/g, "\n\n");
}

/** `POST /api/v3/work_packages/{id}/activities` with an API key as Basic `apikey:<key>`. */
export async function writeBack(ticket: StampedTicket, body: string, api: TrackerApi): Promise<void> {
  await trackerRequest(
    "POST",
    `${api.baseUrl}/api/v3/work_packages/${encodeURIComponent(ticket.key)}/activities`,
    { authorization: `Basic ${btoa(`apikey:${api.token}`)}` },
    { comment: { raw: asMarkdownParagraphs(body) } },
  );
}
