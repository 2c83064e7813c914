/**
 * How to turn each registered tracker's fixture (src/trackers/<id>/fixtures) into a
 * signed request of a given size. Pure WebCrypto + JSON: runs in Node or workerd.
 *
 * A tracker registered in src/trackers/index.ts without an entry here is still
 * listed by the benchmark, as "no fixture mapping", so a new adapter is noticed.
 */

import { hexHmac } from "../src/trackers/kit/sign";

const encoder = new TextEncoder();

export type Signer = (raw: Uint8Array, secret: string) => Promise<Record<string, string>>;

export interface SourceCase {
  /** File in src/trackers/<id>/fixtures; `null` = the generic body built below. */
  fixture: string | null;
  /** Text fields (JSON paths) grown to reach the size; several share the growth evenly. */
  pad: { path: string[]; html?: boolean }[];
  /** Non-signature headers the tracker sends. */
  headers?: Record<string, string>;
  /**
   * `?label=devin-autofix` (the operator's forced route) where the fixture's ticket carries
   * no trigger label, so every case goes the whole way to "accepted".
   */
  query?: string;
  sign: Signer;
  note?: string;
}

const hexHeader =
  (header: string, hash: "SHA-256" | "SHA-1", prefix: string): Signer =>
  async (raw, secret) => ({ [header]: prefix + (await hexHmac(hash, secret, raw)) });

const tokenHeader =
  (header: string, scheme = ""): Signer =>
  async (_raw, secret) => ({ [header]: scheme + secret });

/** Source name (route segment) → fixture, headers and the field(s) that carry the ticket text. */
export const CASES: Record<string, SourceCase> = {
  tickets: { fixture: null, pad: [{ path: ["description"] }], sign: hexHeader("x-hub-signature-256", "SHA-256", "sha256=") },
  github: {
    fixture: "github-issue-labeled.json",
    pad: [{ path: ["issue", "body"] }],
    headers: { "x-github-event": "issues" },
    sign: hexHeader("x-hub-signature-256", "SHA-256", "sha256="),
  },
  gitea: {
    fixture: "gitea-issue-opened.json",
    pad: [{ path: ["issue", "body"] }],
    headers: { "x-gitea-event": "issues" },
    query: "?label=devin-autofix",
    sign: hexHeader("x-gitea-signature", "SHA-256", ""),
  },
  forgejo: {
    fixture: "gitea-issue-opened.json",
    pad: [{ path: ["issue", "body"] }],
    headers: { "x-forgejo-event": "issues" },
    query: "?label=devin-autofix",
    sign: hexHeader("x-forgejo-signature", "SHA-256", ""),
  },
  gitlab: {
    fixture: "gitlab-issue-open.json",
    pad: [{ path: ["object_attributes", "description"] }, { path: ["changes", "description", "current"] }],
    headers: { "x-gitlab-event": "Issue Hook" },
    query: "?label=devin-autofix",
    sign: tokenHeader("x-gitlab-token"),
    note: "X-Gitlab-Token (secret in clear)",
  },
  jira: {
    fixture: "jira-dc-issue-created.json",
    pad: [{ path: ["issue", "fields", "description"] }],
    query: "?label=devin-autofix",
    sign: hexHeader("x-hub-signature", "SHA-256", "sha256="),
    note: "Jira Cloud-style body HMAC (DC would use the path secret)",
  },
  youtrack: {
    fixture: "youtrack-workflow-issue-created.json",
    pad: [{ path: ["description"] }],
    sign: tokenHeader("authorization", "Bearer "),
  },
  redmine: {
    fixture: "redmine-issue-created.json",
    pad: [{ path: ["data", "issue", "description"] }],
    query: "?label=devin-autofix",
    sign: hexHeader("x-redmine-signature-256", "SHA-256", "sha256="),
  },
  bugzilla: {
    fixture: "bugzilla-bmo-bug-create.json",
    // BMO sends no description; grow a field the adapter ignores, so the cost is verify + JSON parse.
    pad: [{ path: ["bug", "whiteboard"] }],
    query: "?label=devin-autofix",
    sign: tokenHeader("x-devin-bridge-key"),
    note: "no description in BMO webhooks: bug.whiteboard grown",
  },
  zammad: {
    fixture: "zammad-ticket-created.json",
    pad: [{ path: ["article", "body"], html: true }],
    headers: { "x-zammad-trigger": "Devin: autofix tag added" },
    query: "?label=devin-autofix",
    sign: hexHeader("x-hub-signature", "SHA-1", "sha1="),
  },
  openproject: {
    fixture: "openproject-work-package-created.json",
    pad: [{ path: ["work_package", "description", "raw"] }, { path: ["work_package", "description", "html"], html: true }],
    query: "?label=devin-autofix",
    sign: hexHeader("x-op-signature", "SHA-1", "sha1="),
  },
  plane: {
    fixture: "plane-issue-created.json",
    pad: [{ path: ["data", "description_stripped"] }, { path: ["data", "description_html"], html: true }],
    headers: { "x-plane-event": "issue" },
    query: "?label=devin-autofix",
    sign: hexHeader("x-plane-signature", "SHA-256", ""),
  },
  taiga: {
    fixture: "taiga-issue-created.json",
    pad: [{ path: ["data", "description"] }],
    query: "?label=devin-autofix",
    sign: hexHeader("x-taiga-webhook-signature", "SHA-1", ""),
  },
};

export const GENERIC_TICKET = {
  id: "BENCH-1",
  title: "Checkout returns 500 when cart is empty",
  description: "Steps to reproduce:\n1. Open /checkout with an empty cart\n2. Click Pay\n\nExpected: validation error. Actual: HTTP 500.",
  labels: ["devin-autofix"],
  url: "https://tickets.example.test/BENCH-1",
  project: "shop",
  author: "alice",
};

/** Sizes of the request body. "1 MB" stays under the bridge's 1 MiB cap (413 above it). */
export const SIZES = [
  { label: "1 KiB", bytes: 1024 },
  { label: "64 KiB", bytes: 64 * 1024 },
  { label: "1 MB", bytes: 1_000_000 },
] as const;

// What a bug report's description grows with: a log/stack trace, with quotes, backslashes and non-ASCII.
const TEXT_UNIT =
  '  at CheckoutController.submit (/srv/app/src/checkout.ts:128:17) cart="empty" total=0.00 € — retrying \\ step 2/3\n';
const HTML_UNIT = "<p>at CheckoutController.submit (<code>checkout.ts:128</code>) cart=&quot;empty&quot; total=0.00 &euro;</p>\n";

const byteLength = (s: string) => encoder.encode(s).length;

function getAt(obj: unknown, path: string[]): unknown {
  let cur = obj;
  for (const k of path) cur = (cur as Record<string, unknown> | null)?.[k];
  return cur;
}

function setAt(obj: unknown, path: string[], value: unknown): void {
  let cur = obj as Record<string, unknown>;
  for (const k of path.slice(0, -1)) cur = (cur[k] ??= {}) as Record<string, unknown>;
  cur[path.at(-1)!] = value;
}

/**
 * Compact JSON of `payload` grown to exactly `bytes` bytes (never shrunk: a
 * fixture already larger than the target is used as it is).
 */
export function padPayload(payload: unknown, c: Pick<SourceCase, "pad">, bytes: number): Uint8Array {
  const obj = structuredClone(payload);
  for (const { path } of c.pad) if (typeof getAt(obj, path) !== "string") setAt(obj, path, "");
  const base = byteLength(JSON.stringify(obj));
  let deficit = bytes - base;
  if (deficit > 0 && c.pad.length > 0) {
    const share = Math.floor(deficit / c.pad.length);
    c.pad.forEach(({ path, html }, i) => {
      const unit = html ? HTML_UNIT : TEXT_UNIT;
      const unitBytes = byteLength(JSON.stringify(unit)) - 2;
      const want = i === c.pad.length - 1 ? deficit : share;
      const n = Math.floor(want / unitBytes);
      const rest = want - n * unitBytes;
      setAt(obj, path, (getAt(obj, path) as string) + unit.repeat(n) + "x".repeat(rest));
      deficit -= want;
    });
  }
  const raw = encoder.encode(JSON.stringify(obj));
  if (bytes > base && raw.length !== bytes) throw new Error(`padding missed: ${raw.length} bytes instead of ${bytes}`);
  return raw;
}
