import type * as z from "../zod";

/**
 * The tracker contract: what one tracker folder (`src/trackers/<id>/`) gives the
 * core. Verification is apart from the event handlers; the core stamps the
 * tracker's identity on what the handlers return, reads settings the tracker
 * declared, and never looks into the tracker's private `reply` data.
 */

/** The parts of a webhook request a tracker may look at. `raw` is exactly what was received. */
export interface WebhookRequest {
  raw: Uint8Array;
  headers: Headers;
  url: URL;
  /**
   * The body read as JSON (valid UTF-8, within the depth limit), read once per request
   * whoever asks first: a `verify` that checks a signed field of the body (Linear's
   * timestamp) asks only once the signature holds, and the core reuses the answer. The core
   * sets it; a request built elsewhere may lack it.
   */
  json?(): { ok: true; value: unknown } | { ok: false; reason: string };
}

/** One ticket as a tracker reads it; the core adds `source` and `tracker`. */
export interface TicketFields {
  /** Stable identity within the tracker (project + number where numbers are per project). */
  key: string;
  /** The id people use: `42`, `WEB-128`, `acme/shop#42`. */
  id: string;
  title: string;
  description: string;
  /**
   * `"html"`: `description` is the tracker's raw HTML. The request path only cuts it (at a tag
   * boundary) so the job fits a queue message; the workflow converts it to text before the
   * prompt is built. Absent: plain text (or Markdown), passed on as it is.
   */
  descriptionFormat?: "html";
  /** Every label the ticket carries now. */
  labels: string[];
  /** The labels this event may trigger on: all of them on create, the newly added ones on update. */
  triggerLabels: string[];
  url?: string;
  project?: string;
  /** Who reported the ticket (the prompt's "Reported by"). */
  author?: string;
  /**
   * Who made this event ask for Devin: the reporter of a new ticket, whoever added the label on an
   * update. The allow-lists judge them (absent: the reporter), so a maintainer labelling an outsider's
   * issue is judged as the maintainer, and an outsider's label as the outsider.
   */
  requestedBy?: string;
  /** The users this event just assigned the ticket to (names or ids as the tracker knows them): `ASSIGNEES` may start a session. */
  assignedTo?: string[];
  /** Who made that assignment: the allow-lists judge them, not the reporter. */
  assignedBy?: string;
  /** What this tracker's write-back needs and the payload carried (numeric ids). Private to the tracker. */
  reply?: Record<string, string | number>;
}

/** A new comment on a ticket: a possible follow-up for the ticket's session. */
export interface CommentFields {
  /** Same `key` as the ticket events of this tracker produce for the ticket. */
  key: string;
  /** The ticket's human id, as `TicketFields.id`. */
  id: string;
  text: string;
  /**
   * `"html"`: `text` is raw HTML. The core converts only as much as it keeps (a comment is
   * capped), so a long comment costs the request path no more than a short one.
   */
  textFormat?: "html";
  author?: string;
  /** The tracker's own id of the comment, when the signed body carries one: replays are judged by it. */
  commentId?: string;
  /** The ticket, when the comment's payload carries it: a mention on a ticket without a session starts one from it. */
  ticket?: TicketFields;
}

/** The ticket is no longer for Devin: closed, or a label removed. */
export interface EndFields {
  key: string;
  id: string;
  reason: "closed" | "label_removed";
  /** For `label_removed`: the labels just removed. */
  labels?: string[];
  author?: string;
}

/**
 * What one delivery means. `skip`: well-formed but not for Devin (200);
 * `invalid`: not what this tracker sends (400).
 */
export type TrackerEvent =
  | { kind: "ticket"; ticket: TicketFields }
  | { kind: "comment"; comment: CommentFields }
  | { kind: "ended"; ended: EndFields }
  | { kind: "skip"; reason: string }
  | { kind: "invalid"; reason: string };

/** A setting a tracker declares: read from `<ID>_<NAME>`, validated at start-up, listed in /health. */
export interface SettingSpec<T = unknown> {
  /** One line for operators: what it changes. */
  meaning: string;
  /** Parses the trimmed string value; `undefined` when unset. Throw-free: issues become config errors. */
  schema: z.ZodMiniType<T>;
}

/** Where and how to call the tracker's API for one ticket: the operator's base URL and token. */
export interface TrackerApi<S = Record<string, unknown>> {
  /** No trailing slash. */
  baseUrl: string;
  token: string;
  settings: S;
}

/** What a tracker's handlers get besides the request: its own parsed settings and the operator's base URL. */
export interface TrackerContext<S = Record<string, unknown>> {
  settings: S;
  /** `<ID>_BASE_URL`, trimmed, no trailing slash. */
  baseUrl?: string;
}

/** A ticket with the core's identity stamped on it (see `TicketEvent` in src/ticket.ts). */
export interface StampedTicket extends TicketFields {
  source: string;
  tracker: string;
}

/** What `enrich` may fill in or replace. */
export type EnrichedField = "id" | "title" | "description" | "descriptionFormat" | "labels" | "url" | "project" | "author";

export interface Tracker<S extends Record<string, unknown> = Record<string, unknown>> {
  /** Route segment: `POST /webhooks/<id>`; also the settings prefix (`GITLAB_…`). */
  readonly id: string;
  /** Human name, used in prompts and comments. */
  readonly name: string;
  /** The name in prompts when it depends on a setting (an in-house tracker's own name). */
  displayName?(ctx: TrackerContext<S>): string;
  /** The tracker's own settings (beyond the common WEBHOOK_SECRET, BASE_URL, API_TOKEN, ALLOWED_*). */
  readonly settings: { readonly [K in keyof S]: SettingSpec<S[K]> };
  /** Headers naming one delivery, stable across the sender's retries, most specific first. */
  readonly deliveryIdHeaders: readonly string[];
  /** Checks the signature or token on the raw bytes, in constant time; `secrets` holds every accepted secret. */
  verify(req: WebhookRequest, secrets: readonly string[], ctx: TrackerContext<S>): Promise<boolean>;
  /** Reads a verified payload. Never throws on bad shapes. */
  parse(payload: unknown, req: WebhookRequest, ctx: TrackerContext<S>): TrackerEvent;
  /**
   * Slow completion of a ticket (a description the webhook lacks; for a webhook of bare ids, the
   * whole ticket), in the workflow; a failure keeps the ticket as it was. Never the key: the run
   * was routed and named by it. A `description` comes with its own `descriptionFormat` (absent:
   * plain text, whatever the webhook's was); `"html"` is converted like a webhook's.
   */
  enrich?(ticket: StampedTicket, api: TrackerApi<S>): Promise<Partial<Pick<TicketFields, EnrichedField>>>;
  /**
   * The write-back base the tracker derives from its own settings when `<ID>_BASE_URL` is unset
   * (the generic source's comment endpoint). Configuration only: a payload never chooses where the token goes.
   */
  apiBase?(ctx: TrackerContext<S>): string | undefined;
  /** Posts `body` as a comment on the ticket; throws on failure so the workflow step retries. */
  writeBack?(ticket: StampedTicket, body: string, api: TrackerApi<S>): Promise<void>;
  /**
   * How Devin comments on this ticket itself, for the prompt: the same call as
   * `writeBack` (method, URL on the real instance, auth header, body shape), with
   * `api.token` standing for the `$TICKET_API_TOKEN` variable. Built from the
   * write-back's own URL and header code (kit/comment-call.ts) so the two cannot drift.
   */
  commentInstruction?(ticket: StampedTicket, api: TrackerApi<S>): string;
  /** Its tickets' `project` is a code repository (`owner/name`): sent as the session's `repos` when no rule names any. */
  readonly projectIsRepository?: boolean;
}

/** Identity helper: lets TypeScript infer `S` from the declared settings. */
export function defineTracker<S extends Record<string, unknown>>(tracker: Tracker<S>): Tracker<S> {
  return tracker;
}
