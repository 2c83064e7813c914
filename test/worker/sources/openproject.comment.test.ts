import createdFixture from "@fixtures/openproject-work-package-created.json?raw";
import { describe, expect, it } from "vitest";
import { openproject } from "../../../src/sources/openproject";
import type { SourceSettings, TrackerApi, WebhookRequest } from "../../../src/sources/types";
import { hmacHex, postWebhook, SECRET, trackerApi, ticketOf } from "../helpers";

// Work package ids no other test file uses: the tracker mock's request log is shared by the whole run.
const NO_SETTINGS: SourceSettings = { get: () => undefined };
const API: TrackerApi = { baseUrl: "http://tracker.mock", token: "tok-123", settings: NO_SETTINGS };
const REQ: WebhookRequest = { raw: new Uint8Array(), headers: new Headers(), url: new URL("https://bridge.test/webhooks/openproject") };

function created(id: number) {
  const p = JSON.parse(createdFixture);
  p.work_package.id = id;
  return p;
}

/** `work_package_comment:comment`: the API v3 Activity of the new journal. */
function commented(id: number, edit: (p: any) => void = () => {}) {
  const p: any = {
    action: "work_package_comment:comment",
    activity: {
      _type: "Activity::Comment",
      id: 9001,
      comment: { format: "markdown", raw: "@devin the guest checkout fails too", html: "<p>@devin the guest checkout fails too</p>" },
      details: [],
      version: 2,
      createdAt: "2026-03-11T09:00:00Z",
      _links: {
        self: { href: "/api/v3/activities/9001" },
        workPackage: { href: `/api/v3/work_packages/${id}`, title: "Checkout returns 500 when cart is empty" },
        user: { href: "/api/v3/users/9", title: "Erin Dev" },
      },
    },
  };
  edit(p);
  return p;
}


describe("OpenProject comment back", () => {
  it("posts an activity with Basic apikey:<token>, one markdown paragraph per line", async () => {
    const path = "/api/v3/work_packages/93001/activities";
    await trackerApi.route({ method: "POST", path, status: 201, body: { _type: "Activity::Comment", id: 1 } });
    const t = ticketOf(openproject.parse(created(93001), REQ, NO_SETTINGS));
    await openproject.comment!(t, "hello\nsecond line\n\n— footer", API);
    const calls = await trackerApi.requests(path);
    expect(calls).toHaveLength(1);
    const [call] = calls;
    expect(call!.method).toBe("POST");
    expect(call!.path).toBe(path);
    expect(call!.headers.authorization).toBe(`Basic ${btoa("apikey:tok-123")}`);
    expect(call!.headers["content-type"]).toBe("application/json");
    expect(call!.body).toEqual({ comment: { raw: "hello\n\nsecond line\n\n— footer" } });
  });

  it("throws on a non-2xx answer", async () => {
    const path = "/api/v3/work_packages/93002/activities";
    await trackerApi.route({ method: "POST", path, status: 403, body: { _type: "Error" } });
    const t = ticketOf(openproject.parse(created(93002), REQ, NO_SETTINGS));
    await expect(openproject.comment!(t, "hello", API)).rejects.toThrow(/403/);
  });
});

describe("OpenProject comment events", () => {
  it("turns a comment and an internal comment into follow-ups keyed like the work package's ticket", () => {
    const ticket = ticketOf(openproject.parse(created(93010), REQ, NO_SETTINGS));
    expect(openproject.parse(commented(93010), REQ, NO_SETTINGS)).toEqual({
      kind: "comment",
      comment: { source: "openproject", key: ticket.key, id: "#93010", text: "@devin the guest checkout fails too", author: "Erin Dev" },
    });
    const internal = commented(93010, (p) => {
      p.action = "work_package_comment:internal_comment";
      // A relative URL root, and a user link without a title.
      p.activity._links.workPackage.href = "/openproject/api/v3/work_packages/93010";
      p.activity._links.user = { href: "/openproject/api/v3/users/9" };
    });
    expect(openproject.parse(internal, REQ, NO_SETTINGS)).toEqual({
      kind: "comment",
      comment: { source: "openproject", key: "93010", id: "#93010", text: "@devin the guest checkout fails too", author: undefined },
    });
  });

  it("skips comment events without an activity, a work package or text", () => {
    expect(openproject.parse(commented(93011, (p) => delete p.activity), REQ, NO_SETTINGS)).toMatchObject({
      kind: "skip",
      reason: expect.stringMatching(/without an activity/),
    });
    const elsewhere = commented(93011, (p) => (p.activity._links.workPackage.href = "/api/v3/meetings/4"));
    expect(openproject.parse(elsewhere, REQ, NO_SETTINGS)).toMatchObject({ kind: "skip", reason: expect.stringMatching(/work package/) });
    const blank = commented(93011, (p) => (p.activity.comment.raw = " "));
    expect(openproject.parse(blank, REQ, NO_SETTINGS)).toMatchObject({ kind: "skip", reason: "empty comment" });
  });

  it("answers a comment on a work package without a session as skipped, through the Worker", async () => {
    const raw = JSON.stringify(commented(93012));
    const res = await postWebhook(raw, {
      path: "/webhooks/openproject",
      unsigned: true,
      headers: { "x-op-signature": `sha1=${await hmacHex(SECRET, raw, "SHA-1")}` },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "skipped", reason: expect.stringMatching(/no Devin session/) });
  });
});
