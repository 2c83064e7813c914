import openedFixture from "@fixtures/gitea-issue-opened.json?raw";
import { describe, expect, it } from "vitest";
import { forgejo, gitea, giteaApiBase } from "../../../src/sources/gitea";
import type { SourceSettings, TicketSource, TrackerApi, WebhookRequest } from "../../../src/sources/types";
import { trackerApi, ticketOf } from "../helpers";

// Repository names no other test file uses: the tracker mock's request log is shared by the whole run.
const REPO = "acme/comments-gitea";
const NO_SETTINGS: SourceSettings = { get: () => undefined };
const API: TrackerApi = { baseUrl: "http://tracker.mock", token: "tok-123", settings: NO_SETTINGS };

function request(event: string, eventType = event, prefix = "gitea"): WebhookRequest {
  return {
    raw: new Uint8Array(),
    headers: new Headers({ [`x-${prefix}-event`]: event, [`x-${prefix}-event-type`]: eventType }),
    url: new URL(`https://bridge.test/webhooks/${prefix}`),
  };
}

function issuePayload(number: number, edit: (p: any) => void = () => {}) {
  const p = JSON.parse(openedFixture);
  p.repository.full_name = REPO;
  p.repository.html_url = `https://gitea.acme.test/${REPO}`;
  p.number = number;
  p.issue.number = number;
  p.issue.html_url = `https://gitea.acme.test/${REPO}/issues/${number}`;
  edit(p);
  return p;
}

/** Gitea's IssueCommentPayload: `{action, issue, comment, repository, sender, is_pull}`. */
function commentPayload(number: number, edit: (p: any) => void = () => {}) {
  return issuePayload(number, (p) => {
    p.action = "created";
    delete p.number;
    delete p.commit_id;
    p.comment = {
      id: 3_000_000 + number,
      html_url: `https://gitea.acme.test/${REPO}/issues/${number}#issuecomment-${3_000_000 + number}`,
      user: { id: 7, login: "erin" },
      body: "@devin the guest checkout fails too",
    };
    p.is_pull = false;
    edit(p);
  });
}


describe("Gitea/Forgejo comment back", () => {
  it("records the instance API root the repository URL reveals, sub-path included", () => {
    expect(ticketOf(gitea.parse(issuePayload(9201), request("issues"), NO_SETTINGS)).replyTo).toEqual({ baseUrl: "https://gitea.acme.test/api/v1" });
    const sub = issuePayload(9201, (p) => (p.repository.html_url = `https://git.acme.test/forge/${REPO}`));
    expect(ticketOf(forgejo.parse(sub, request("issues", "issues", "forgejo"), NO_SETTINGS)).replyTo).toEqual({
      baseUrl: "https://git.acme.test/forge/api/v1",
    });
    expect(giteaApiBase("https://gitea.acme.test/api/v1/")).toBe("https://gitea.acme.test/api/v1");
  });

  for (const [source, number] of [
    [gitea, 9202],
    [forgejo, 9203],
  ] as [TicketSource, number][]) {
    it(`${source.tracker}: posts the comment with "token" auth`, async () => {
      const path = `/api/v1/repos/${REPO}/issues/${number}/comments`;
      await trackerApi.route({ method: "POST", path, status: 201, body: { id: 1 } });
      const t = ticketOf(source.parse(issuePayload(number), request("issues"), NO_SETTINGS));
      await source.comment!(t, "hello", API);
      const calls = await trackerApi.requests(path);
      expect(calls).toHaveLength(1);
      const [call] = calls;
      expect(call!.method).toBe("POST");
      expect(call!.path).toBe(path);
      expect(call!.headers.authorization).toBe("token tok-123");
      expect(call!.headers["content-type"]).toBe("application/json");
      expect(call!.body).toEqual({ body: "hello" });
    });
  }

  it("accepts a base that already names the API", async () => {
    const path = `/api/v1/repos/${REPO}/issues/9204/comments`;
    await trackerApi.route({ method: "POST", path, status: 201 });
    const t = ticketOf(gitea.parse(issuePayload(9204), request("issues"), NO_SETTINGS));
    await gitea.comment!(t, "hello", { ...API, baseUrl: "http://tracker.mock/api/v1/" });
    expect(await trackerApi.requests(path)).toHaveLength(1);
  });

  it("throws on a non-2xx answer", async () => {
    const path = `/api/v1/repos/${REPO}/issues/9205/comments`;
    await trackerApi.route({ method: "POST", path, status: 404, body: { message: "not found" } });
    const t = ticketOf(gitea.parse(issuePayload(9205), request("issues"), NO_SETTINGS));
    await expect(gitea.comment!(t, "hello", API)).rejects.toThrow(/404/);
  });
});

describe("Gitea/Forgejo comment events", () => {
  it("turns a new issue comment into a follow-up keyed like the issue's ticket", () => {
    const ticket = ticketOf(gitea.parse(issuePayload(9210), request("issues"), NO_SETTINGS));
    expect(gitea.parse(commentPayload(9210), request("issue_comment"), NO_SETTINGS)).toEqual({
      kind: "comment",
      comment: { source: "gitea", key: ticket.key, id: ticket.id, text: "@devin the guest checkout fails too", author: "erin" },
    });
    const forged = forgejo.parse(commentPayload(9210), request("issue_comment", "issue_comment", "forgejo"), NO_SETTINGS);
    expect(forged).toMatchObject({ kind: "comment", comment: { source: "forgejo", key: ticket.key } });
  });

  it("skips edits, deletions and comments on pull requests", () => {
    for (const action of ["edited", "deleted"]) {
      const result = gitea.parse(commentPayload(9211, (p) => (p.action = action)), request("issue_comment"), NO_SETTINGS);
      expect(result).toMatchObject({ kind: "skip", reason: expect.stringContaining(action) });
    }
    const pr = /pull request/;
    expect(gitea.parse(commentPayload(9212), request("issue_comment", "pull_request_comment"), NO_SETTINGS)).toMatchObject({ kind: "skip", reason: expect.stringMatching(pr) });
    expect(gitea.parse(commentPayload(9212, (p) => (p.is_pull = true)), request("issue_comment"), NO_SETTINGS)).toMatchObject({ kind: "skip", reason: expect.stringMatching(pr) });
    const meta = commentPayload(9212, (p) => (p.issue.pull_request = { merged: false }));
    expect(gitea.parse(meta, request("issue_comment"), NO_SETTINGS)).toMatchObject({ kind: "skip", reason: expect.stringMatching(pr) });
    expect(gitea.parse(issuePayload(9213), request("issue_comment"), NO_SETTINGS)).toMatchObject({ kind: "skip", reason: expect.stringMatching(/issue_comment/) });
  });
});
