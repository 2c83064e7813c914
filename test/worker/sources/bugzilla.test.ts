import createFixture from "@fixtures/bugzilla-bmo-bug-create.json?raw";
import { describe, expect, it } from "vitest";
import { bugzilla } from "../../../src/sources/bugzilla";
import type { SourceSettings, WebhookRequest } from "../../../src/sources/types";
import type { TicketEvent } from "../../../src/ticket";
import { TEST_BINDINGS } from "../../support/bindings";
import { SECRET, devin, postWebhook, sleep, trackerApi, expectSkipped, expectOneSession as oneSession } from "../helpers";

const TITLE = "Checkout returns 500 when cart is empty";
const BASE = "https://bugzilla.acme.test";
const ENRICH_ENV = { BUGZILLA_BASE_URL: "http://tracker.mock", BUGZILLA_API_KEY: "bz-key" };
const ENRICH_SETTINGS = { BASE_URL: ENRICH_ENV.BUGZILLA_BASE_URL, API_KEY: ENRICH_ENV.BUGZILLA_API_KEY };

/** The fixture's bug under another id (KV persists across the tests of this file). */
function bug(id: number, edit: (bug: Record<string, any>, event: Record<string, any>) => void = () => {}) {
  const p = JSON.parse(createFixture);
  p.bug.id = id;
  edit(p.bug, p.event);
  return JSON.stringify(p);
}

const withKeywords = (keywords: string[]) => (b: Record<string, any>) => {
  b.keywords = keywords;
};

function modify(id: number, changes: { field: string; removed: string; added: string }[], keywords: string[]) {
  return bug(id, (b, e) => {
    b.keywords = keywords;
    e.action = "modify";
    e.routing_key = `bug.modify:${changes.map((c) => c.field).join(",")}`;
    e.changes = changes;
  });
}

async function send(raw: string, o: { key?: string | null; path?: string; env?: Record<string, unknown> } = {}) {
  const headers: Record<string, string> = { accept: "application/json" };
  const key = o.key === undefined ? SECRET : o.key;
  if (key !== null) headers["x-devin-bridge-key"] = key;
  return postWebhook(raw, { path: o.path ?? "/webhooks/bugzilla", unsigned: true, headers, env: o.env });
}


const expectOneSession = (id: number, post: () => Promise<Response>) =>
  oneSession("bugzilla", String(id), post);

describe("Bugzilla (BMO Webhooks extension)", () => {
  it("starts one session from the real bug.create delivery, naming Bugzilla and the bug URL", async () => {
    const { create } = await expectOneSession(1912345, () =>
      send(createFixture, { path: "/webhooks/bugzilla?label=devin-autofix", env: { BUGZILLA_BASE_URL: BASE } }),
    );
    expect(create.body.playbook_id).toBe("playbook-autofix-0001");
    expect(create.body.title).toContain(TITLE);
    expect(create.body.title).toBe(`#1912345: ${TITLE} (Bugzilla)`);
    const prompt: string = create.body.prompt;
    expect(prompt.startsWith(`Ticket #1912345: ${TITLE}`)).toBe(true);
    expect(prompt).toContain("Tracker: Bugzilla");
    expect(prompt).toContain(`Ticket URL: ${BASE}/show_bug.cgi?id=1912345`);
    expect(prompt).toContain("Project: Web App");
    expect(prompt).toContain("Reported by: Dana Ops");
    // No description in the webhook and no API to ask: the summary stands in.
    expect(prompt).toContain(`Description (reporter's words):\n\`\`\`text\n${TITLE}\n\`\`\``);
  });

  it("skips the fixture without an override: it has no keywords", async () => {
    await expectSkipped(await send(createFixture), /no trigger label/);
  });

  it("401 for a wrong key or no key; the path-secret form works and rejects a wrong secret", async () => {
    const raw = bug(1912346, withKeywords(["devin-autofix"]));
    expect((await send(raw, { key: "not-the-secret" })).status).toBe(401);
    expect((await send(raw, { key: null })).status).toBe(401);
    expect((await send(raw, { key: null, path: "/webhooks/bugzilla/not-the-secret" })).status).toBe(401);
    const { create } = await expectOneSession(1912346, () => send(raw, { key: null, path: `/webhooks/bugzilla/${SECRET}` }));
    expect(create.body.prompt.startsWith(`Ticket #1912346: ${TITLE}`)).toBe(true);
  });

  it("triggers when bug.modify adds the keyword, and answers a redelivery as a duplicate", async () => {
    const raw = modify(1912347, [{ field: "keywords", removed: "", added: "perf, devin-autofix" }], ["perf", "devin-autofix"]);
    const { tag } = await expectOneSession(1912347, () => send(raw));
    const again = await send(raw);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ status: "duplicate", ticket_key: "bugzilla:1912347:devin-autofix" });
    await sleep(1_500);
    expect(await devin.creates(tag)).toHaveLength(1);
  });

  it("skips a modify that adds no keyword, even on a bug that already has one", async () => {
    const raw = modify(1912348, [{ field: "status", removed: "NEW", added: "ASSIGNED" }], ["devin-autofix"]);
    await expectSkipped(await send(raw), /no trigger label/);
  });

  it("skips comment events not in the Webhooks shape, private bugs, resolved bugs and unknown bodies", async () => {
    // Push's internal shape (comment at the top): the Webhooks extension moves it into bug.comment.
    const comment = JSON.stringify({
      comment: { id: 1, bug: { id: 1912349, summary: TITLE }, number: 1, body: "Still broken" },
      event: { action: "create", routing_key: "comment.create", target: "comment" },
    });
    await expectSkipped(await send(comment), /comment\.create without/);
    const commentOnBug = bug(1912349, (b, e) => {
      b.keywords = ["devin-autofix"];
      e.routing_key = "comment.create";
    });
    await expectSkipped(await send(commentOnBug), /comment\.create without/);
    const reduced = JSON.stringify({
      bug: { id: 1912350, is_private: true },
      event: { action: "modify", routing_key: "bug.modify:is_private", changes: [{ field: "is_private", removed: "0", added: "1" }] },
    });
    await expectSkipped(await send(reduced), /private/);
    const resolved = modify(1912351, [{ field: "keywords", removed: "", added: "devin-autofix" }], ["devin-autofix"]);
    const fixed = JSON.parse(resolved);
    fixed.bug.status = "RESOLVED";
    fixed.bug.resolution = "FIXED";
    await expectSkipped(await send(JSON.stringify(fixed)), /resolved/);
    await expectSkipped(await send(JSON.stringify({ bug: { id: 1912352 } })), /not a Bugzilla webhook/);
    await expectSkipped(await send(JSON.stringify({ bug: { id: 1912352 }, event: { routing_key: "bug.create" } })), /without a summary/);
  });
});

describe("Bugzilla enrichment (comment 0 as the description)", () => {
  const settings = (values: Record<string, string>): SourceSettings => ({ get: (name) => values[name] });
  const ticketFor = (id: number): TicketEvent => ({
    source: "bugzilla",
    tracker: "Bugzilla",
    key: String(id),
    id: `#${id}`,
    title: TITLE,
    description: TITLE,
    labels: [],
    triggerLabels: [],
  });

  it("reads comment 0 with the API key", async () => {
    await trackerApi.route({
      method: "GET",
      path: "/rest/bug/1912360/comment",
      body: { bugs: { "1912360": { comments: [{ text: "Steps: empty cart, Pay. Actual: 500." }, { text: "me too" }] } } },
    });
    const extra = await bugzilla.enrich!(ticketFor(1912360), settings({ BASE_URL: "http://tracker.mock/", API_KEY: "bz-key" }));
    expect(extra).toEqual({ description: "Steps: empty cart, Pay. Actual: 500." });
    const [call] = await trackerApi.requests("/rest/bug/1912360/comment");
    expect(call!.method).toBe("GET");
    expect(call!.headers["x-bugzilla-api-key"]).toBe("bz-key");
  });

  it("throws on a non-2xx answer so the workflow step retries", async () => {
    await trackerApi.route({ method: "GET", path: "/rest/bug/1912361/comment", status: 401, body: { error: true } });
    await expect(bugzilla.enrich!(ticketFor(1912361), settings(ENRICH_SETTINGS))).rejects.toThrow(/401/);
  });

  it("does nothing without a base URL and an API key", async () => {
    expect(await bugzilla.enrich!(ticketFor(1912362), settings({ BASE_URL: "http://tracker.mock" }))).toEqual({});
    expect(await trackerApi.requests("/rest/bug/1912362/")).toHaveLength(0);
  });

  // The workflow reads settings from the Worker's own env: the test bindings carry BUGZILLA_BASE_URL / _API_KEY.
  it("puts comment 0 into the Devin prompt end to end", async () => {
    await trackerApi.route({
      method: "GET",
      path: "/rest/bug/1912363/comment",
      body: { bugs: { "1912363": { comments: [{ text: "Comment zero: the cart total is computed as NaN." }] } } },
    });
    const raw = bug(1912363, withKeywords(["devin-autofix"]));
    const { create } = await expectOneSession(1912363, () => send(raw));
    expect(create.body.prompt).toContain("Comment zero: the cart total is computed as NaN.");
    const calls = await trackerApi.requests("/rest/bug/1912363/comment");
    expect(calls.length).toBeGreaterThan(0);
    expect(calls[0]!.headers["x-bugzilla-api-key"]).toBe(TEST_BINDINGS.BUGZILLA_API_KEY);
  });
});

describe("Bugzilla auth header name", () => {
  const request = (headers: Record<string, string>): WebhookRequest => ({
    raw: new TextEncoder().encode("{}"),
    headers: new Headers(headers),
    url: new URL("https://bridge.test/webhooks/bugzilla"),
  });
  const named = (name: string): SourceSettings => ({ get: (n) => (n === "AUTH_HEADER" ? name : undefined) });
  const authenticate = bugzilla.authenticate as (req: WebhookRequest, secrets: readonly string[], settings?: SourceSettings) => Promise<boolean>;

  it("reads the header the hook owner chose, and falls back to the default for a bad name", async () => {
    expect(await authenticate(request({ "X-Bmo-Token": SECRET }), [SECRET], named("X-Bmo-Token"))).toBe(true);
    expect(await authenticate(request({ "X-Devin-Bridge-Key": SECRET }), [SECRET], named("X-Bmo-Token"))).toBe(false);
    expect(await authenticate(request({ "X-Devin-Bridge-Key": SECRET }), [SECRET], named("bad header"))).toBe(true);
    expect(await authenticate(request({ "X-Devin-Bridge-Key": SECRET }), ["old", SECRET])).toBe(true);
  });
});
