import createdFixture from "@fixtures/redmine-issue-created.json?raw";
import { describe, expect, it } from "vitest";
import { redmine } from "../../../src/sources/redmine";
import type { SourceSettings, TrackerApi, WebhookRequest } from "../../../src/sources/types";
import { hmacHex, idsForKey, postWebhook, SECRET, trackerApi, watchRun, ticketOf } from "../helpers";

// Issue ids no other test file uses: the tracker mock and mock Devin are shared by the whole run.
const NO_SETTINGS: SourceSettings = { get: () => undefined };
const API: TrackerApi = { baseUrl: "http://tracker.mock", token: "tok-123", settings: NO_SETTINGS };
const REQ: WebhookRequest = { raw: new Uint8Array(), headers: new Headers(), url: new URL("https://bridge.test/webhooks/redmine") };
const TAGS_CF = 5;

function issue(id: number, edit: (issue: Record<string, any>) => void = () => {}) {
  const p = JSON.parse(createdFixture);
  p.data.issue.id = id;
  edit(p.data.issue);
  return p.data.issue as Record<string, any>;
}

function native(type: string, issueBody: Record<string, any>, journal?: { notes?: string; details?: object[] }) {
  const data: Record<string, unknown> = { issue: issueBody };
  if (journal) data.journal = { id: 901, created_on: "2026-03-11T09:00:00Z", user: { id: 9, name: "Erin Dev" }, details: [], ...journal };
  return { type, timestamp: "2026-03-11T09:00:00Z", data };
}

function plugin(action: string, id: number, extra: Record<string, unknown> = {}) {
  return {
    payload: {
      action,
      issue: { id, subject: "Checkout returns 500 when cart is empty", project: { id: 4, identifier: "web-app", name: "Web App" } },
      url: `https://old.acme.test/redmine/issues/${id}`,
      ...extra,
    },
  };
}


describe("Redmine comment back", () => {
  it("puts the notes on the issue with X-Redmine-API-Key", async () => {
    const path = "/issues/91001.json";
    await trackerApi.route({ method: "PUT", path, status: 200, body: {} });
    const t = ticketOf(redmine.parse(native("issue.created", issue(91001)), REQ, NO_SETTINGS));
    await redmine.comment!(t, "hello\nsecond line", API);
    const calls = await trackerApi.requests(path);
    expect(calls).toHaveLength(1);
    const [call] = calls;
    expect(call!.method).toBe("PUT");
    expect(call!.path).toBe(path);
    expect(call!.headers["x-redmine-api-key"]).toBe("tok-123");
    expect(call!.headers.authorization).toBeUndefined();
    expect(call!.headers["content-type"]).toBe("application/json");
    expect(call!.body).toEqual({ issue: { notes: "hello\nsecond line" } });
  });

  it("throws on a non-2xx answer", async () => {
    const path = "/issues/91002.json";
    await trackerApi.route({ method: "PUT", path, status: 422, body: { errors: ["Notes is invalid"] } });
    const t = ticketOf(redmine.parse(native("issue.created", issue(91002)), REQ, NO_SETTINGS));
    await expect(redmine.comment!(t, "hello", API)).rejects.toThrow(/422/);
  });

  it("takes the instance root from the plugin's issue URL, sub-path included; Redmine 7 reveals none", () => {
    const legacy = ticketOf(redmine.parse(plugin("opened", 91003), REQ, NO_SETTINGS));
    expect(legacy.replyTo).toEqual({ baseUrl: "https://old.acme.test/redmine" });
    const elsewhere = plugin("opened", 91003, { url: "https://old.acme.test/issues/1" });
    expect(ticketOf(redmine.parse(elsewhere, REQ, NO_SETTINGS)).replyTo).toBeUndefined();
    expect(ticketOf(redmine.parse(JSON.parse(createdFixture), REQ, NO_SETTINGS)).replyTo).toBeUndefined();
  });
});

describe("Redmine comment events", () => {
  it("turns an update with notes into a follow-up keyed like the issue's ticket", () => {
    const ticket = ticketOf(redmine.parse(native("issue.created", issue(91010)), REQ, NO_SETTINGS));
    const noted = native("issue.updated", issue(91010), {
      notes: "@devin the guest checkout fails too",
      details: [{ property: "attr", prop_key: "status_id", old_value: "1", value: "2" }],
    });
    expect(redmine.parse(noted, REQ, NO_SETTINGS)).toEqual({
      kind: "comment",
      comment: { source: "redmine", key: ticket.key, id: "#91010", text: "@devin the guest checkout fails too", author: "Erin Dev" },
    });
  });

  it("lets a label added with the notes win: the update is the ticket's event", () => {
    const labelled = native("issue.updated", issue(91011, (i) => (i.custom_fields[0].value = ["backend", "devin-autofix"])), {
      notes: "@devin please take this",
      details: [{ property: "cf", prop_key: String(TAGS_CF), old_value: null, value: "devin-autofix" }],
    });
    expect(ticketOf(redmine.parse(labelled, REQ, NO_SETTINGS)).triggerLabels).toEqual(["devin-autofix"]);
  });

  it("forwards notes on a closed issue too (its session decides), and reads the plugin's journal author", () => {
    const closed = native("issue.updated", issue(91012, (i) => (i.status = { id: 5, name: "Closed", is_closed: true })), {
      notes: "@devin reopen?",
    });
    expect(redmine.parse(closed, REQ, NO_SETTINGS)).toMatchObject({ kind: "comment", comment: { key: "91012" } });
    const legacy = plugin("updated", 91013, {
      journal: { id: 12, notes: "@devin also on mobile", private_notes: false, author: { login: "erin", firstname: "Erin", lastname: "Dev" }, details: [] },
    });
    expect(redmine.parse(legacy, REQ, NO_SETTINGS)).toEqual({
      kind: "comment",
      comment: { source: "redmine", key: "91013", id: "#91013", text: "@devin also on mobile", author: "erin" },
    });
  });

  it("keeps updates without notes as ticket events, and blank notes are no comment", () => {
    expect(redmine.parse(native("issue.updated", issue(91014), { notes: "" }), REQ, NO_SETTINGS).kind).toBe("ticket");
    expect(redmine.parse(native("issue.updated", issue(91014), { notes: "  \n " }), REQ, NO_SETTINGS).kind).toBe("ticket");
    expect(redmine.parse(native("issue.updated", issue(91014)), REQ, NO_SETTINGS).kind).toBe("ticket");
    // Notes on a creation are not a separate comment.
    expect(redmine.parse(native("issue.created", issue(91014), { notes: "@devin" }), REQ, NO_SETTINGS).kind).toBe("ticket");
  });
});

describe("Redmine follow-ups through the Worker", () => {
  async function send(body: unknown) {
    const raw = JSON.stringify(body);
    const headers = { "x-redmine-signature-256": `sha256=${await hmacHex(SECRET, raw)}` };
    return postWebhook(raw, { path: "/webhooks/redmine", unsigned: true, headers });
  }

  it("forwards a note mentioning @devin to the session the label started, and skips one without", async () => {
    const id = 91020;
    const { instanceId, key } = await idsForKey("redmine", String(id), "devin-autofix");
    await using run = await watchRun(instanceId);
    const labelled = native("issue.updated", issue(id, (i) => (i.custom_fields[0].value = ["devin-autofix"])), {
      details: [{ property: "cf", prop_key: String(TAGS_CF), old_value: null, value: "devin-autofix" }],
    });
    expect((await send(labelled)).status).toBe(202);
    await run.waitForStatus("complete");

    const res = await send(native("issue.updated", issue(id), { notes: "@devin the guest checkout fails too" }));
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ status: "forwarded", ticket_key: key, session_id: expect.any(String) });

    const quiet = await send(native("issue.updated", issue(id), { notes: "Looking into it" }));
    expect(quiet.status).toBe(200);
    expect(await quiet.json()).toMatchObject({ status: "skipped", reason: expect.stringMatching(/mention/) });
  });
});
