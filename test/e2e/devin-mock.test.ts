import { describe, expect, it } from "vitest";
import { createDevinMock, type DevinMockOptions, type SessionState } from "../support/devin-mock";

// The mock stands in for Devin in every other test, so it has to report what
// the real v3 API reports (docs.devin.ai/api-reference); these pin that down.
const KEY = "cog_test_full";
const ORG = "/v3/organizations/org-test";

function mock(options: DevinMockOptions = { apiKey: KEY }) {
  const devin = createDevinMock(options);
  const call = async (method: string, path: string, body?: unknown, key = KEY) => {
    const res = await devin.handle(
      new Request(`http://devin.mock${path}`, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    );
    return { status: res.status, body: (await res.json()) as any };
  };
  const create = async (tags: string[], key?: string) =>
    (await call("POST", `${ORG}/sessions`, { prompt: "Fix the checkout bug", tags }, key)).body;
  const get = async (id: string) => (await call("GET", `${ORG}/sessions/${id}`)).body;
  const script = (body: { tag?: string; tagPrefix?: string; steps: SessionState[] }) => call("POST", "/__mock/script", body);
  return { devin, call, create, get, script };
}

describe("devin mock: v3 sessions", () => {
  it("answers a create with a SessionResponse, without status_detail", async () => {
    const { call } = mock();
    const res = await call("POST", `${ORG}/sessions`, { prompt: "Fix it", title: "T", playbook_id: "playbook-x", tags: ["ticket:1"] });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      session_id: expect.stringMatching(/^devin-/),
      url: expect.stringContaining(res.body.session_id),
      status: "new",
      tags: ["ticket:1"],
      org_id: "org-test",
      created_at: expect.any(Number),
      updated_at: expect.any(Number),
      acus_consumed: 0,
      pull_requests: [],
      title: "T",
      playbook_id: "playbook-x",
    });
    expect(Number.isInteger(res.body.created_at)).toBe(true);
    expect(res.body).not.toHaveProperty("status_detail");
    expect((await call("POST", `${ORG}/sessions`, { tags: [] })).status).toBe(422);
  });

  it("by default works, opens a PR, waits for review, then finishes", async () => {
    const { create, get } = mock();
    const { session_id } = await create(["ticket:default"]);
    const seen = [];
    for (let i = 0; i < 5; i++) seen.push(await get(session_id));
    expect(seen.map((s) => s.status_detail)).toEqual(["working", "working", "waiting_for_user", "finished", "finished"]);
    expect(seen.at(-1)).toMatchObject({ status: "running", pull_requests: [{ pr_url: expect.any(String), pr_state: "open" }] });
  });

  it("asks a question, waits for the answer, then opens a PR and finishes", async () => {
    const { call, create, get, script } = mock();
    const pr = [{ pr_url: "https://git.example.test/acme/app/pull/7", pr_state: "open" }];
    // A prefix script applies to every ticket of the family, which is how a suite sets one up once.
    await script({
      tagPrefix: "ticket:ask-",
      steps: [
        { status: "running", status_detail: "working" },
        { status: "running", status_detail: "waiting_for_user", until: "message", messages: [{ message: "Which branch?" }] },
        { status: "running", status_detail: "working", pull_requests: pr, messages: [{ message: "Opened a PR." }] },
        { status: "running", status_detail: "finished", pull_requests: pr },
      ],
    });
    const { session_id } = await create(["ticket:ask-1"]);
    await get(session_id);
    expect(await get(session_id)).toMatchObject({ status_detail: "waiting_for_user" });
    // Reading does not answer the question.
    expect(await get(session_id)).toMatchObject({ status_detail: "waiting_for_user" });

    const sent = await call("POST", `${ORG}/sessions/${session_id}/messages`, { message: "main" });
    expect(sent).toMatchObject({ status: 200, body: { session_id } });
    expect(await get(session_id)).toMatchObject({ status_detail: "working", pull_requests: pr });
    expect(await get(session_id)).toMatchObject({ status: "running", status_detail: "finished" });

    const page1 = await call("GET", `${ORG}/sessions/${session_id}/messages?first=1`);
    expect(page1.body).toMatchObject({ items: [{ message: "Which branch?", source: "devin" }], has_next_page: true });
    const page2 = await call("GET", `${ORG}/sessions/${session_id}/messages?after=${encodeURIComponent(page1.body.end_cursor)}`);
    expect(page2.body.items.map((m: any) => [m.source, m.message])).toEqual([["user", "main"], ["devin", "Opened a PR."]]);
    expect(page2.body.has_next_page).toBe(false);
    expect(page2.body.items[0]).toEqual({ event_id: expect.any(String), created_at: expect.any(Number), message: "main", source: "user" });

    const empty = await call("POST", `${ORG}/sessions/${session_id}/messages`, { message: "" });
    expect(empty).toEqual({ status: 422, body: { detail: [{ loc: ["body", "message"], msg: "Field required", type: "missing" }] } });
  });

  it("is woken from usage_limit_exceeded by a message: resuming, then running", async () => {
    const { call, create, get, script, devin } = mock();
    await script({ tag: "ticket:cap", steps: [{ status: "running", status_detail: "working" }, { status: "suspended", status_detail: "usage_limit_exceeded" }] });
    const { session_id } = await create(["ticket:cap"]);
    await get(session_id);
    expect(await get(session_id)).toMatchObject({ status: "suspended", status_detail: "usage_limit_exceeded" });
    expect(await get(session_id)).toMatchObject({ status: "suspended" });

    await call("POST", `${ORG}/sessions/${session_id}/messages`, { message: "Go on" });
    const resuming = await get(session_id);
    expect(resuming.status).toBe("resuming");
    expect(resuming).not.toHaveProperty("status_detail");
    expect(await get(session_id)).toMatchObject({ status: "running", status_detail: "working" });

    // Steps added later carry on from there.
    await call("POST", "/__mock/advance", { session_id, steps: [{ status: "running", status_detail: "finished" }] });
    expect(await get(session_id)).toMatchObject({ status_detail: "finished" });
    expect((await call("GET", `/__mock/messages?session_id=${session_id}`)).body).toMatchObject([{ source: "user", message: "Go on" }]);
    // Every request about the session is found by its tag.
    expect(devin.requests.filter((r) => r.tags.includes("ticket:cap")).map((r) => r.method)).toEqual(["POST", ...Array(3).fill("GET"), "POST", "GET", "GET", "GET"]);
  });

  it("lists by tag across pages", async () => {
    const { call, create } = mock();
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await create(["repo:web", `ticket:${i}`])).session_id);
    await create(["repo:other"]);
    const seen: string[] = [];
    let after = "";
    const pages = [];
    do {
      const res = await call("GET", `${ORG}/sessions?tags=repo:web&first=2${after && `&after=${encodeURIComponent(after)}`}`);
      pages.push(res.body);
      seen.push(...res.body.items.map((s: any) => s.session_id));
      after = res.body.end_cursor;
    } while (pages.at(-1).has_next_page);
    expect(pages.map((p) => p.items.length)).toEqual([2, 2, 1]);
    expect(seen).toEqual(ids);
    expect(pages[0].items[0]).toHaveProperty("status", "new");
    expect((await call("GET", `${ORG}/sessions?tags=repo:web&tags=ticket:3`)).body.items.map((s: any) => s.session_id)).toEqual([ids[3]]);
    expect((await call("GET", `${ORG}/sessions?first=201`)).status).toBe(422);
  });

  it("names the missing permission in a 403, and rejects unknown keys with 401", async () => {
    const { call, create } = mock({ keys: { view: ["ViewOrgSessions"], manage: ["ManageOrgSessions"] } });
    const { session_id } = await create([], "manage");
    // The tutorial's Manage-only service user cannot look its sessions up.
    for (const path of [`${ORG}/sessions?tags=x`, `${ORG}/sessions/${session_id}`]) {
      expect(await call("GET", path, undefined, "manage")).toMatchObject({
        status: 403,
        body: { title: "Forbidden", status: 403, detail: "Missing permission: ViewOrgSessions" },
      });
    }
    expect((await call("POST", `${ORG}/sessions`, { prompt: "x" }, "view")).body.detail).toBe("Missing permission: ManageOrgSessions");
    expect((await call("DELETE", `${ORG}/sessions/${session_id}`, undefined, "view")).status).toBe(403);
    expect((await call("GET", `${ORG}/sessions/${session_id}`, undefined, "view")).status).toBe(200);
    expect((await call("GET", `${ORG}/sessions`, undefined, "nobody")).status).toBe(401);

    await call("POST", "/__mock/keys", { key: "nobody", permissions: ["ViewOrgSessions"] });
    expect((await call("GET", `${ORG}/sessions`, undefined, "nobody")).status).toBe(200);
  });

  it("terminates on DELETE: exit, idempotent, and no more messages", async () => {
    const { call, create, get } = mock();
    const { session_id } = await create(["ticket:stop"]);
    await get(session_id);
    const del = await call("DELETE", `${ORG}/sessions/${session_id}`);
    expect(del).toMatchObject({ status: 200, body: { session_id, status: "exit" } });
    expect(await get(session_id)).toMatchObject({ status: "exit" });
    expect(await get(session_id)).not.toHaveProperty("status_detail");
    expect((await call("DELETE", `${ORG}/sessions/${session_id}`)).status).toBe(200);
    expect(await call("POST", `${ORG}/sessions/${session_id}/messages`, { message: "hi" })).toMatchObject({
      status: 400,
      body: { detail: "Session has ended" },
    });
  });
});
