import { describe, expect, it } from "vitest";
import { TEST_BINDINGS } from "../support/bindings";
import { callWorker, trackerApi } from "./helpers";

// GET /health?deep=1: what `npm run doctor` prints, checked where the secrets are.

interface Check {
  name: string;
  ok: boolean;
  message: string;
  fix?: string;
}

async function deep(env?: Record<string, unknown>, token: string | null = TEST_BINDINGS.ADMIN_TOKEN) {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const res = await callWorker(new Request("https://bridge.test/health?deep=1", { headers }), env);
  return { res, text: await res.text() };
}

const check = (text: string, name: string): Check => {
  const found = (JSON.parse(text) as { checks: Check[] }).checks.find((c) => c.name === name);
  if (!found) throw new Error(`no check named ${name} in ${text}`);
  return found;
};

describe("GET /health?deep=1", () => {
  it("is admin only: no token and a wrong one get the same 401", async () => {
    const none = await deep(undefined, null);
    const wrong = await deep(undefined, "not-the-admin-token-at-all");
    expect(none.res.status).toBe(401);
    expect(wrong.res.status).toBe(401);
    expect(wrong.text).toBe(none.text);
    expect(JSON.parse(none.text)).toMatchObject({ error: { code: "unauthorized" } });
  });

  it("checks the settings, the four bindings and the Devin key with a read", async () => {
    const { text } = await deep();
    expect(check(text, "settings").ok).toBe(true);
    for (const b of ["TICKETS", "TICKET_QUEUE", "TICKET_RUN", "SPEND_GUARD"]) expect(check(text, `binding ${b}`)).toMatchObject({ ok: true });
    expect(check(text, "Devin API key")).toMatchObject({ ok: true, message: expect.stringContaining("org-test-0001") });
  });

  it("a wrong Devin key fails with the fix, and the key's value appears nowhere", async () => {
    const { res, text } = await deep({ DEVIN_API_KEY: "cog_wrong_key_0000" });
    expect(res.status).toBe(503);
    expect(JSON.parse(text).status).toBe("failing");
    expect(check(text, "Devin API key")).toMatchObject({ ok: false, message: expect.stringContaining("401"), fix: expect.stringContaining("DEVIN_API_KEY") });
    expect(text).not.toContain("cog_wrong_key_0000");
    expect(text).not.toContain(TEST_BINDINGS.TICKET_API_TOKEN);
  });

  it("a tracker token its tracker refuses fails with the fix; one it accepts passes", async () => {
    await trackerApi.route({ method: "GET", path: "/doctor-bad/api/v4/user", status: 401, body: { message: "401 Unauthorized" } });
    await trackerApi.route({ method: "GET", path: "/doctor-good/api/v4/user", status: 200, body: { id: 1, username: "bridge" } });
    // No GITLAB_API_TOKEN: the shared TICKET_API_TOKEN is tried, and refused.
    const bad = await deep({ GITLAB_BASE_URL: "http://tracker.mock/doctor-bad", GITLAB_API_TOKEN: "" });
    expect(check(bad.text, "GitLab API token")).toMatchObject({
      ok: false,
      message: "http://tracker.mock/doctor-bad refused TICKET_API_TOKEN (401)",
      fix: expect.stringContaining("set GITLAB_API_TOKEN"),
    });
    const good = await deep({ GITLAB_BASE_URL: "http://tracker.mock/doctor-good", GITLAB_API_TOKEN: "glpat-doctor-good-0001" });
    expect(check(good.text, "GitLab API token")).toMatchObject({ ok: true, message: expect.stringContaining("GITLAB_API_TOKEN is accepted") });
    expect(good.text).not.toContain("glpat-doctor-good-0001");
    const sent = (await trackerApi.requests("/doctor-good/api/v4/user")).at(-1)!;
    expect(sent.headers["private-token"]).toBe("glpat-doctor-good-0001");
  });

  it("a misconfigured bridge names the setting and how to set it", async () => {
    const { res, text } = await deep({ PLAYBOOKS: "not json" });
    expect(res.status).toBe(503);
    expect(check(text, "setting PLAYBOOKS")).toMatchObject({ ok: false, fix: expect.stringContaining("wrangler secret put PLAYBOOKS") });
  });

  it("plain /health says when DRY_RUN is on", async () => {
    const on = await callWorker(new Request("https://bridge.test/health"), { DRY_RUN: "true" });
    expect(await on.json()).toMatchObject({ status: "ok", dry_run: true });
    expect(await (await callWorker(new Request("https://bridge.test/health"))).json()).not.toHaveProperty("dry_run");
  });
});
