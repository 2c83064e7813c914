import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_BINDINGS } from "../support/bindings";
import { createDevinMock } from "../support/devin-mock";
import { createTrackerMock } from "../support/tracker-mock";
import { startBridge, type BridgeWithDoubles } from "../support/wrangler-dev";

// `npm run doctor` against `wrangler dev` (as under `npm run dev`): it passes on a sound set-up, and
// names the problem and the fix for a Devin key Devin refuses and for a tracker token the tracker refuses.
describe("npm run doctor against wrangler dev", () => {
  // No keys registered: any key passes, until the test registers another one (then ours is wrong).
  const devin = createDevinMock();
  const tracker = createTrackerMock();
  let { devinServer, trackerServer, bridge, stop } = {} as BridgeWithDoubles;
  beforeAll(async () => void ({ devinServer, trackerServer, bridge, stop } = await startBridge(devin, tracker)), 120_000);
  afterAll(() => stop?.());

  function doctor(env: Record<string, string> = { ADMIN_TOKEN: TEST_BINDINGS.ADMIN_TOKEN }): Promise<{ code: number; out: string }> {
    return new Promise((done) => {
      const child = spawn(process.execPath, [resolve(import.meta.dirname, "../../scripts/doctor.ts"), "--url", bridge.url], {
        env: { ...process.env, NO_COLOR: "1", ...env },
      });
      let out = "";
      child.stdout.on("data", (d) => (out += d));
      child.stderr.on("data", (d) => (out += d));
      child.on("exit", (code) => done({ code: code ?? -1, out }));
    });
  }

  const route = (method: string, path: string, status: number) =>
    fetch(`${trackerServer.url}/__mock/routes`, { method: "POST", body: JSON.stringify({ method, path, status, body: {} }) });

  it("passes on a sound set-up, then names a refused Devin key and a refused tracker token with their fixes", async () => {
    await route("GET", "/api/v3/rate_limit", 200);
    await route("GET", "/my/account.json", 200);
    const sound = await doctor();
    expect(sound.out).toContain("✓ Devin API key");
    expect(sound.out).toContain("✓ GitHub API token: TICKET_API_TOKEN is accepted");
    expect(sound.out).toContain("✓ binding SPEND_GUARD");
    expect(sound.out).toMatch(/all \d+ checks passed/);
    expect(sound.code).toBe(0);

    // Devin now knows only another key: the bridge's is wrong.
    await fetch(`${devinServer.url}/__mock/keys`, { method: "POST", body: JSON.stringify({ key: "cog_another_key", permissions: ["ViewOrgSessions"] }) });
    await route("GET", "/api/v3/rate_limit", 401);
    const broken = await doctor();
    expect(broken.code).toBe(1);
    expect(broken.out).toContain("✗ Devin API key: Devin refused DEVIN_API_KEY (401)");
    expect(broken.out).toMatch(/fix: set DEVIN_API_KEY to a service user's key/);
    expect(broken.out).toContain(`✗ GitHub API token: ${trackerServer.url} refused TICKET_API_TOKEN (401)`);
    expect(broken.out).toContain("fix: set GITHUB_API_TOKEN");
    expect(broken.out).toMatch(/2 of \d+ checks failed/);
    for (const secret of [TEST_BINDINGS.DEVIN_API_KEY, TEST_BINDINGS.TICKET_API_TOKEN, TEST_BINDINGS.ADMIN_TOKEN]) expect(broken.out).not.toContain(secret);

    const noToken = await doctor({ ADMIN_TOKEN: "not-the-admin-token-at-all" });
    expect(noToken.code).toBe(1);
    expect(noToken.out).toContain("the bridge refused the admin token");
  });
});
