import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CaseTicket, Delivery } from "../../src/trackers/case-table";
import { cases as github } from "../../src/trackers/github/cases";
import { TEST_BINDINGS } from "../support/bindings";
import { createDevinMock } from "../support/devin-mock";
import { createTrackerMock } from "../support/tracker-mock";
import { postDelivery } from "../support/case-tables";
import { startBridge, type BridgeWithDoubles } from "../support/wrangler-dev";

// The operator console in a real headless Chromium against `wrangler dev` (real local KV, Queue,
// Workflow and Durable Object) with loopback doubles for Devin and GitHub: sign in, watch a ticket
// go from running to finished, retry a failed one. Each page is saved for the README.

// Debian's `chromium` here and in .ci/run; CHROMIUM_PATH elsewhere (a CI image's Google Chrome).
const CHROMIUM = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p): p is string => Boolean(p) && existsSync(p!));
const SHOTS = resolve(import.meta.dirname, "../browser/screenshots");
if (!CHROMIUM) console.warn("admin-browser: SKIPPED: no Chromium at CHROMIUM_PATH or /usr/bin/chromium (apt-get install -y chromium)");

describe.skipIf(!CHROMIUM)("operator console in headless Chromium, against wrangler dev", () => {
  const devin = createDevinMock({ apiKey: TEST_BINDINGS.DEVIN_API_KEY });
  const tracker = createTrackerMock();
  let { devinServer, trackerServer, bridge, stop } = {} as BridgeWithDoubles;
  let profile: string;
  let browser: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    ({ devinServer, trackerServer, bridge, stop } = await startBridge(devin, tracker, { FOLLOW_INTERVAL_SECONDS: "10" }));
    profile = mkdtempSync(join(tmpdir(), "bridge-chromium-"));
    mkdirSync(SHOTS, { recursive: true });
    // A fresh profile each run (Playwright takes it as userDataDir rather than --user-data-dir).
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
      viewport: { width: 1100, height: 760 },
    });
    page = browser.pages()[0] ?? (await browser.newPage());
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stop?.();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

  const post = (d: Delivery) => postDelivery(bridge.url, github, d, TEST_BINDINGS.WEBHOOK_SECRET);

  function newTicket(offset: number, title: string): CaseTicket {
    const n = 600_000_000 + (Date.now() % 10_000_000) * 10 + offset;
    return { n, title: `${title} (${n})`, description: "HTTP 500 on an empty cart.", labels: ["bug", "devin-autofix"], author: "dana" };
  }

  /** Reloads the page until its status badge reads `words`, as an operator would. */
  async function reloadUntilStatus(url: string, words: string, ms = 60_000): Promise<void> {
    for (const end = Date.now() + ms; Date.now() < end; await page.waitForTimeout(500)) {
      await page.goto(url);
      // Before the run records the ticket the page is a 404: no badge yet.
      const badge = page.locator("main > p .st");
      if ((await badge.count()) > 0 && (await badge.first().textContent()) === words) return;
    }
    throw new Error(`the ticket page never showed "${words}"\n--- wrangler dev output (tail) ---\n${bridge.output().slice(-4000)}`);
  }

  it(
    "signs in, sees a ticket move from running to finished, retries a failed one",
    async () => {
      // Sign-in: the form, a wrong token refused, then the right one.
      await page.goto(`${bridge.url}/admin`);
      expect(await page.locator("h1").textContent()).toBe("Sign in");
      await page.fill('input[name="token"]', "definitely-not-the-admin-token");
      await page.click('button[type="submit"]');
      expect(await page.locator(".error").textContent()).toContain("not accepted");
      await shot("sign-in");
      await page.fill('input[name="token"]', TEST_BINDINGS.ADMIN_TOKEN);
      await page.click('button[type="submit"]');
      expect(await page.locator("h1").textContent()).toBe("Tickets");
      const cookies = await browser.cookies();
      expect(cookies.find((c) => c.name === "bridge_admin")).toMatchObject({ httpOnly: true, secure: true, sameSite: "Strict" });

      const a = newTicket(1, "Empty cart checkout fails");
      const b = newTicket(2, "Coupon field ignores spaces");
      const aUrl = `${bridge.url}/admin/tickets/github/${github.key(a).split("/").map(encodeURIComponent).join("/")}`;
      const bUrl = `${bridge.url}/admin/tickets/github/${github.key(b).split("/").map(encodeURIComponent).join("/")}`;

      // Ticket B: Devin refuses the next create once, so B's first run fails.
      await fetch(`${devinServer.url}/__mock/faults`, {
        method: "POST",
        body: JSON.stringify({ method: "POST", pathSuffix: "/sessions", status: 403, body: { detail: "forbidden" }, times: 1 }),
      });
      expect((await post(github.created(b))).status).toBe(202);
      await reloadUntilStatus(bUrl, "failed");
      expect(await page.locator("td.error").first().textContent()).toContain("ManageOrgSessions permission");
      await shot("ticket-failed");

      // Ticket A: Devin finishes with a pull request at its first poll (10 s after the start).
      // Its tag is `ticket:<instance id>`, whose readable prefix comes from `github:acme/web-app#<n>:devin-autofix`.
      const prUrl = `https://github.com/acme/web-app/pull/${a.n}`;
      await fetch(`${devinServer.url}/__mock/script`, {
        method: "POST",
        body: JSON.stringify({
          tagPrefix: `ticket:github-acme-web-app-${a.n}-`,
          steps: [{ status: "running", status_detail: "finished", pull_requests: [{ pr_url: prUrl, pr_state: "open" }] }],
        }),
      });
      expect((await post(github.created(a))).status).toBe(202);
      await reloadUntilStatus(aUrl, "running");
      expect(await page.locator("form[action$='/stop'] button").textContent()).toBe("Stop this session");
      await shot("ticket-running");
      await reloadUntilStatus(aUrl, "finished");
      expect(await page.locator(`a[href="${prUrl}"]`).count()).toBeGreaterThan(0);
      await shot("ticket-finished");

      // B again: the operator retries it from its page; run 2 gets a session.
      await page.goto(bUrl);
      await page.click("form[action$='/retry'] button");
      expect(await page.locator(".banner").last().textContent()).toContain("Retry queued");
      await reloadUntilStatus(bUrl, "running");
      expect(await page.locator("table tbody tr").count()).toBe(2);
      await shot("ticket-retried");

      await page.goto(`${bridge.url}/admin`);
      expect(await page.locator(`tr[data-ticket="${github.key(a)}"] .st`).textContent()).toBe("finished");
      // A retried ticket is listed once, at its latest run.
      expect(await page.locator(`tr[data-ticket="${github.key(b)}"]`).count()).toBe(1);
      await shot("tickets");
      await page.goto(`${bridge.url}/admin/spend`);
      expect(Number(await page.locator('[data-usage="day"]').textContent())).toBeGreaterThanOrEqual(2);
      await shot("spend");
      await page.goto(`${bridge.url}/admin/config`);
      await shot("config");
      await page.setViewportSize({ width: 390, height: 844 });
      await page.goto(`${bridge.url}/admin`);
      await shot("tickets-phone");
    },
    180_000,
  );
});
