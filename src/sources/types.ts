import type { TicketEvent } from "../ticket";

/** The parts of a webhook request an adapter may look at. `raw` is exactly what was received. */
export interface WebhookRequest {
  raw: Uint8Array;
  headers: Headers;
  url: URL;
}

/** Per-source settings read from `<SOURCE>_<NAME>` variables, falling back to the bare `<NAME>`. */
export interface SourceSettings {
  get(name: string): string | undefined;
}

/**
 * A new comment on a ticket. If it mentions Devin and the ticket already has
 * a session, the bridge forwards it there instead of starting a new one.
 */
export interface TicketComment {
  source: string;
  /** Same `key` as the ticket events of this tracker produce for the ticket. */
  key: string;
  /** The ticket's human id, as `TicketEvent.id` (not the comment's id). */
  id: string;
  text: string;
  author?: string;
}

/**
 * `comment`: a new comment on a ticket (a possible follow-up for its session).
 * `skip`: a well-formed event that is not for Devin (200). `invalid`: the body
 * is not what this source sends (400).
 */
export type ParseResult =
  | { kind: "ticket"; ticket: TicketEvent }
  | { kind: "comment"; comment: TicketComment }
  | { kind: "skip"; reason: string }
  | { kind: "invalid"; reason: string };

/** Where and how to call a tracker's REST API for one ticket. */
export interface TrackerApi {
  /** `<SOURCE>_BASE_URL`, else what the payload revealed; no trailing slash. */
  baseUrl: string;
  /** `<SOURCE>_API_TOKEN`, else `TICKET_API_TOKEN`. */
  token: string;
  settings: SourceSettings;
}

/**
 * One tracker. Adding a tracker means adding a file that implements this and
 * registering it in `sources/index.ts`.
 */
export interface TicketSource {
  /** Route segment: `POST /webhooks/<name>`. */
  readonly name: string;
  /** Human name used in prompts and comments. */
  readonly tracker: string;
  /**
   * Checks the tracker's own signature or token on the raw bytes, in constant time.
   * `secrets` holds every accepted secret (rotation).
   */
  authenticate(req: WebhookRequest, secrets: readonly string[], settings: SourceSettings): Promise<boolean>;
  /** Turns the verified JSON payload into a ticket, or says why not. Never throws on bad shapes. */
  parse(payload: unknown, req: WebhookRequest, settings: SourceSettings): ParseResult;
  /**
   * Optional slow completion of a ticket (e.g. Bugzilla's description, which is
   * not in its webhook). Runs in the workflow, never on the request path; a
   * failure leaves the ticket as it was.
   */
  enrich?(ticket: TicketEvent, settings: SourceSettings): Promise<Partial<Pick<TicketEvent, "description" | "labels" | "url">>>;
  /**
   * Posts `body` (markdown-ish plain text) as a comment on the ticket with the
   * tracker's REST API. Throws on failure so the workflow step retries.
   */
  comment?(ticket: TicketEvent, body: string, api: TrackerApi): Promise<void>;
}
