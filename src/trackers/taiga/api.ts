import * as z from "../../zod";
import type { StampedTicket, TrackerApi } from "../contract";
import { TrackerApiError, trackerRequest } from "../kit/http";
import { COMMENT_TEXT, describe, send, type CommentCall } from "../kit/comment-call";

/** Each item type has its own REST collection; a comment is a PATCH of the item. */
const COLLECTIONS = new Map([["issue", "issues"], ["userstory", "userstories"], ["task", "tasks"]]);

const Versioned = z.looseObject({ version: z.number().check(z.int()) });

export function itemPath(reply: StampedTicket["reply"]): string {
  const collection = typeof reply?.type === "string" ? COLLECTIONS.get(reply.type) : undefined;
  if (!collection || typeof reply?.itemId !== "number") throw new Error("Taiga ticket without its item type and id: cannot comment");
  return `/api/v1/${collection}/${reply.itemId}`;
}

/** A comment is a PATCH of the item with its current `version`, with a Bearer token (an application or user token). */
export function commentCall(ticket: StampedTicket, body: string, version: number | string, api: TrackerApi): CommentCall {
  return { method: "PATCH", url: `${api.baseUrl}${itemPath(ticket.reply)}`, headers: { authorization: `Bearer ${api.token}` }, body: { comment: body, version } };
}

export const commentInstruction = (ticket: StampedTicket, api: TrackerApi) => {
  const call = commentCall(ticket, COMMENT_TEXT, "<version>", api);
  return describe({ ...call, note: `<version> is the item's current "version": read it first with GET ${call.url} (same header)` });
};

/** Reads the item's version, then PATCHes `{comment, version}`. */
export async function writeBack(ticket: StampedTicket, body: string, api: TrackerApi): Promise<void> {
  const { url, headers: auth } = commentCall(ticket, body, 0, api);
  // Taiga refuses a write whose `version` is stale; someone may edit the item between our read and our write.
  for (let attempt = 1; ; attempt++) {
    const item = Versioned.safeParse(await trackerRequest("GET", url, auth));
    if (!item.success) throw new Error(`Taiga answered GET ${new URL(url).pathname} without a version`);
    try {
      await send(commentCall(ticket, body, item.data.version, api));
      return;
    } catch (err) {
      const conflict = err instanceof TrackerApiError && (err.status === 400 || err.status === 409);
      if (!conflict || attempt >= 2) throw err;
    }
  }
}
