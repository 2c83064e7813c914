import * as z from "../../zod";
import type { StampedTicket, TrackerApi as Api } from "../contract";
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

export type AuthScheme = "Application" | "Bearer";
export type TaigaSettings = { AUTH_SCHEME?: AuthScheme };
type TrackerApi = Api<TaigaSettings>;

/**
 * `Application <token>`: an application token, which does not expire (taiga-back external_apps).
 * `Bearer <token>`: the login token from /api/v1/auth, which expires after a day, so write-back would
 * stop working; only for operators who chose it.
 */
export const authHeader = (api: TrackerApi) => `${api.settings.AUTH_SCHEME ?? "Application"} ${api.token}`;

/** A login token is a JWT (`eyJ….….…`); an application token is a UUID. */
const looksLikeLoginToken = (token: string) => /^eyJ[\w-]*\.[\w-]+\.[\w-]*$/.test(token);

/** A comment is a PATCH of the item with its current `version`. */
export function commentCall(ticket: StampedTicket, body: string, version: number | string, api: TrackerApi): CommentCall {
  return { method: "PATCH", url: `${api.baseUrl}${itemPath(ticket.reply)}`, headers: { authorization: authHeader(api) }, body: { comment: body, version } };
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
    const item = Versioned.safeParse(await trackerRequest("GET", url, auth).catch((err: unknown) => Promise.reject(explained(err, api))));
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

/** A 401 for a login token sent as an application token (or one that expired) says what to change. */
function explained(err: unknown, api: TrackerApi): unknown {
  if (!(err instanceof TrackerApiError) || err.status !== 401) return err;
  const hint = looksLikeLoginToken(api.token)
    ? api.settings.AUTH_SCHEME === "Bearer"
      ? "TAIGA_API_TOKEN is a login token (JWT), which expires after a day: use an application token instead"
      : "TAIGA_API_TOKEN is a login token (JWT), not an application token: use an application token, or set TAIGA_AUTH_SCHEME=Bearer"
    : "check TAIGA_API_TOKEN (an application token, sent as `Authorization: Application <token>`)";
  err.message = `${err.message}: ${hint}`;
  return err;
}
