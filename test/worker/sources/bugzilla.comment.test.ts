import createFixture from "@fixtures/bugzilla-bmo-bug-create.json?raw";
import { describe, expect, it } from "vitest";
import { bugzilla } from "../../../src/sources/bugzilla";
import type { SourceSettings, TrackerApi, WebhookRequest } from "../../../src/sources/types";
import { TEST_BINDINGS } from "../../support/bindings";
import { idsForKey, postWebhook, SECRET, trackerApi, watchRun, ticketOf } from "../helpers";

// Bug ids no other test file uses: the tracker mock's request log is shared by the whole run.
const NO_SETTINGS: SourceSettings = { get: () => undefined };
const API: TrackerApi = { baseUrl: "http://tracker.mock", token: "tok-123", settings: NO_SETTINGS };
const REQ: WebhookRequest = { raw: new Uint8Array(), headers: new Headers(), url: new URL("https://bridge.test/webhooks/bugzilla") };

function bugCreate(id: number) {
  const p = JSON.parse(createFixture);
  p.bug.id = id;
  return p;
}

/** `comment.create` as BMO's Webhooks connector sends it: the comment inside `bug`. */
function commentCreate(id: number, comment: Record<string, unknown> = {}) {
  const p = JSON.parse(createFixture);
  p.bug.id = id;
  p.bug.comment = { id: 5_000_000 + id, body: "@devin the guest checkout fails too", creation_time: "2026-03-11T09:00:00", is_private: false, number: 3, ...comment };
  p.event = {
    action: "create",
    target: "comment",
    routing_key: "comment.create",
    time: "2026-03-11T09:00:00",
    user: { id: 4190, login: "erin@acme.test", real_name: "Erin Dev" },
  };
  return p;
}


describe("Bugzilla comment back", () => {
  it("posts the comment with X-BUGZILLA-API-KEY", async () => {
    const path = "/rest/bug/1913001/comment";
    await trackerApi.route({ method: "POST", path, status: 201, body: { id: 77 } });
    const t = ticketOf(bugzilla.parse(bugCreate(1913001), REQ, NO_SETTINGS));
    await bugzilla.comment!(t, "hello", API);
    const calls = (await trackerApi.requests(path)).filter((c) => c.method === "POST");
    expect(calls).toHaveLength(1);
    const [call] = calls;
    expect(call!.path).toBe(path);
    expect(call!.headers["x-bugzilla-api-key"]).toBe("tok-123");
    expect(call!.headers.authorization).toBeUndefined();
    expect(call!.headers["content-type"]).toBe("application/json");
    expect(call!.body).toEqual({ comment: "hello" });
  });

  it("throws on a non-2xx answer", async () => {
    const path = "/rest/bug/1913002/comment";
    await trackerApi.route({ method: "POST", path, status: 401, body: { error: true, code: 410 } });
    const t = ticketOf(bugzilla.parse(bugCreate(1913002), REQ, NO_SETTINGS));
    await expect(bugzilla.comment!(t, "hello", API)).rejects.toThrow(/401/);
  });
});

describe("Bugzilla comment events", () => {
  it("turns comment.create into a follow-up keyed like the bug's ticket", () => {
    const ticket = ticketOf(bugzilla.parse(bugCreate(1913010), REQ, NO_SETTINGS));
    expect(bugzilla.parse(commentCreate(1913010), REQ, NO_SETTINGS)).toEqual({
      kind: "comment",
      comment: { source: "bugzilla", key: ticket.key, id: "#1913010", text: "@devin the guest checkout fails too", author: "Erin Dev" },
    });
    // REST's `text` is read when `body` is absent; a user without a real name is named by login.
    const asText = commentCreate(1913010, { body: undefined, text: "@devin see comment 2" });
    asText.event.user = { login: "erin@acme.test", real_name: "" };
    expect(bugzilla.parse(asText, REQ, NO_SETTINGS)).toMatchObject({
      kind: "comment",
      comment: { key: "1913010", text: "@devin see comment 2", author: "erin@acme.test" },
    });
  });

  it("skips comment 0 (the description), private and empty comments", () => {
    expect(bugzilla.parse(commentCreate(1913011, { number: 0 }), REQ, NO_SETTINGS)).toMatchObject({
      kind: "skip",
      reason: expect.stringMatching(/description/),
    });
    // What BMO sends for a private comment: ids and the flag, no text.
    const reduced = {
      bug: { id: 1913011, is_private: false, comment: { id: 5_001_011, is_private: true } },
      event: { action: "create", target: "comment", routing_key: "comment.create" },
    };
    expect(bugzilla.parse(reduced, REQ, NO_SETTINGS)).toMatchObject({ kind: "skip", reason: "private comment" });
    const onPrivateBug = { ...reduced, bug: { id: 1913011, is_private: true, comment: { id: 5_001_011, is_private: false } } };
    expect(bugzilla.parse(onPrivateBug, REQ, NO_SETTINGS)).toMatchObject({ kind: "skip", reason: "private comment" });
    expect(bugzilla.parse(commentCreate(1913011, { body: "  " }), REQ, NO_SETTINGS)).toMatchObject({ kind: "skip", reason: "empty comment" });
  });

  it("answers a comment on a bug without a session as skipped, through the Worker", async () => {
    const res = await postWebhook(JSON.stringify(commentCreate(1913012)), {
      path: "/webhooks/bugzilla",
      unsigned: true,
      headers: { "x-devin-bridge-key": SECRET },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "skipped", reason: expect.stringMatching(/no Devin session/) });
  });
});

describe("Bugzilla write-back and follow-ups through the Worker", () => {
  const send = (body: unknown) =>
    postWebhook(JSON.stringify(body), { path: "/webhooks/bugzilla", unsigned: true, headers: { "x-devin-bridge-key": SECRET } });

  // The test bindings point BUGZILLA_BASE_URL at the tracker mock; no BUGZILLA_API_TOKEN, so TICKET_API_TOKEN is the key.
  it("acknowledges on the bug, then forwards a comment mentioning @devin to its session", async () => {
    const id = 1913020;
    const path = `/rest/bug/${id}/comment`;
    await trackerApi.route({ method: "GET", path, body: { bugs: { [id]: { comments: [{ text: "Empty the cart, press Pay." }] } } } });
    await trackerApi.route({ method: "POST", path, status: 201, body: { id: 1 } });
    const { instanceId, key } = await idsForKey("bugzilla", String(id), "devin-autofix");
    await using run = await watchRun(instanceId);
    const labelled = bugCreate(id);
    labelled.bug.keywords = ["devin-autofix"];
    expect((await send(labelled)).status).toBe(202);
    await run.waitForStatus("complete");
    const posts = (await trackerApi.requests(path)).filter((c) => c.method === "POST");
    expect(posts.length).toBeGreaterThan(0);
    expect(posts[0]!.headers["x-bugzilla-api-key"]).toBe(TEST_BINDINGS.TICKET_API_TOKEN);
    expect(posts[0]!.body).toEqual({ comment: expect.stringContaining("Devin is working on this ticket") });

    const res = await send(commentCreate(id));
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ status: "forwarded", ticket_key: key, session_id: expect.any(String) });
  });
});
