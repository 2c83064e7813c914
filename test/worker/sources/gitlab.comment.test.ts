import openFixture from "@fixtures/gitlab-issue-open.json?raw";
import { describe, expect, it } from "vitest";
import { gitlab } from "../../../src/sources/gitlab";
import type { SourceSettings, TrackerApi, WebhookRequest } from "../../../src/sources/types";
import { trackerApi, ticketOf } from "../helpers";

// A project id and path no other test file uses: the tracker mock's request log is shared by the whole run.
const PROJECT_ID = 9317;
const PATH = "acme/comments-gl";
const NO_SETTINGS: SourceSettings = { get: () => undefined };
const API: TrackerApi = { baseUrl: "http://tracker.mock", token: "tok-123", settings: NO_SETTINGS };

function request(event: string): WebhookRequest {
  return { raw: new Uint8Array(), headers: new Headers({ "x-gitlab-event": event }), url: new URL("https://bridge.test/webhooks/gitlab") };
}

function issuePayload(iid: number, edit: (p: any) => void = () => {}) {
  const p = JSON.parse(openFixture);
  p.project.id = PROJECT_ID;
  p.project.path_with_namespace = PATH;
  p.project.web_url = `https://gitlab.acme.test/${PATH}`;
  p.object_attributes.iid = iid;
  p.object_attributes.url = `https://gitlab.acme.test/${PATH}/-/issues/${iid}`;
  edit(p);
  return p;
}

/** A Note Hook on an issue, as in GitLab's webhook_events docs (16.11+ with `action`). */
function notePayload(iid: number, edit: (p: any) => void = () => {}) {
  const p: any = {
    object_kind: "note",
    event_type: "note",
    user: { id: 43, name: "Erin Dev", username: "erin" },
    project_id: PROJECT_ID,
    project: { id: PROJECT_ID, path_with_namespace: PATH, web_url: `https://gitlab.acme.test/${PATH}` },
    object_attributes: {
      id: 4_000_000 + iid,
      note: "@devin the guest checkout fails too",
      noteable_type: "Issue",
      author_id: 43,
      created_at: "2026-03-11 09:00:00 UTC",
      updated_at: "2026-03-11 09:00:00 UTC",
      project_id: PROJECT_ID,
      noteable_id: 9021,
      system: false,
      action: "create",
      url: `https://gitlab.acme.test/${PATH}/-/issues/${iid}#note_${4_000_000 + iid}`,
    },
    issue: { id: 9021, iid, title: "Checkout returns 500 when cart is empty", project_id: PROJECT_ID, state: "opened" },
  };
  edit(p);
  return p;
}


describe("GitLab comment back", () => {
  it("records the project id, the iid and the instance root", () => {
    const t = ticketOf(gitlab.parse(JSON.parse(openFixture), request("Issue Hook"), NO_SETTINGS));
    expect(t.replyTo).toEqual({ projectId: 17, iid: 128, baseUrl: "https://gitlab.acme.test" });
    const relative = issuePayload(9301, (p) => (p.project.web_url = `https://git.acme.test/gitlab/${PATH}`));
    expect(ticketOf(gitlab.parse(relative, request("Issue Hook"), NO_SETTINGS)).replyTo).toEqual({
      projectId: PROJECT_ID,
      iid: 9301,
      baseUrl: "https://git.acme.test/gitlab",
    });
  });

  it("posts a note with PRIVATE-TOKEN", async () => {
    const path = `/api/v4/projects/${PROJECT_ID}/issues/9302/notes`;
    await trackerApi.route({ method: "POST", path, status: 201, body: { id: 1 } });
    const t = ticketOf(gitlab.parse(issuePayload(9302), request("Issue Hook"), NO_SETTINGS));
    await gitlab.comment!(t, "hello", API);
    const calls = await trackerApi.requests(path);
    expect(calls).toHaveLength(1);
    const [call] = calls;
    expect(call!.method).toBe("POST");
    expect(call!.path).toBe(path);
    expect(call!.headers["private-token"]).toBe("tok-123");
    expect(call!.headers.authorization).toBeUndefined();
    expect(call!.headers["content-type"]).toBe("application/json");
    expect(call!.body).toEqual({ body: "hello" });
  });

  it("falls back to the URL-encoded project path, and accepts a base naming /api/v4", async () => {
    const path = `/api/v4/projects/${encodeURIComponent(PATH)}/issues/9303/notes`;
    await trackerApi.route({ method: "POST", path, status: 201 });
    const t = ticketOf(gitlab.parse(issuePayload(9303), request("Issue Hook"), NO_SETTINGS));
    await gitlab.comment!({ ...t, replyTo: undefined }, "hello", { ...API, baseUrl: "http://tracker.mock/api/v4" });
    const calls = await trackerApi.requests(path);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.body).toEqual({ body: "hello" });
  });

  it("throws on a non-2xx answer", async () => {
    const path = `/api/v4/projects/${PROJECT_ID}/issues/9304/notes`;
    await trackerApi.route({ method: "POST", path, status: 401, body: { message: "401 Unauthorized" } });
    const t = ticketOf(gitlab.parse(issuePayload(9304), request("Issue Hook"), NO_SETTINGS));
    await expect(gitlab.comment!(t, "hello", API)).rejects.toThrow(/401/);
  });
});

describe("GitLab comment events", () => {
  it("turns a new note on an issue into a follow-up keyed like the issue's ticket", () => {
    const ticket = ticketOf(gitlab.parse(issuePayload(9310), request("Issue Hook"), NO_SETTINGS));
    expect(gitlab.parse(notePayload(9310), request("Note Hook"), NO_SETTINGS)).toEqual({
      kind: "comment",
      comment: { source: "gitlab", key: ticket.key, id: ticket.id, text: "@devin the guest checkout fails too", author: "erin" },
    });
    // Confidential notes, and a body with no event header at all.
    expect(gitlab.parse(notePayload(9310), request("Confidential Note Hook"), NO_SETTINGS).kind).toBe("comment");
    const bare: WebhookRequest = { ...request("x"), headers: new Headers() };
    expect(gitlab.parse(notePayload(9310), bare, NO_SETTINGS)).toMatchObject({ kind: "comment", comment: { key: ticket.key } });
  });

  it("skips edited notes, with or without `action`", () => {
    const updated = notePayload(9311, (p) => (p.object_attributes.action = "update"));
    expect(gitlab.parse(updated, request("Note Hook"), NO_SETTINGS)).toMatchObject({ kind: "skip", reason: expect.stringMatching(/update/) });
    const oldEdit = notePayload(9311, (p) => {
      delete p.object_attributes.action;
      p.object_attributes.updated_at = "2026-03-11 09:05:00 UTC";
    });
    expect(gitlab.parse(oldEdit, request("Note Hook"), NO_SETTINGS).kind).toBe("skip");
    const oldNew = notePayload(9311, (p) => delete p.object_attributes.action);
    expect(gitlab.parse(oldNew, request("Note Hook"), NO_SETTINGS).kind).toBe("comment");
  });

  it("skips notes on merge requests, system notes and malformed notes", () => {
    const onMr = notePayload(9312, (p) => {
      p.object_attributes.noteable_type = "MergeRequest";
      delete p.issue;
      p.merge_request = { iid: 9312 };
    });
    expect(gitlab.parse(onMr, request("Note Hook"), NO_SETTINGS)).toMatchObject({ kind: "skip", reason: expect.stringMatching(/MergeRequest/) });
    const system = notePayload(9312, (p) => (p.object_attributes.system = true));
    expect(gitlab.parse(system, request("Note Hook"), NO_SETTINGS)).toMatchObject({ kind: "skip", reason: expect.stringMatching(/system/) });
    const malformed = { object_kind: "note", object_attributes: { note: "hi", noteable_type: "Issue" } };
    expect(gitlab.parse(malformed, request("Note Hook"), NO_SETTINGS)).toMatchObject({ kind: "skip", reason: expect.stringMatching(/Note Hook/) });
  });
});
