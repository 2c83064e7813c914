/**
 * A tracker's case table: what its deliveries look like and what the bridge
 * must answer. The contract suite (test/worker/contract.test.ts) runs every
 * table through the same checks; `npm run send` signs `sample()` with `sign`.
 * Test data only: the Worker never imports a case table, so none of it is bundled.
 */

/** One ticket as a test imagines it; `n` is unique to the test, so no two tests share a ticket. */
export interface CaseTicket {
  n: number;
  title: string;
  description: string;
  /** Every label the ticket carries. */
  labels: string[];
  author: string;
}

/** One webhook request, before signing. */
export interface Delivery {
  body: string;
  /** Headers besides the signature: event name, delivery id. */
  headers?: Record<string, string>;
  /** Appended to `/webhooks/<tracker>`: a query (`?label=…`) or a path-secret segment. */
  suffix?: string;
}

/** What signing adds: headers, and for senders that cannot sign, the secret in the path. */
export interface Signed {
  headers: Record<string, string>;
  suffix?: string;
}

/** What the bridge must answer, and what Devin must then have received. */
export interface Expectation {
  status: number;
  /** A subset of the JSON answer. */
  answer?: Record<string, unknown>;
  /** The answer's `reason` (skips). */
  reason?: RegExp;
  /** For an accepted ticket: Devin's create call; the prompt must contain each of these. */
  prompt?: (string | RegExp)[];
  notInPrompt?: string[];
  /** The ticket key within the source, when it differs from the table's `key(t)`. */
  key?: string;
  /** Trigger label that routed it (default `devin-autofix`). */
  label?: string;
  /** For a forwarded comment: the message Devin received must contain each of these. */
  message?: (string | RegExp)[];
  /** For an accepted ticket: the acknowledgement the ticket must then receive (when it differs from the table's `writeBack`). */
  writeBack?(t: CaseTicket): WriteBackShape;
}

export interface Step {
  deliver(t: CaseTicket): Delivery;
  /** Sign with this secret instead of the test secret; `false` sends it unsigned. */
  secret?: string | false;
  /** Sign another way than the table's `sign` (a bare hex value, another header). */
  sign?(raw: string, secret: string): Promise<Signed>;
  /** Sign these bytes but send the delivery's (tampering). */
  signOver?: (raw: string) => string;
  /** Headers set after signing (to forge or drop one the signer set). */
  override?: Record<string, string | null>;
  expect: Expectation;
}

/** A behaviour only this tracker has, as data: deliveries in order and the answer to each. */
export interface ExtraCase {
  name: string;
  /** Settings for the request path of this case only. */
  env?: Record<string, string>;
  /** Canned tracker-API answers (`http://tracker.mock`) this case needs. */
  routes?(t: CaseTicket): MockRoute[];
  steps: Step[];
}

export interface MockRoute {
  method: string;
  path: string;
  status?: number;
  body?: unknown;
}

/** How the bridge's write-back must look on this tracker's API (the tracker mock records it). */
export interface WriteBackShape {
  method: string;
  path: string;
  /** Header name (lower case) → exact value or pattern; `null`: the header must be absent. */
  headers: Record<string, string | RegExp | null>;
  /** Where the comment's text sits in the JSON body the tracker receives. */
  text(body: any): unknown;
  /** Fields the body must also carry, as a subset (e.g. `{ public: false }`). */
  fixed?: Record<string, unknown>;
}

export interface TrackerCases {
  tracker: string;
  /**
   * A second configuration of the same tracker (Jira Cloud beside Data Center): the table runs in the
   * `variants` test project, whose Worker has this table's `env` on top of the others', so a setting
   * that changes every ticket of the tracker (an auth scheme) never reaches the main table.
   */
  variant?: string;
  /** Settings every case of this tracker runs with (`<SOURCE>_BASE_URL` → the tracker mock, …). */
  env?: Record<string, string>;
  sign(raw: string, secret: string): Promise<Signed>;
  /** The ticket's key within the source (`acme/web-app#12`, `WEB-12`). */
  key(t: CaseTicket): string;
  /** A new ticket carrying `t.labels`. */
  created(t: CaseTicket): Delivery;
  /** `label` just added to a ticket that carries `t.labels` besides it. Absent: the tracker cannot tell. */
  labelAdded?(t: CaseTicket, label: string): Delivery;
  /** `label` just removed. */
  labelRemoved?(t: CaseTicket, label: string): Delivery;
  closed?(t: CaseTicket): Delivery;
  /** Its comment events carry the ticket: a mention on a ticket without a session starts one. */
  mentionStarts?: boolean;
  /** A new comment with `text` on the ticket. Absent: the tracker sends no comment events. */
  comment?(t: CaseTicket, text: string): Delivery;
  /** What the prompt of a ticket started by a mention (`comment(t)`) must show, when less than `prompt(t)` (a slim issue). */
  mentionPrompt?(t: CaseTicket): (string | RegExp)[];
  /** What the prompt for `created(t)` must show besides title and description. */
  prompt(t: CaseTicket): (string | RegExp)[];
  /** Canned tracker-API answers every case needs (e.g. an item's version before commenting). */
  routes?(t: CaseTicket): MockRoute[];
  /** Absent: the tracker is not written to. */
  writeBack?(t: CaseTicket): WriteBackShape;
  extra?: ExtraCase[];
  /** Pure helpers of this tracker (URL building, mapping): each `actual()` (awaited) must deep-equal `expected`. */
  checks?: { name: string; actual(): unknown; expected: unknown }[];
  /** Whether the signature covers the body (HMAC); false for a token in a header or the path. */
  signsBody: boolean;
  /** `npm run send -- <tracker>`: a realistic ticket carrying the trigger label. */
  sample(): Delivery;
}

export const TRIGGER = "devin-autofix";

/** Step builders every table uses: a skip with its reason, a started session, a forwarded comment. */
export const skips = (deliver: Step["deliver"], reason: RegExp): Step => ({ deliver, expect: { status: 200, answer: { status: "skipped" }, reason } });
export const starts = (deliver: Step["deliver"], prompt?: (string | RegExp)[]): Step => ({ deliver, expect: { status: 202, prompt } });
export const forwards = (deliver: Step["deliver"], ...message: (string | RegExp)[]): Step => ({
  deliver,
  expect: { status: 202, answer: { status: "forwarded" }, message },
});

/** `<ID>_URL_SECRET` in the tables that exercise the path-secret form: never the signing secret. */
export const URL_SECRET = "devin-bridge-test-url-secret";
