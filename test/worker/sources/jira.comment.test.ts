import createdFixture from "@fixtures/jira-dc-issue-created.json?raw";
import { describe, expect, it } from "vitest";
import { jira } from "../../../src/sources/jira";
import type { SourceSettings, TrackerApi, WebhookRequest } from "../../../src/sources/types";
import { trackerApi, ticketOf } from "../helpers";

// Issue keys no other test file uses: the tracker mock's request log is shared by the whole run.
const NO_SETTINGS: SourceSettings = { get: () => undefined };
const API: TrackerApi = { baseUrl: "http://tracker.mock", token: "tok-123", settings: NO_SETTINGS };
const REQ: WebhookRequest = { raw: new Uint8Array(), headers: new Headers(), url: new URL("https://bridge.test/webhooks/jira") };

function issuePayload(key: string, edit: (p: any) => void = () => {}) {
  const p = JSON.parse(createdFixture);
  p.issue.key = key;
  edit(p);
  return p;
}

const COMMENT = {
  self: "https://jira.acme.test/rest/api/2/issue/10482/comment/31039",
  id: "31039",
  author: { name: "erin", key: "JIRAUSER105", displayName: "Erin Dev" },
  body: "[~devin] the guest checkout fails too",
  created: "2026-03-11T09:00:00.000+0100",
  updated: "2026-03-11T09:00:00.000+0100",
};

/** Data Center's `issue_commented` update: the issue plus the new comment, no changelog. */
function commented(key: string, edit: (p: any) => void = () => {}) {
  return issuePayload(key, (p) => {
    p.webhookEvent = "jira:issue_updated";
    p.issue_event_type_name = "issue_commented";
    p.comment = { ...COMMENT };
    edit(p);
  });
}

/** `comment_created` as Cloud (and newer Data Center) sends it: comment plus a slim issue. */
function commentCreated(key: string, edit: (p: any) => void = () => {}) {
  const p: any = {
    timestamp: 1773219600000,
    webhookEvent: "comment_created",
    comment: { ...COMMENT },
    issue: { id: "10482", self: "https://jira.acme.test/rest/api/2/issue/10482", key, fields: { summary: "Checkout returns 500 when cart is empty" } },
  };
  edit(p);
  return p;
}


describe("Jira comment back (Data Center REST v2)", () => {
  it("records the instance root from issue.self, context path included", () => {
    expect(ticketOf(jira.parse(JSON.parse(createdFixture), REQ, NO_SETTINGS)).replyTo).toEqual({ baseUrl: "https://jira.acme.test" });
    const ctx = issuePayload("CMT-9401", (p) => (p.issue.self = "https://corp.acme.test/jira/rest/api/2/issue/10482"));
    expect(ticketOf(jira.parse(ctx, REQ, NO_SETTINGS)).replyTo).toEqual({ baseUrl: "https://corp.acme.test/jira" });
  });

  it("posts the comment with a bearer PAT", async () => {
    const path = "/rest/api/2/issue/CMT-9402/comment";
    await trackerApi.route({ method: "POST", path, status: 201, body: { id: "1" } });
    const t = ticketOf(jira.parse(issuePayload("CMT-9402"), REQ, NO_SETTINGS));
    await jira.comment!(t, "hello", API);
    const calls = await trackerApi.requests(path);
    expect(calls).toHaveLength(1);
    const [call] = calls;
    expect(call!.method).toBe("POST");
    expect(call!.path).toBe(path);
    expect(call!.headers.authorization).toBe("Bearer tok-123");
    expect(call!.headers["content-type"]).toBe("application/json");
    expect(call!.body).toEqual({ body: "hello" });
  });

  it("accepts a base that names the REST API", async () => {
    const path = "/rest/api/2/issue/CMT-9403/comment";
    await trackerApi.route({ method: "POST", path, status: 201 });
    const t = ticketOf(jira.parse(issuePayload("CMT-9403"), REQ, NO_SETTINGS));
    await jira.comment!(t, "hello", { ...API, baseUrl: "http://tracker.mock/rest/api/2" });
    expect(await trackerApi.requests(path)).toHaveLength(1);
  });

  it("throws on a non-2xx answer", async () => {
    const path = "/rest/api/2/issue/CMT-9404/comment";
    await trackerApi.route({ method: "POST", path, status: 400, body: { errorMessages: [] } });
    const t = ticketOf(jira.parse(issuePayload("CMT-9404"), REQ, NO_SETTINGS));
    await expect(jira.comment!(t, "hello", API)).rejects.toThrow(/400/);
  });
});

describe("Jira comment events", () => {
  // `[~devin]` is how Data Center stores an @-mention.
  const expected = (key: string) => ({
    kind: "comment",
    comment: { source: "jira", key, id: key, text: "@devin the guest checkout fails too", author: "erin" },
  });

  it("turns comment_created into a follow-up keyed like the issue's ticket", () => {
    const ticket = ticketOf(jira.parse(issuePayload("CMT-9410"), REQ, NO_SETTINGS));
    expect(jira.parse(commentCreated("CMT-9410"), REQ, NO_SETTINGS)).toEqual(expected(ticket.key));
    // Cloud: an ADF body, and no user name.
    const cloud = commentCreated("CMT-9410", (p) => {
      p.comment.author = { accountId: "5b10ac8d82e05b22cc7d4ef5", displayName: "Erin Dev" };
      p.comment.body = {
        type: "doc",
        version: 1,
        content: [{ type: "paragraph", content: [{ type: "mention", attrs: { id: "5b10", text: "@Devin" } }, { type: "text", text: " retry" }] }],
      };
    });
    expect(jira.parse(cloud, REQ, NO_SETTINGS)).toMatchObject({ kind: "comment", comment: { key: ticket.key, text: "@Devin retry", author: "Erin Dev" } });
  });

  it("turns Data Center's issue_commented update into the same follow-up", () => {
    expect(jira.parse(commented("CMT-9411"), REQ, NO_SETTINGS)).toEqual(expected("CMT-9411"));
  });

  it("lets a trigger label added with the comment start the ticket instead", () => {
    const labelled = commented("CMT-9412", (p) => {
      p.issue.fields.labels = ["backend", "devin-autofix"];
      p.changelog = { id: "1", items: [{ field: "labels", fromString: "backend", toString: "backend devin-autofix" }] };
    });
    expect(ticketOf(jira.parse(labelled, REQ, NO_SETTINGS)).triggerLabels).toEqual(["devin-autofix"]);
  });

  it("skips edits, deletions and comment_created without its issue", () => {
    for (const event of ["comment_updated", "comment_deleted"]) {
      const result = jira.parse(commentCreated("CMT-9413", (p) => (p.webhookEvent = event)), REQ, NO_SETTINGS);
      expect(result.kind).toBe("skip");
    }
    const edited = jira.parse(commented("CMT-9413", (p) => (p.issue_event_type_name = "issue_comment_edited")), REQ, NO_SETTINGS);
    expect(edited.kind).not.toBe("comment");
    const old = jira.parse(commentCreated("CMT-9413", (p) => delete p.issue), REQ, NO_SETTINGS);
    expect(old).toMatchObject({ kind: "skip", reason: expect.stringMatching(/without its issue/) });
  });
});
