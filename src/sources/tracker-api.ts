import type { Config } from "../config";
import type { TicketEvent } from "../ticket";
import { envPrefix, sourceSettings } from "./settings";
import type { TrackerApi } from "./types";

/**
 * The API to write back to a ticket's tracker, or null when the operator has
 * not given the bridge a base URL and a token for it: such a tracker is simply
 * not written to.
 */
export function trackerApiFor(config: Config, ticket: TicketEvent): TrackerApi | null {
  const settings = sourceSettings(config, ticket.source);
  // Only the source's own BASE_URL: a bare BASE_URL cannot name every tracker's host.
  const configured = config.env[`${envPrefix(ticket.source)}_BASE_URL`];
  const fromPayload = ticket.replyTo?.baseUrl;
  const base = typeof configured === "string" && configured.trim() ? configured.trim() : typeof fromPayload === "string" ? fromPayload : "";
  const token = settings.get("API_TOKEN") ?? config.ticketApiToken;
  if (!/^https?:\/\//i.test(base) || !token) return null;
  return { baseUrl: base.replace(/\/+$/, ""), token, settings };
}

/** A tracker answered with an error: the message carries the status, never the request's headers. */
export class TrackerApiError extends Error {
  constructor(
    readonly status: number,
    what: string,
  ) {
    super(`${what} answered ${status}`);
    this.name = "TrackerApiError";
  }
}

/** JSON request to a tracker; throws {@link TrackerApiError} on a non-2xx answer. */
export async function trackerRequest(
  method: string,
  url: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<unknown> {
  const res = await fetch(url, {
    method,
    headers: { accept: "application/json", ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(20_000),
  });
  const text = await res.text();
  if (!res.ok) throw new TrackerApiError(res.status, `${method} ${new URL(url).pathname}`);
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return text;
  }
}
