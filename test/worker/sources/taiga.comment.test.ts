import createdFixture from "@fixtures/taiga-issue-created.json?raw";
import { describe, expect, it } from "vitest";
import { taiga } from "../../../src/sources/taiga";
import type { SourceSettings, TrackerApi, WebhookRequest } from "../../../src/sources/types";
import { hmacHex, idsForKey, postWebhook, SECRET, trackerApi, watchRun, ticketOf } from "../helpers";

const PROJECT = "https://taiga.acme.test/project/acme-web-app";
const NO_SETTINGS: SourceSettings = { get: () => undefined };
const API: TrackerApi = { baseUrl: "http://tracker.mock", token: "tok-123", settings: NO_SETTINGS };
const REQ: WebhookRequest = { raw: new Uint8Array(), headers: new Headers(), url: new URL("https://bridge.test/webhooks/taiga") };

/** The fixture as another item (refs and ids no other test file uses: the mocks are shared by the whole run). */
function item(ref: number, edit: (p: any) => void = () => {}) {
  const p = JSON.parse(createdFixture);
  p.data.ref = ref;
  p.data.id = 95_000 + ref;
  p.data.permalink = `${PROJECT}/issue/${ref}`;
  edit(p);
  return p;
}

/** A `change` whose history entry carries a new comment and no field change. */
function commented(ref: number, edit: (p: any) => void = () => {}) {
  return item(ref, (p) => {
    p.action = "change";
    p.by = { id: 9, permalink: "https://taiga.acme.test/profile/erin", username: "erin", full_name: "Erin Dev" };
    p.change = {
      comment: "@devin the guest checkout fails too",
      comment_html: "<p>@devin the guest checkout fails too</p>",
      delete_comment_date: null,
      comment_versions: null,
      edit_comment_date: null,
      diff: {},
    };
    edit(p);
  });
}


describe("Taiga comment back", () => {
  it("records the item type, its global id and the instance origin", () => {
    expect(ticketOf(taiga.parse(JSON.parse(createdFixture), REQ, NO_SETTINGS)).replyTo).toEqual({
      type: "issue",
      itemId: 1402,
      baseUrl: "https://taiga.acme.test",
    });
    const story = item(501, (p) => {
      p.type = "userstory";
      delete p.data.permalink;
    });
    expect(ticketOf(taiga.parse(story, REQ, NO_SETTINGS)).replyTo).toEqual({ type: "userstory", itemId: 95_501, baseUrl: "https://taiga.acme.test" });
  });

  it("reads the item's version, then PATCHes the comment with it, with Bearer auth", async () => {
    const path = `/api/v1/issues/${95_502}`;
    await trackerApi.route({ method: "GET", path, status: 200, body: { id: 95_502, version: 7 } });
    await trackerApi.route({ method: "PATCH", path, status: 200, body: { id: 95_502, version: 8 } });
    const t = ticketOf(taiga.parse(item(502), REQ, NO_SETTINGS));
    await taiga.comment!(t, "hello", API);
    const calls = await trackerApi.requests(path);
    expect(calls.map((c) => c.method)).toEqual(["GET", "PATCH"]);
    for (const call of calls) {
      expect(call.path).toBe(path);
      expect(call.headers.authorization).toBe("Bearer tok-123");
    }
    expect(calls[1]!.headers["content-type"]).toBe("application/json");
    expect(calls[1]!.body).toEqual({ comment: "hello", version: 7 });
  });

  it("uses the user story and task collections for those items", async () => {
    for (const [type, collection, ref] of [["userstory", "userstories", 503], ["task", "tasks", 504]] as const) {
      const path = `/api/v1/${collection}/${95_000 + ref}`;
      await trackerApi.route({ method: "GET", path, status: 200, body: { version: 1 } });
      await trackerApi.route({ method: "PATCH", path, status: 200, body: { version: 2 } });
      const t = ticketOf(taiga.parse(item(ref, (p) => (p.type = type)), REQ, NO_SETTINGS));
      await taiga.comment!(t, "hello", API);
      expect((await trackerApi.requests(path)).map((c) => c.method)).toEqual(["GET", "PATCH"]);
    }
  });

  it("reads the version again once after a refused PATCH, then throws; a failed GET throws at once", async () => {
    const path = `/api/v1/issues/${95_505}`;
    await trackerApi.route({ method: "GET", path, status: 200, body: { version: 3 } });
    await trackerApi.route({ method: "PATCH", path, status: 400, body: { _error_message: "The version doesn't match with the current one" } });
    const t = ticketOf(taiga.parse(item(505), REQ, NO_SETTINGS));
    await expect(taiga.comment!(t, "hello", API)).rejects.toThrow(/400/);
    expect((await trackerApi.requests(path)).map((c) => c.method)).toEqual(["GET", "PATCH", "GET", "PATCH"]);

    const missing = `/api/v1/issues/${95_506}`;
    await trackerApi.route({ method: "GET", path: missing, status: 404, body: { _error_message: "No Issue matches the given query." } });
    await expect(taiga.comment!(ticketOf(taiga.parse(item(506), REQ, NO_SETTINGS)), "hello", API)).rejects.toThrow(/404/);
    expect((await trackerApi.requests(missing)).map((c) => c.method)).toEqual(["GET"]);

    await expect(taiga.comment!({ ...t, replyTo: undefined }, "hello", API)).rejects.toThrow(/item type and id/);
  });
});

describe("Taiga comment events", () => {
  it("turns a change carrying a comment into a follow-up keyed like the item's ticket", () => {
    const ticket = ticketOf(taiga.parse(item(510), REQ, NO_SETTINGS));
    expect(taiga.parse(commented(510), REQ, NO_SETTINGS)).toEqual({
      kind: "comment",
      comment: { source: "taiga", key: ticket.key, id: "#510", text: "@devin the guest checkout fails too", author: "erin" },
    });
    // A comment with other field changes is still a comment; on a closed item too (its session decides).
    const closed = commented(510, (p) => {
      p.change.diff = { status: { from: "New", to: "Closed" } };
      p.data.status = { id: 12, name: "Closed", is_closed: true };
    });
    expect(taiga.parse(closed, REQ, NO_SETTINGS)).toMatchObject({ kind: "comment", comment: { key: "acme-web-app#510" } });
  });

  it("lets a tag added with the comment win: the change is the item's ticket event", () => {
    const tagged = commented(511, (p) => {
      p.data.tags = ["backend", "devin-autofix"];
      p.change.diff = { tags: { from: ["backend"], to: ["backend", "devin-autofix"] } };
    });
    expect(ticketOf(taiga.parse(tagged, REQ, NO_SETTINGS)).triggerLabels).toEqual(["devin-autofix"]);
  });

  it("skips edited and deleted comments; a change without a comment stays a ticket event", () => {
    const edited = commented(512, (p) => {
      p.change.edit_comment_date = "2026-03-11T09:05:00.000Z";
      p.change.comment_versions = [{ comment: "@devin x", date: "2026-03-11T09:00:00.000Z" }];
    });
    expect(taiga.parse(edited, REQ, NO_SETTINGS)).toMatchObject({ kind: "skip", reason: "comment edited or deleted" });
    const deleted = commented(512, (p) => (p.change.delete_comment_date = "2026-03-11T09:06:00.000Z"));
    expect(taiga.parse(deleted, REQ, NO_SETTINGS)).toMatchObject({ kind: "skip", reason: "comment edited or deleted" });
    expect(taiga.parse(commented(512, (p) => (p.change.comment = "")), REQ, NO_SETTINGS).kind).toBe("ticket");
  });
});

describe("Taiga follow-ups through the Worker", () => {
  async function send(body: unknown, path = "/webhooks/taiga") {
    const raw = JSON.stringify(body);
    return postWebhook(raw, { path, unsigned: true, headers: { "x-taiga-webhook-signature": await hmacHex(SECRET, raw, "SHA-1") } });
  }

  it("acknowledges on the item where its permalink points, and forwards a comment mentioning @devin to its session", async () => {
    const { instanceId, key } = await idsForKey("taiga", "acme-web-app#520", "devin-autofix");
    const path = `/api/v1/issues/${95_520}`;
    await trackerApi.route({ method: "GET", path, status: 200, body: { version: 4 } });
    await trackerApi.route({ method: "PATCH", path, status: 200, body: { version: 5 } });
    // The web app's origin is the API's: a permalink on the tracker mock sends the write-back there.
    const onMock = item(520, (p) => (p.data.permalink = "http://tracker.mock/project/acme-web-app/issue/520"));
    await using run = await watchRun(instanceId);
    expect((await send(onMock, "/webhooks/taiga?label=devin-autofix")).status).toBe(202);
    await run.waitForStatus("complete");
    const patches = (await trackerApi.requests(path)).filter((c) => c.method === "PATCH");
    expect(patches.length).toBeGreaterThan(0);
    expect(patches[0]!.body).toMatchObject({ version: 4, comment: expect.stringContaining("Devin is working on this ticket") });
    expect(patches[0]!.headers.authorization).toMatch(/^Bearer /);

    const res = await send(commented(520));
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ status: "forwarded", ticket_key: key, session_id: expect.any(String) });
  });
});
