import labeledFixture from "@fixtures/github-issue-labeled.json?raw";
import { describe, expect, it } from "vitest";
import { github, githubApiBase } from "../../../src/sources/github";
import type { SourceSettings, TrackerApi, WebhookRequest } from "../../../src/sources/types";
import { hmacHex, idsForKey, postWebhook, SECRET, trackerApi, watchRun, ticketOf } from "../helpers";

// Repository names no other test file uses: the tracker mock's request log is shared by the whole run.
const REPO = "acme/comments-gh";
const NO_SETTINGS: SourceSettings = { get: () => undefined };
const API: TrackerApi = { baseUrl: "http://tracker.mock", token: "tok-123", settings: NO_SETTINGS };

function request(event: string): WebhookRequest {
  return { raw: new Uint8Array(), headers: new Headers({ "x-github-event": event }), url: new URL("https://bridge.test/webhooks/github") };
}

function issuePayload(number: number, edit: (p: any) => void = () => {}) {
  const p = JSON.parse(labeledFixture);
  p.repository.full_name = REPO;
  p.repository.html_url = `https://github.com/${REPO}`;
  p.issue.number = number;
  p.issue.html_url = `https://github.com/${REPO}/issues/${number}`;
  edit(p);
  return p;
}

function commentPayload(number: number, edit: (p: any) => void = () => {}) {
  return issuePayload(number, (p) => {
    p.action = "created";
    delete p.label;
    p.comment = { id: 2_000_000 + number, body: "@devin please also cover the guest checkout", user: { login: "erin" } };
    edit(p);
  });
}


describe("GitHub comment back", () => {
  it("records the API base the repository URL reveals", () => {
    const t = ticketOf(github.parse(issuePayload(9101), request("issues"), NO_SETTINGS));
    expect(t.replyTo).toEqual({ baseUrl: "https://api.github.com" });
    const ghes = issuePayload(9101, (p) => (p.repository.html_url = `https://ghe.acme.test/${REPO}`));
    expect(ticketOf(github.parse(ghes, request("issues"), NO_SETTINGS)).replyTo).toEqual({ baseUrl: "https://ghe.acme.test/api/v3" });
  });

  it("maps web and API addresses to the REST root", () => {
    expect(githubApiBase("https://github.com")).toBe("https://api.github.com");
    expect(githubApiBase("https://api.github.com/")).toBe("https://api.github.com");
    expect(githubApiBase("https://ghe.acme.test")).toBe("https://ghe.acme.test/api/v3");
    expect(githubApiBase("https://ghe.acme.test/api/v3/")).toBe("https://ghe.acme.test/api/v3");
    expect(githubApiBase("https://acme.ghe.com")).toBe("https://api.acme.ghe.com");
  });

  it("posts the comment with a bearer token", async () => {
    const path = `/api/v3/repos/${REPO}/issues/9102/comments`;
    await trackerApi.route({ method: "POST", path, status: 201, body: { id: 1 } });
    const t = ticketOf(github.parse(issuePayload(9102), request("issues"), NO_SETTINGS));
    await github.comment!(t, "hello", API);
    const calls = await trackerApi.requests(path);
    expect(calls).toHaveLength(1);
    const [call] = calls;
    expect(call!.method).toBe("POST");
    expect(call!.path).toBe(path);
    expect(call!.headers.authorization).toBe("Bearer tok-123");
    expect(call!.headers["user-agent"]).toBe("devin-ticket-bridge");
    expect(call!.headers.accept).toBe("application/vnd.github+json");
    expect(call!.headers["content-type"]).toBe("application/json");
    expect(call!.body).toEqual({ body: "hello" });
    expect(call!.search).toBe("");
  });

  it("accepts a base that already names the API", async () => {
    const path = `/api/v3/repos/${REPO}/issues/9103/comments`;
    await trackerApi.route({ method: "POST", path, status: 201 });
    const t = ticketOf(github.parse(issuePayload(9103), request("issues"), NO_SETTINGS));
    await github.comment!(t, "hello", { ...API, baseUrl: "http://tracker.mock/api/v3" });
    expect(await trackerApi.requests(path)).toHaveLength(1);
  });

  it("throws on a non-2xx answer, without the token in the message", async () => {
    const path = `/api/v3/repos/${REPO}/issues/9104/comments`;
    await trackerApi.route({ method: "POST", path, status: 403, body: { message: "Resource not accessible" } });
    const t = ticketOf(github.parse(issuePayload(9104), request("issues"), NO_SETTINGS));
    const error = await github.comment!(t, "hello", API).then(
      () => null,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(/403/);
    expect(error?.message).not.toContain("tok-123");
  });
});

describe("GitHub comment events", () => {
  it("turns a new issue comment into a follow-up keyed and named like the issue's ticket", () => {
    const ticket = ticketOf(github.parse(issuePayload(9110), request("issues"), NO_SETTINGS));
    const result = github.parse(commentPayload(9110), request("issue_comment"), NO_SETTINGS);
    expect(result).toEqual({
      kind: "comment",
      comment: { source: "github", key: ticket.key, id: ticket.id, text: "@devin please also cover the guest checkout", author: "erin" },
    });
    expect(ticket.key).toBe(`${REPO}#9110`);
  });

  it("skips edits, deletions and comments on pull requests", () => {
    for (const action of ["edited", "deleted"]) {
      const result = github.parse(commentPayload(9111, (p) => (p.action = action)), request("issue_comment"), NO_SETTINGS);
      expect(result).toMatchObject({ kind: "skip", reason: expect.stringContaining(action) });
    }
    const onPr = commentPayload(9112, (p) => (p.issue.pull_request = { url: `https://api.github.com/repos/${REPO}/pulls/9112` }));
    expect(github.parse(onPr, request("issue_comment"), NO_SETTINGS)).toMatchObject({ kind: "skip", reason: expect.stringMatching(/pull request/) });
    const noComment = issuePayload(9113, (p) => (p.action = "created"));
    expect(github.parse(noComment, request("issue_comment"), NO_SETTINGS)).toMatchObject({ kind: "skip" });
  });

  it("still reads a comment on a closed issue: whether a session exists is the bridge's question", () => {
    const closed = commentPayload(9114, (p) => (p.issue.state = "closed"));
    expect(github.parse(closed, request("issue_comment"), NO_SETTINGS).kind).toBe("comment");
  });
});

describe("GitHub comments end to end", () => {
  async function send(payload: object, event: string): Promise<Response> {
    const raw = JSON.stringify(payload);
    const headers = { "x-github-event": event, "x-github-delivery": crypto.randomUUID(), "x-hub-signature-256": `sha256=${await hmacHex(SECRET, raw)}` };
    return postWebhook(raw, { path: "/webhooks/github", unsigned: true, headers });
  }

  // The repository "lives" on the tracker mock, so the API base the payload reveals is the mock's.
  const onMock = (p: any) => (p.repository.html_url = `http://tracker.mock/${REPO}`);

  it("comments back through the payload's API base, and forwards a later @devin comment to the same ticket", async () => {
    const path = `/api/v3/repos/${REPO}/issues/9190/comments`;
    await trackerApi.route({ method: "POST", path, status: 201, body: { id: 1 } });
    const { instanceId, key } = await idsForKey("github", `${REPO}#9190`);
    await using run = await watchRun(instanceId);
    expect((await send(issuePayload(9190, onMock), "issues")).status).toBe(202);
    await run.waitForStatus("complete");

    const posted = await trackerApi.requests(path);
    expect(posted.length).toBeGreaterThan(0);
    expect(posted[0]!.headers.authorization).toMatch(/^Bearer \S+$/);
    expect(typeof posted[0]!.body.body).toBe("string");

    const res = await send(commentPayload(9190, onMock), "issue_comment");
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ status: "forwarded", ticket_key: key });
  });
});
