import { exports } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { MAX_BODY_BYTES } from "../../src/routes/webhooks";
import { trackerIds as sourceNames } from "../../src/trackers";
import { URL_SECRET } from "../../src/trackers/case-table";
import { hmacHex, SECRET, sleep, type Recorded } from "./helpers";

/**
 * A generated corpus thrown at the public URL: every route (sources are read at
 * run time, so a new adapter is covered without touching this file), every
 * method, garbage and hostile bodies, every malformed signature form. The
 * corpus is fixed by SEED; only a per-run marker differs, so this run's
 * requests can be told apart at the mock Devin from other test files'.
 */
const SEED = 0x5eed_2026;
const RUN = crypto.randomUUID().slice(0, 8);
const UNVERIFIED = `FUZZ-U-${RUN}`;
const VERIFIED = `FUZZ-V-${RUN}`;

function mulberry32(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rand = mulberry32(SEED);
const int = (n: number) => Math.floor(rand() * n);
const pick = <T,>(items: readonly T[]): T => items[int(items.length)]!;
const chance = (p: number) => rand() < p;
const encoder = new TextEncoder();

const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "PROPFIND"] as const;
const CONTENT_TYPES = [
  "application/json",
  "application/json; charset=utf-8",
  "application/vnd.gitlab+json",
  "APPLICATION/JSON",
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/jsonx",
  null,
] as const;
const JSON_TYPES = ["application/json", "application/json; charset=utf-8", "application/vnd.gitlab+json", "APPLICATION/JSON"];
const SIGNATURE_HEADERS = [
  "x-hub-signature-256",
  "x-signature-256",
  "x-hub-signature",
  "x-gitea-signature",
  "x-forgejo-signature",
  "x-gogs-signature",
  "x-gitlab-token",
  "webhook-signature",
  "authorization",
  "x-api-key",
  "x-op-signature",
  "x-plane-signature",
  "x-redmine-signature-256",
  "x-taiga-webhook-signature",
] as const;
const EVENT_HEADERS: [string, string[]][] = [
  ["x-github-event", ["issues", "ping", "issue_comment", "push", ""]],
  ["x-gitea-event", ["issues", "issue_label", "x"]],
  ["x-gitlab-event", ["Issue Hook", "Note Hook", "Push Hook", "nonsense"]],
  ["x-plane-event", ["issue", "issue_comment"]],
  ["x-github-delivery", ["d-1", "d-2", "d-1"]],
  ["webhook-id", ["msg_1", "msg_2"]],
  ["webhook-timestamp", ["0", "99999999999999999999", "-1", "abc", String(Math.floor(Date.now() / 1000))]],
];
const KEYS = [
  "id", "title", "description", "labels", "url", "project", "author", "action", "issue", "label", "repository",
  "object_kind", "object_attributes", "changes", "webhookEvent", "issue_event_type_name", "event", "data", "bug",
  "ticket", "article", "work_package", "payload", "type", "fields", "summary", "tags", "__proto__", "constructor", "",
];

function randomText(marker: string): string {
  const pieces = [
    marker,
    "devin-autofix",
    "<!-- hidden -->",
    "\u202e\u200b",
    "\\ud800",
    "😀",
    "'\"\\",
    "\u0000\u0007\n\r\t",
    "a".repeat(int(300)),
    "ü€",
  ];
  return Array.from({ length: 1 + int(4) }, () => pick(pieces)).join("");
}

function randomJson(marker: string, depth = 0): unknown {
  const roll = int(depth > 4 ? 5 : 8);
  switch (roll) {
    case 0:
      return null;
    case 1:
      return chance(0.5);
    case 2:
      return pick([0, -1, 1.5, -0, 1e308, -1e308, 2 ** 53 + 2, 42, Number.MIN_VALUE]);
    case 3:
    case 4:
      return randomText(marker);
    case 5:
      return Array.from({ length: int(6) }, () => randomJson(marker, depth + 1));
    default: {
      const out: Record<string, unknown> = {};
      for (let i = int(7); i > 0; i--) out[pick(KEYS)] = randomJson(marker, depth + 1);
      return out;
    }
  }
}

function ticketLike(marker: string): Record<string, unknown> {
  const t: Record<string, unknown> = {
    id: `${marker}-${int(1e9)}`,
    title: `${marker} ${randomText(marker)}`,
    description: randomText(marker),
    labels: chance(0.5) ? ["bug"] : ["devin-autofix"],
    project: pick(["shop", "acme/web", undefined]),
    author: pick(["alice", { login: "bob" }, undefined]),
  };
  // Wrong types, missing fields, numbers out of range, enormous arrays and strings.
  for (let i = int(3); i > 0; i--) {
    const field = pick(["id", "title", "description", "labels", "url", "project", "author"]);
    t[field] = pick([
      undefined,
      null,
      randomJson(marker),
      -1,
      1.5,
      2 ** 60,
      "x".repeat(300 + int(3000)),
      Array.from({ length: 201 + int(2000) }, (_, n) => `${marker}-${n}`),
      [{ name: "devin-autofix" }],
      { nested: { labels: ["devin-autofix"] } },
    ]);
  }
  return t;
}

/** Byte-level damage on top of JSON: truncation, stray bytes, BOM, invalid UTF-8, escaped lone surrogates. */
function damage(text: string): Uint8Array {
  const bytes = encoder.encode(text);
  switch (int(8)) {
    case 0:
      return bytes.slice(0, int(bytes.length + 1));
    case 1: {
      const at = int(bytes.length + 1);
      return new Uint8Array([...bytes.slice(0, at), pick([0xff, 0xfe, 0xc0, 0xed, 0x80, 0x00]), ...bytes.slice(at)]);
    }
    case 2:
      return new Uint8Array([0xef, 0xbb, 0xbf, ...bytes]);
    case 3:
      return encoder.encode(text.replace(/"([^"\\]{0,8})"/, '"\\ud800$1"'));
    case 4:
      return encoder.encode(`${text}${pick(["}", "]", ",", " garbage", "\u0000", "{}"])}`);
    default:
      return bytes;
  }
}

function garbage(): Uint8Array {
  const bytes = new Uint8Array(int(2048));
  for (let i = 0; i < bytes.length; i++) bytes[i] = int(256);
  return bytes;
}

function nested(): Uint8Array {
  const depth = pick([65, 66, 100, 1_000, 100_000, 400_000]);
  const [open, close] = chance(0.5) ? ["[", "]"] : ['{"a":', "}"];
  return encoder.encode(`{"id":"x","title":"t","labels":["devin-autofix"],"deep":${open.repeat(depth)}1${close.repeat(depth)}}`);
}

function body(marker: string): Uint8Array {
  switch (int(7)) {
    case 0:
      return garbage();
    case 1:
      return nested();
    case 2:
    case 3:
      return damage(JSON.stringify(ticketLike(marker)));
    default:
      return damage(JSON.stringify(randomJson(marker)));
  }
}

/** Every way to present a signature that is not the secret's HMAC of this body. */
async function badSignature(raw: Uint8Array): Promise<[string, string][]> {
  const header = pick(SIGNATURE_HEADERS);
  const hex = (n: number) => Array.from({ length: n }, () => "0123456789abcdef"[int(16)]).join("");
  const otherBody = new Uint8Array([...raw, 0x20]);
  const forms: (() => Promise<string>)[] = [
    async () => "",
    async () => "sha256=",
    async () => "sha1=",
    async () => `sha256=${hex(64)}`,
    async () => `sha1=${hex(40)}`,
    async () => hex(64),
    async () => hex(63),
    async () => `sha256=${hex(64).toUpperCase()}`,
    async () => `SHA256=${await hmacHex(SECRET, otherBody)}`,
    async () => `sha256=${await hmacHex(`${SECRET}x`, raw)}`,
    async () => `sha256=${await hmacHex(SECRET.slice(0, -1), raw)}`,
    async () => `sha256=${await hmacHex(SECRET, otherBody)}`,
    async () => `sha1=${await hmacHex(SECRET, otherBody, "SHA-1")}`,
    async () => `sha256=${(await hmacHex(SECRET, otherBody)).slice(0, 40)}`,
    async () => `sha256=zz${hex(62)}`,
    async () => `sha256=${hex(64)}, sha256=${hex(64)}`,
    async () => `v1,${btoa(hex(32))}`,
    async () => `v1a,${btoa(hex(32))} v2,xyz v1,`,
    async () => `v1,${"A".repeat(8000)}`,
    async () => "Bearer ",
    async () => `Bearer ${SECRET}x`,
    async () => `Basic ${btoa(`user:${SECRET.slice(1)}`)}`,
    async () => SECRET.toUpperCase(),
    async () => `${SECRET} `.repeat(3),
    async () => `\t sha256=${hex(64)} \t`,
    async () => "%ff%fe".repeat(100),
  ];
  const headers: [string, string][] = [[header, await pick(forms)()]];
  if (header === "webhook-signature") headers.push(["webhook-timestamp", String(Math.floor(Date.now() / 1000))], ["webhook-id", "msg_x"]);
  return headers;
}

interface Case {
  name: string;
  verified: boolean;
  open?: boolean;
  expect?: number;
  request: () => Promise<Request>;
}

/** `open` routes answer anyone (GET /health); `verified` ones carry the real path secret. */
function routes(): { path: string; verified: boolean; open?: boolean }[] {
  const out: { path: string; verified: boolean; open?: boolean }[] = [{ path: "/health", verified: false, open: true }];
  for (const source of sourceNames()) {
    out.push({ path: `/webhooks/${source}`, verified: false });
    out.push({ path: `/webhooks/${source}/${SECRET}`, verified: true });
    out.push({ path: `/webhooks/${source}/${encodeURIComponent(`${SECRET}x`)}`, verified: false });
    out.push({ path: `/webhooks/${source}/`, verified: false });
    out.push({ path: `/webhooks/${source}/a/b`, verified: false });
  }
  for (const path of ["/", "/webhooks", "/webhooks/", "/webhooks/nope", "/webhooks/%00", "/webhooks/..%2f..%2fhealth", "/%E0%A4%A", "/webhooks/tickets?label=devin-autofix&label=x"]) {
    out.push({ path, verified: false });
  }
  return out;
}

function build(path: string, method: string, raw: Uint8Array | null, headers: [string, string][]): Request {
  const h = new Headers();
  for (const [k, v] of headers) h.append(k, v);
  const hasBody = raw !== null && method !== "GET" && method !== "HEAD";
  return new Request(`https://bridge.test${path}`, { method, headers: h, body: hasBody ? raw : undefined });
}

function corpus(): Case[] {
  const cases: Case[] = [];
  // 1. Every route × every method, bodies and headers random.
  for (const route of routes()) {
    for (const method of METHODS) {
      const marker = route.verified && method === "POST" ? VERIFIED : UNVERIFIED;
      const raw = body(marker);
      const type = pick(CONTENT_TYPES);
      const extra = chance(0.5) ? [[pick(EVENT_HEADERS)[0], pick(pick(EVENT_HEADERS)[1])] as [string, string]] : [];
      cases.push({
        name: `${method} ${route.path}`,
        verified: route.verified,
        open: route.open,
        request: async () => build(route.path, method, raw, [...(type ? [["content-type", type] as [string, string]] : []), ...extra, ...(route.verified ? [] : await badSignature(raw))]),
      });
    }
  }
  // 2. Forged POSTs at every source with JSON content types: they reach signature checking.
  for (let i = 0; i < 260; i++) {
    const source = pick(sourceNames());
    const raw = body(UNVERIFIED);
    const [eventHeader, values] = pick(EVENT_HEADERS);
    cases.push({
      name: `forged POST /webhooks/${source} #${i}`,
      verified: false,
      request: async () =>
        build(`/webhooks/${source}`, "POST", raw, [
          ["content-type", pick(JSON_TYPES)],
          [eventHeader, pick(values)],
          ...(await badSignature(raw)),
          ...(chance(0.3) ? await badSignature(raw) : []),
        ]),
    });
  }
  // 3. Authentic POSTs of hostile bodies: generic HMAC, or the path secret for any source.
  for (let i = 0; i < 80; i++) {
    const source = pick(sourceNames());
    const raw = body(VERIFIED);
    const viaHmac = source === "tickets" && chance(0.5);
    cases.push({
      name: `authentic POST /webhooks/${source} #${i}`,
      verified: true,
      request: async () =>
        build(viaHmac ? "/webhooks/tickets" : `/webhooks/${source}/${SECRET}`, "POST", raw, [
          ["content-type", pick(JSON_TYPES)],
          ...(viaHmac ? [["x-hub-signature-256", `sha256=${await hmacHex(SECRET, raw)}`] as [string, string]] : []),
        ]),
    });
  }
  // 4. Authentic, well-formed tickets at the edges of the format: they must be accepted, not fail on the queue.
  for (let i = 0; i < 12; i++) {
    const t = {
      id: `${VERIFIED}-ok-${i}`,
      title: `${VERIFIED} ${randomText(VERIFIED)}`.slice(0, 2000),
      description: pick(["", randomText(VERIFIED), "€".repeat(int(300_000)), "x".repeat(800_000), "\u0001".repeat(100_000)]),
      labels: [...Array.from({ length: int(200) }, (_, n) => `${n}-${"é".repeat(int(250))}`), "devin-autofix"],
      url: chance(0.5) ? `https://t.example/${"u".repeat(int(1900))}` : undefined,
      project: chance(0.5) ? "p".repeat(int(256)) : undefined,
    };
    // A lone surrogate, escaped as JSON allows, rides along in every title.
    const raw = encoder.encode(JSON.stringify(t).replace('"title":"', '"title":"\\ud800'));
    cases.push({
      name: `authentic edge ticket #${i}`,
      verified: true,
      expect: 202,
      request: async () =>
        build("/webhooks/tickets", "POST", raw, [
          ["content-type", "application/json"],
          ["x-hub-signature-256", `sha256=${await hmacHex(SECRET, raw)}`],
        ]),
    });
  }
  // 5. Oversize: over 1 MiB with a length, and streamed without one.
  for (const verified of [false, true]) {
    const big = encoder.encode(`{"id":"${verified ? VERIFIED : UNVERIFIED}","title":"t","description":"${"x".repeat(MAX_BODY_BYTES)}"}`);
    cases.push({
      name: `oversize ${verified ? "authentic" : "forged"}`,
      verified,
      request: async () =>
        build(verified ? `/webhooks/tickets/${URL_SECRET}` : "/webhooks/tickets", "POST", big, [
          ["content-type", "application/json"],
          ...(verified ? [] : await badSignature(big)),
        ]),
    });
    cases.push({
      name: `oversize streamed ${verified ? "authentic" : "forged"}`,
      verified,
      request: async () => {
        const chunk = encoder.encode("x".repeat(64 * 1024));
        let sent = 0;
        const stream = new ReadableStream<Uint8Array>({
          pull(controller) {
            if (sent++ > 20) controller.close();
            else controller.enqueue(chunk);
          },
        });
        return new Request(`https://bridge.test${verified ? `/webhooks/tickets/${URL_SECRET}` : "/webhooks/gitlab"}`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-gitlab-token": "nope" },
          body: stream,
        });
      },
    });
  }
  return cases;
}

const UNVERIFIED_ANSWERS = [401, 404, 405, 413, 415];

async function devinPosts(marker: string): Promise<Recorded[]> {
  const all = (await (await fetch("http://devin.mock/__mock/requests")).json()) as Recorded[];
  return all.filter((r) => r.method === "POST" && JSON.stringify(r.body ?? "").includes(marker));
}

describe("fuzz: the public URL under a generated corpus", () => {
  it(`never answers 5xx, and nothing unverified reaches Devin (seed ${SEED.toString(16)})`, async () => {
    const cases = corpus();
    expect(cases.length).toBeGreaterThanOrEqual(200);
    const before = await devinPosts(UNVERIFIED);
    const started = Date.now();
    const failures: string[] = [];
    const tally = new Map<number, number>();
    // The worker logs every decision; keep them for a check instead of flooding the output.
    const lines: string[] = [];
    for (const method of ["log", "warn", "error"] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(" ")));
    }

    for (const c of cases) {
      const request = await c.request();
      const res = await exports.default.fetch(request);
      const text = await res.text();
      tally.set(res.status, (tally.get(res.status) ?? 0) + 1);
      const where = `${c.name} → ${res.status} ${text.slice(0, 120)}`;
      if (res.status >= 500) failures.push(`5xx: ${where}`);
      if (!c.verified && !(c.open && res.status === 200) && !UNVERIFIED_ANSWERS.includes(res.status)) failures.push(`unverified got through: ${where}`);
      if (request.method !== "HEAD") {
        if (!res.headers.get("content-type")?.includes("application/json")) failures.push(`not JSON: ${where}`);
        else if (res.status >= 400 && !(JSON.parse(text) as { error?: { code?: string } }).error?.code) failures.push(`no error code: ${where}`);
      }
      if (c.expect && res.status !== c.expect) failures.push(`expected ${c.expect}: ${where}`);
      if (res.status === 405 && !res.headers.get("allow")) failures.push(`405 without Allow: ${where}`);
    }

    // Let the queue hand anything that slipped through to the consumer and on to Devin.
    await sleep(2_000);
    vi.restoreAllMocks();
    const after = await devinPosts(UNVERIFIED);
    for (const line of lines) {
      try {
        JSON.parse(line);
      } catch {
        failures.push(`log line is not JSON: ${line.slice(0, 120)}`);
      }
      if (line.includes(SECRET)) failures.push(`log line holds the secret: ${line.slice(0, 120)}`);
    }
    if (lines.some((l) => l.includes('"event":"unhandled"'))) failures.push("an exception escaped to the app's error handler");
    console.info(`fuzz: ${cases.length} requests in ${Date.now() - started} ms`, JSON.stringify(Object.fromEntries(tally)));
    expect(failures).toEqual([]);
    expect(after.length - before.length).toBe(0);
  }, 60_000);
});
