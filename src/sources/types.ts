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
 * `skip`: a well-formed event that is not for Devin (200). `invalid`: the body
 * is not what this source sends (400).
 */
export type ParseResult =
  | { kind: "ticket"; ticket: TicketEvent }
  | { kind: "skip"; reason: string }
  | { kind: "invalid"; reason: string };

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
  authenticate(req: WebhookRequest, secrets: readonly string[]): Promise<boolean>;
  /** Turns the verified JSON payload into a ticket, or says why not. Never throws on bad shapes. */
  parse(payload: unknown, req: WebhookRequest, settings: SourceSettings): ParseResult;
  /**
   * Optional slow completion of a ticket (e.g. Bugzilla's description, which is
   * not in its webhook). Runs in the workflow, never on the request path; a
   * failure leaves the ticket as it was.
   */
  enrich?(ticket: TicketEvent, settings: SourceSettings): Promise<Partial<Pick<TicketEvent, "description" | "labels" | "url">>>;
}
