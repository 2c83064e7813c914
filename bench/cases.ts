/**
 * Each registered tracker's delivery at a given size, built from its case table
 * (src/trackers/<id>/cases.ts): `created(t)` with `t.description` grown until the
 * body reaches the size, signed with the table's own `sign`. Pure WebCrypto + JSON.
 *
 * A tracker registered in src/trackers/index.ts without a case table is still
 * listed by the benchmark, as "no case table", so a new adapter is noticed.
 */
import type { CaseTicket, TrackerCases } from "../src/trackers/case-table";

const encoder = new TextEncoder();

export interface SourceCase {
  /**
   * A field (JSON path) grown instead of the description, for trackers whose webhook
   * carries no description (the workflow's `enrich` reads it): the cost is then
   * verify + parse of a body of that size.
   */
  pad?: string[];
  /** The description is HTML on this tracker: grow it with HTML rather than plain text. */
  html?: boolean;
  note?: string;
}

/** Per-tracker differences from "grow the description of `created(t)` with plain text". */
export const CASES: Record<string, SourceCase> = {
  bugzilla: { pad: ["bug", "whiteboard"], note: "BMO sends no description (enrich reads comment 0): bug.whiteboard grown" },
  phorge: { pad: ["bench_padding"], note: "Herald sends PHIDs only (enrich reads the task): a field the adapter ignores grown" },
  sentry: { pad: ["data", "event", "exception", "values", "0", "value"], note: "the description is built from the event: the exception's value grown" },
  zammad: { html: true, note: "article body as HTML" },
  "azure-devops": { html: true, note: "System.Description as HTML" },
};

/** Sizes of the request body. "1 MB" stays under the bridge's 1 MiB cap (413 above it). */
export const SIZES = [
  { label: "1 KiB", bytes: 1024 },
  { label: "64 KiB", bytes: 64 * 1024 },
  { label: "1 MB", bytes: 1_000_000 },
] as const;

const DESCRIPTION = "Steps to reproduce:\n1. Open /checkout with an empty cart\n2. Click Pay\n\nExpected: validation error. Actual: HTTP 500.\n";
// What a bug report's description grows with: a log/stack trace, with quotes, backslashes and non-ASCII.
const TEXT_UNIT =
  '  at CheckoutController.submit (/srv/app/src/checkout.ts:128:17) cart="empty" total=0.00 € — retrying \\ step 2/3\n';
const HTML_UNIT = "<p>at CheckoutController.submit (<code>checkout.ts:128</code>) cart=&quot;empty&quot; total=0.00 &euro;</p>\n";

const ticket = (description: string): CaseTicket => ({
  n: 4242,
  title: "Checkout returns 500 when the cart is empty",
  description,
  labels: ["devin-autofix"],
  author: "alice",
});

function setAt(obj: unknown, path: string[], value: string): void {
  let cur = obj as Record<string, unknown>;
  for (const k of path.slice(0, -1)) cur = (cur[k] ??= {}) as Record<string, unknown>;
  cur[path.at(-1)!] = value;
}

export interface BenchDelivery {
  raw: Uint8Array;
  headers: Record<string, string>;
  /** `/webhooks/<tracker>` plus the path secret and query the table's delivery and signer add. */
  path: string;
  /** The path secret segment, for calling intake() directly. */
  pathSecret?: string;
}

/**
 * `created(t)` of the table with the description (or the case's `pad` field) grown so
 * the body is `bytes` long, give or take a byte (never shrunk: a delivery already larger is used as it is).
 */
export async function benchDelivery(table: TrackerCases, bytes: number, secret: string): Promise<BenchDelivery> {
  const c = CASES[table.tracker] ?? {};
  const unit = c.html ? HTML_UNIT : TEXT_UNIT;
  const build = (units: number, filler: number) => {
    const grown = unit.repeat(units) + "x".repeat(filler);
    if (!c.pad) return table.created(ticket(DESCRIPTION + grown));
    const d = table.created(ticket(DESCRIPTION));
    const obj = JSON.parse(d.body) as unknown;
    setAt(obj, c.pad, grown);
    return { ...d, body: JSON.stringify(obj) };
  };
  const size = (units: number, filler: number) => encoder.encode(build(units, filler).body).length;

  // At least one filler `x` throughout: where a format wraps the last line (Jira Cloud's ADF), the wrapper is there from the start.
  let units = 0;
  let filler = 1;
  const base = size(0, 1);
  if (bytes > base) {
    const perUnit = (size(100, 1) - base) / 100;
    if (perUnit <= 0) throw new Error(`${table.tracker}: growing the description does not grow the body (set a pad field in bench/cases.ts)`);
    units = Math.floor((bytes - base) / perUnit);
    while (units > 0 && size(units, 1) > bytes) units--;
    // Filler `x`s are one byte each (two where the description is in the body twice, as Plane's): a few corrections reach the size.
    const perFiller = (size(units, 101) - size(units, 1)) / 100;
    for (let i = 0; i < 5; i++) {
      const missing = bytes - size(units, filler);
      if (Math.abs(missing) < perFiller) break;
      filler = Math.max(1, filler + Math.trunc(missing / perFiller));
    }
  }
  const d = build(units, filler);
  const raw = encoder.encode(d.body);
  if (bytes > base && Math.abs(raw.length - bytes) > 8) throw new Error(`${table.tracker}: padding missed: ${raw.length} bytes instead of ${bytes}`);
  const signed = await table.sign(d.body, secret);
  const path = `/webhooks/${table.tracker}${signed.suffix ?? ""}${d.suffix ?? ""}`;
  const segment = /^\/webhooks\/[^/?]+\/([^/?]+)/.exec(path)?.[1];
  return {
    raw,
    headers: { "content-type": "application/json", ...d.headers, ...signed.headers },
    path,
    ...(segment ? { pathSecret: decodeURIComponent(segment) } : {}),
  };
}
