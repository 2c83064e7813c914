import createdFixture from "@fixtures/plane-issue-created.json?raw";
import { describe, expect, it } from "vitest";
import { plane } from "../../../src/sources/plane";
import type { SourceSettings, TrackerApi, WebhookRequest } from "../../../src/sources/types";
import { hmacHex, postWebhook, SECRET, trackerApi, ticketOf } from "../helpers";

const PROJECT_ID = "22b6fc9c-1849-45da-b103-52a3e3a6b4c1";
const FIXTURE_ID = "e3f1a2b4-5c6d-4e7f-8a9b-0c1d2e3f4a5b";
const NO_SETTINGS: SourceSettings = { get: () => undefined };
const settings = (values: Record<string, string>): SourceSettings => ({ get: (name) => values[name] });
/** `PLANE_BASE_URL` is the workspace URL. */
const API: TrackerApi = { baseUrl: "http://tracker.mock/acme", token: "tok-123", settings: NO_SETTINGS };

// Work item UUIDs no other test file uses: the tracker mock's request log is shared by the whole run.
const itemId = (n: number) => `94000000-5c6d-4e7f-8a9b-${String(n).padStart(12, "0")}`;
const commentsPath = (slug: string, id: string) => `/api/v1/workspaces/${slug}/projects/${PROJECT_ID}/issues/${id}/comments/`;

function request(event: string): WebhookRequest {
  return { raw: new Uint8Array(), headers: new Headers({ "x-plane-event": event }), url: new URL("https://bridge.test/webhooks/plane") };
}

function created(n?: number) {
  const p = JSON.parse(createdFixture);
  if (n !== undefined) p.data.id = itemId(n);
  return p;
}

/** An `issue_comment` delivery: IssueCommentSerializer's fields (no `comment_stripped`). */
function commented(issue: string, edit: (p: any) => void = () => {}) {
  const p: any = {
    event: "issue_comment",
    action: "created",
    webhook_id: "3c2c32ac-82df-48b3-be2a-a3e21dbe8692",
    workspace_id: "d2d97c94-a6ad-4012-b526-5577c0d7c769",
    data: {
      id: "c0mment0-0000-4000-8000-000000000001",
      comment_html: "<p>@devin the guest <strong>checkout</strong> fails too</p>",
      attachments: [],
      access: "INTERNAL",
      external_source: null,
      external_id: null,
      edited_at: null,
      created_at: "2026-03-11T09:00:00.000000Z",
      updated_at: "2026-03-11T09:00:00.000000Z",
      project: PROJECT_ID,
      workspace: "d2d97c94-a6ad-4012-b526-5577c0d7c769",
      issue,
      actor: "6bb20d1c-4960-41ca-af4f-cee01de160c4",
    },
    activity: { field: null, new_value: null, old_value: null, actor: { id: "6bb20d1c", display_name: "erin" } },
  };
  edit(p);
  return p;
}


describe("Plane comment back", () => {
  it("records the project UUID the comment path needs", () => {
    expect(ticketOf(plane.parse(created(), request("issue"), NO_SETTINGS)).replyTo).toEqual({ projectId: PROJECT_ID });
  });

  it("posts comment_html with X-API-Key, the slug taken from the workspace URL", async () => {
    const path = commentsPath("acme", itemId(1));
    await trackerApi.route({ method: "POST", path, status: 201, body: { id: "c1" } });
    const t = ticketOf(plane.parse(created(1), request("issue"), NO_SETTINGS));
    await plane.comment!(t, "hello", API);
    const calls = await trackerApi.requests(path);
    expect(calls).toHaveLength(1);
    const [call] = calls;
    expect(call!.method).toBe("POST");
    expect(call!.path).toBe(path);
    expect(call!.headers["x-api-key"]).toBe("tok-123");
    expect(call!.headers.authorization).toBeUndefined();
    expect(call!.headers["content-type"]).toBe("application/json");
    expect(call!.body).toEqual({ comment_html: "<p>hello</p>" });
  });

  it("takes PLANE_WORKSPACE_SLUG over the URL, and turns lines, paragraphs and URLs into HTML", async () => {
    const path = commentsPath("team-x", itemId(2));
    await trackerApi.route({ method: "POST", path, status: 201, body: { id: "c2" } });
    const t = ticketOf(plane.parse(created(2), request("issue"), NO_SETTINGS));
    const body = "Devin opened a pull request: https://git.acme.test/pr/7.\nA <b> & \"q\"\n\n— posted by devin-ticket-bridge";
    await plane.comment!(t, body, { ...API, baseUrl: "http://tracker.mock", settings: settings({ WORKSPACE_SLUG: "team-x" }) });
    const [call] = await trackerApi.requests(path);
    expect(call!.body).toEqual({
      comment_html:
        '<p>Devin opened a pull request: <a href="https://git.acme.test/pr/7">https://git.acme.test/pr/7</a>.<br>' +
        "A &lt;b&gt; &amp; &quot;q&quot;</p><p>— posted by devin-ticket-bridge</p>",
    });
  });

  it("refuses without a workspace slug or a project id, and throws on a non-2xx answer", async () => {
    const t = ticketOf(plane.parse(created(3), request("issue"), NO_SETTINGS));
    await expect(plane.comment!(t, "hello", { ...API, baseUrl: "http://tracker.mock" })).rejects.toThrow(/workspace/);
    await expect(plane.comment!({ ...t, replyTo: undefined }, "hello", API)).rejects.toThrow(/project id/);
    expect(await trackerApi.requests(commentsPath("acme", itemId(3)))).toHaveLength(0);

    const path = commentsPath("acme", itemId(4));
    await trackerApi.route({ method: "POST", path, status: 401, body: { error: "Invalid API key" } });
    const other = ticketOf(plane.parse(created(4), request("issue"), NO_SETTINGS));
    await expect(plane.comment!(other, "hello", API)).rejects.toThrow(/401/);
  });
});

describe("Plane comment events", () => {
  it("turns a new issue_comment into a follow-up keyed like the work item's ticket", () => {
    const ticket = ticketOf(plane.parse(created(), request("issue"), NO_SETTINGS));
    expect(plane.parse(commented(FIXTURE_ID), request("issue_comment"), NO_SETTINGS)).toEqual({
      kind: "comment",
      comment: { source: "plane", key: ticket.key, id: FIXTURE_ID, text: "@devin the guest checkout fails too", author: "erin" },
    });
    // The event named only by the header.
    const bare = commented(FIXTURE_ID, (p) => delete p.event);
    expect(plane.parse(bare, request("issue_comment"), NO_SETTINGS)).toMatchObject({ kind: "comment", comment: { key: FIXTURE_ID } });
  });

  it("skips edited and deleted comments, empty and malformed ones", () => {
    const edited = commented(FIXTURE_ID, (p) => {
      p.action = "updated";
      p.activity = { ...p.activity, field: "comment_html", old_value: "<p>x</p>", new_value: "<p>@devin y</p>" };
    });
    expect(plane.parse(edited, request("issue_comment"), NO_SETTINGS)).toMatchObject({ kind: "skip", reason: "comment updated" });
    const deleted = commented(FIXTURE_ID, (p) => {
      p.action = "deleted";
      p.data = { id: p.data.id };
    });
    expect(plane.parse(deleted, request("issue_comment"), NO_SETTINGS)).toMatchObject({ kind: "skip", reason: "comment deleted" });
    const empty = commented(FIXTURE_ID, (p) => (p.data.comment_html = "<p></p>"));
    expect(plane.parse(empty, request("issue_comment"), NO_SETTINGS)).toMatchObject({ kind: "skip", reason: "empty comment" });
    const malformed = commented(FIXTURE_ID, (p) => delete p.data.issue);
    expect(plane.parse(malformed, request("issue_comment"), NO_SETTINGS)).toMatchObject({ kind: "skip", reason: "not a Plane comment" });
  });

  it("answers a comment on a work item without a session as skipped, through the Worker", async () => {
    const raw = JSON.stringify(commented(itemId(10)));
    const res = await postWebhook(raw, {
      path: "/webhooks/plane",
      unsigned: true,
      headers: { "x-plane-event": "issue_comment", "x-plane-signature": await hmacHex(SECRET, raw, "SHA-256") },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "skipped", reason: expect.stringMatching(/no Devin session/) });
  });
});
