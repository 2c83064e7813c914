import createdFixture from "@fixtures/youtrack-workflow-issue-created.json?raw";
import { describe, expect, it } from "vitest";
import { youtrack } from "../../../src/sources/youtrack";
import type { SourceSettings, TrackerApi, WebhookRequest } from "../../../src/sources/types";
import { trackerApi, ticketOf } from "../helpers";

// Issue ids no other test file uses: the tracker mock's request log is shared by the whole run.
const NO_SETTINGS: SourceSettings = { get: () => undefined };
const API: TrackerApi = { baseUrl: "http://tracker.mock", token: "tok-123", settings: NO_SETTINGS };
const REQ: WebhookRequest = { raw: new Uint8Array(), headers: new Headers(), url: new URL("https://bridge.test/webhooks/youtrack") };

function issuePayload(id: string, edit: (p: any) => void = () => {}) {
  const p = JSON.parse(createdFixture);
  p.idReadable = id;
  p.url = `https://youtrack.acme.test/issue/${id}`;
  edit(p);
  return p;
}

/** What the bridge's workflow rule sends for `issue.comments.added` (see the README). */
function commentPayload(id: string, edit: (p: any) => void = () => {}) {
  const p: any = {
    event: "comment.created",
    idReadable: id,
    url: `https://youtrack.acme.test/issue/${id}`,
    comment: { text: "@devin the guest checkout fails too", author: { login: "erin" } },
  };
  edit(p);
  return p;
}


describe("YouTrack comment back", () => {
  it("records the instance root from the issue URL, sub-path included", () => {
    expect(ticketOf(youtrack.parse(JSON.parse(createdFixture), REQ, NO_SETTINGS)).replyTo).toEqual({ baseUrl: "https://youtrack.acme.test" });
    const sub = issuePayload("CMT-9501", (p) => (p.url = "https://corp.acme.test/youtrack/issue/CMT-9501/checkout-500"));
    expect(ticketOf(youtrack.parse(sub, REQ, NO_SETTINGS)).replyTo).toEqual({ baseUrl: "https://corp.acme.test/youtrack" });
    const noUrl = issuePayload("CMT-9501", (p) => delete p.url);
    expect(ticketOf(youtrack.parse(noUrl, REQ, NO_SETTINGS)).replyTo).toBeUndefined();
  });

  it("posts {text} with a bearer token", async () => {
    const path = "/api/issues/CMT-9502/comments";
    await trackerApi.route({ method: "POST", path, status: 200, body: { id: "4-1", $type: "IssueComment" } });
    const t = ticketOf(youtrack.parse(issuePayload("CMT-9502"), REQ, NO_SETTINGS));
    await youtrack.comment!(t, "hello", API);
    const calls = await trackerApi.requests(path);
    expect(calls).toHaveLength(1);
    const [call] = calls;
    expect(call!.method).toBe("POST");
    expect(call!.path).toBe(path);
    expect(call!.headers.authorization).toBe("Bearer tok-123");
    expect(call!.headers["content-type"]).toBe("application/json");
    expect(call!.body).toEqual({ text: "hello" });
  });

  it("accepts a base that ends in /api", async () => {
    const path = "/api/issues/CMT-9503/comments";
    await trackerApi.route({ method: "POST", path, status: 200 });
    const t = ticketOf(youtrack.parse(issuePayload("CMT-9503"), REQ, NO_SETTINGS));
    await youtrack.comment!(t, "hello", { ...API, baseUrl: "http://tracker.mock/api/" });
    expect(await trackerApi.requests(path)).toHaveLength(1);
  });

  it("throws on a non-2xx answer", async () => {
    const path = "/api/issues/CMT-9504/comments";
    await trackerApi.route({ method: "POST", path, status: 500, body: { error: "server_error" } });
    const t = ticketOf(youtrack.parse(issuePayload("CMT-9504"), REQ, NO_SETTINGS));
    await expect(youtrack.comment!(t, "hello", API)).rejects.toThrow(/500/);
  });
});

describe("YouTrack comment events (the bridge workflow's comment.created)", () => {
  it("turns a new comment into a follow-up keyed like the issue's ticket", () => {
    const ticket = ticketOf(youtrack.parse(issuePayload("CMT-9510"), REQ, NO_SETTINGS));
    expect(youtrack.parse(commentPayload("CMT-9510"), REQ, NO_SETTINGS)).toEqual({
      kind: "comment",
      comment: { source: "youtrack", key: ticket.key, id: ticket.id, text: "@devin the guest checkout fails too", author: "erin" },
    });
  });

  it("skips edits, deletions and a comment.created without its issue", () => {
    for (const event of ["comment.updated", "comment.deleted"]) {
      expect(youtrack.parse(commentPayload("CMT-9511", (p) => (p.event = event)), REQ, NO_SETTINGS).kind).toBe("skip");
    }
    expect(youtrack.parse(commentPayload("CMT-9511", (p) => delete p.idReadable), REQ, NO_SETTINGS).kind).toBe("skip");
  });
});
