import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { spendGuard } from "../../src/guards/spend-guard";
import { TicketStore, type RunStatus, type TicketRecord } from "../../src/store/tickets";
import type { CaseTicket, Delivery } from "../../src/trackers/case-table";
import { cases as github } from "../../src/trackers/github/cases";
import { runInstanceId } from "../../src/ticket";
import { TEST_BINDINGS } from "../support/bindings";
import { callWorker, devin, SECRET, sleep, watchRun } from "./helpers";

// The operator console, driven over HTTP like a browser (form posts, the session cookie) and a script (Bearer).

const ORIGIN = "https://bridge.test";
const TOKEN = TEST_BINDINGS.ADMIN_TOKEN;
const store = new TicketStore((env as Env).TICKETS);

let counter = 0;
function newTicket(): CaseTicket {
  const n = 700_000_000 + ((Date.now() % 1_000_000) * 10 + counter++) % 99_999_999;
  return { n, title: `Console ticket (${n})`, description: "HTTP 500 on an empty cart.", labels: ["bug", "devin-autofix"], author: "dana" };
}

async function post(d: Delivery) {
  const signed = await github.sign(d.body, SECRET);
  const headers = { "content-type": "application/json", ...d.headers, ...signed.headers };
  return callWorker(new Request(`${ORIGIN}/webhooks/github${d.suffix ?? ""}`, { method: "POST", headers, body: d.body }));
}

function page(path: string, headers: Record<string, string> = {}) {
  return callWorker(new Request(`${ORIGIN}${path}`, { headers }));
}

function form(path: string, fields: Record<string, string>, headers: Record<string, string> = { origin: ORIGIN }) {
  return callWorker(
    new Request(`${ORIGIN}${path}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
      body: new URLSearchParams(fields).toString(),
      redirect: "manual",
    }),
  );
}

/** Signs in through the form, as a browser does; returns the cookie to send back. */
async function signIn(): Promise<string> {
  const res = await form("/admin/login", { token: TOKEN });
  expect(res.status).toBe(303);
  const cookie = res.headers.get("set-cookie")!;
  return cookie.split(";")[0]!;
}

async function until<T>(probe: () => Promise<T | undefined | null | false>, what: string, ms = 15_000): Promise<T> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(50)) {
    const value = await probe();
    if (value) return value;
  }
  throw new Error(`timed out waiting for ${what}`);
}

const latest = (t: CaseTicket) => store.findByTicket("github", github.key(t));

describe("operator console: sign-in", () => {
  it("a missing token, a wrong bearer and a wrong form token get the same 401 sign-in page; no cookie is set", async () => {
    const none = await page("/admin");
    const wrongBearer = await page("/admin", { authorization: "Bearer not-the-admin-token-at-all" });
    const wrongForm = await form("/admin/login", { token: "not-the-admin-token-at-all" });
    const emptyForm = await form("/admin/login", {});
    expect([none.status, wrongBearer.status, wrongForm.status, emptyForm.status]).toEqual([401, 401, 401, 401]);
    const [a, b, c, d] = await Promise.all([none, wrongBearer, wrongForm, emptyForm].map((r) => r.text()));
    expect(a).toContain('<form method="post" action="/admin/login">');
    expect(b).toBe(a);
    expect(d).toBe(c);
    expect(c).toContain("not accepted");
    expect(wrongForm.headers.get("set-cookie")).toBeNull();
    expect(c).not.toContain(TOKEN);
  });

  it("the right token sets an HttpOnly, Secure, SameSite=Strict cookie that opens the pages; a forged one does not", async () => {
    const res = await form("/admin/login", { token: TOKEN });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/admin");
    const setCookie = res.headers.get("set-cookie")!;
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/Secure/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).not.toContain(TOKEN);
    const cookie = setCookie.split(";")[0]!;
    const ok = await page("/admin", { cookie });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(await ok.text()).toContain("<h1>Tickets</h1>");

    const [name, value] = cookie.split("=");
    const expiry = decodeURIComponent(value!).split(".")[1]!;
    const forged = `${name}=${encodeURIComponent(`v1.${Number(expiry) + 1}.${decodeURIComponent(value!).split(".").slice(2).join(".")}`)}`;
    expect((await page("/admin", { cookie: forged })).status).toBe(401);
    // The cookie is no bearer token, and the bearer token keeps working for scripts.
    expect((await page("/admin/config", { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
  });

  it("refuses cross-site form posts (sign-in and actions) with 403 and does nothing", async () => {
    const login = await form("/admin/login", { token: TOKEN }, { origin: "https://evil.example" });
    expect(login.status).toBe(403);
    expect(await login.json()).toMatchObject({ error: { code: "cross_site_request" } });
    expect(login.headers.get("set-cookie")).toBeNull();

    const cookie = await signIn();
    const record = await seed("failed");
    const retry = await form(`/admin/runs/${record.instance_id}/retry`, {}, { cookie, origin: "https://evil.example" });
    expect(retry.status).toBe(403);
    const noOrigin = await form(`/admin/runs/${record.instance_id}/retry`, {}, { cookie });
    expect(noOrigin.status).toBe(403);
    await sleep(300);
    expect((await store.findByTicket(record.source, record.key!))!.instance_id).toBe(record.instance_id);
  });
});

/** A record as the workflow writes them, for a ticket nobody else uses. */
async function seed(status: RunStatus, extra: Partial<TicketRecord> = {}): Promise<TicketRecord> {
  const id = `C-${crypto.randomUUID().slice(0, 8)}`;
  const now = new Date(Date.now() + 3_600_000).toISOString();
  const key = `tickets:${id}:devin-autofix`;
  const record: TicketRecord = {
    ticket_key: key,
    instance_id: await runInstanceId(key, 1),
    source: "tickets",
    key: id,
    ticket_id: id,
    title: `Seeded ${status} ticket`,
    ticket_url: `https://tickets.example.test/${id}`,
    label: "devin-autofix",
    playbook: "playbook-autofix-0001",
    status,
    run: 1,
    created_at: now,
    updated_at: now,
    ...extra,
  };
  await store.put(record);
  await store.index(record);
  return record;
}

describe("operator console: pages", () => {
  const cases: [RunStatus, Partial<TicketRecord>, string[]][] = [
    ["deferred", { retry_at: "2030-01-01T10:00:00.000Z" }, ["deferred", "starts at 2030-01-01T10:00:00.000Z"]],
    ["started", { session_id: "devin-s1", url: "https://app.devin.ai/sessions/s1" }, ["running", "https://app.devin.ai/sessions/s1", "Stop this session"]],
    ["waiting", { session_id: "devin-s2", url: "https://app.devin.ai/sessions/s2" }, ["waiting for reporter", "Stop this session"]],
    ["suspended", { session_id: "devin-s3" }, ["suspended"]],
    ["finished", { session_id: "devin-s4", url: "https://app.devin.ai/sessions/s4", pull_requests: ["https://github.com/acme/web/pull/7"] }, ["finished", "https://github.com/acme/web/pull/7"]],
    ["failed", { error: { code: "devin_rejected", message: "Devin refused the API key (401)" } }, ["failed", "Devin refused the API key (401)"]],
    ["stopped", { stopped_by: "@devin stop by erin" }, ["stopped", "@devin stop by erin"]],
  ];
  for (const [status, extra, words] of cases) {
    it(`shows a ${status} ticket in the list (filtered by status and source) and on its own page`, async () => {
      const cookie = await signIn();
      const record = await seed(status, { ...extra, ticket: undefined });
      const list = await (await page(`/admin?status=${status}&source=tickets`, { cookie })).text();
      expect(list).toContain(`data-ticket="${record.key}"`);
      expect(list).toContain(`href="/admin/tickets/tickets/${record.key}"`);
      const other = await (await page(`/admin?status=${status === "failed" ? "finished" : "failed"}&source=tickets`, { cookie })).text();
      expect(other).not.toContain(`data-ticket="${record.key}"`);

      const detail = await page(`/admin/tickets/tickets/${record.key}`, { cookie });
      expect(detail.status).toBe(200);
      const html = await detail.text();
      for (const w of words) expect(html).toContain(w);
      expect(html.includes("Stop this session")).toBe(["deferred", "started", "waiting", "suspended"].includes(status));
    });
  }

  it("answers a bad filter with a 400 in words and an unknown ticket with a 404", async () => {
    const cookie = await signIn();
    const bad = await page("/admin?status=exploded", { cookie });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: "invalid_query" } });
    expect((await page("/admin/tickets/tickets/nope-404", { cookie })).status).toBe(404);
  });

  it("the spend page shows usage against the limits, the deferred tickets and a 14-day chart", async () => {
    const cookie = await signIn();
    const deferred = await seed("deferred", { retry_at: "2031-02-03T04:05:06.000Z" });
    const html = await (await page("/admin/spend", { cookie })).text();
    expect(html).toMatch(/<strong data-usage="hour">\d+<\/strong> of 10000/);
    expect(html).toMatch(/<strong data-usage="day">\d+<\/strong> of 100000/);
    expect(html).toContain(`starts at ${deferred.retry_at}`);
    expect(html.match(/<rect /g)).toHaveLength(14);
  });

  it("the spend guard counts sessions per UTC day for the chart, and gives a released one back", async () => {
    const guard = spendGuard(env as Env);
    const at = Date.now() - 3 * 86_400_000;
    const day = new Date(at).toISOString().slice(0, 10);
    const count = async () => (await guard.perDay(14)).find((d) => d.day === day)!.sessions;
    const before = await count();
    const key = `chart-${crypto.randomUUID()}`;
    expect(await guard.reserve(key, { perHour: 1000, perDay: 1000 }, at)).toEqual({ ok: true });
    expect(await count()).toBe(before + 1);
    await guard.release(key);
    expect(await count()).toBe(before);
    const days = await guard.perDay(14);
    expect(days).toHaveLength(14);
    expect(days.at(-1)!.day).toBe(new Date().toISOString().slice(0, 10));
  });

  it("the configuration page names sources, playbooks and write-back, never a secret's value", async () => {
    const cookie = await signIn();
    const html = await (await page("/admin/config", { cookie })).text();
    expect(html).toContain("playbook-autofix-0001");
    expect(html).toMatch(/data-source="bugzilla"[^]*?set[^]*?http:\/\/tracker\.mock/);
    expect(html).toContain("shared WEBHOOK_SECRET");
    for (const secret of [TEST_BINDINGS.DEVIN_API_KEY, SECRET, TEST_BINDINGS.TICKET_API_TOKEN, TOKEN, TEST_BINDINGS.BUGZILLA_API_KEY]) {
      expect(html).not.toContain(secret);
    }
  });

  it("shows the DRY_RUN banner when DRY_RUN is on", async () => {
    const cookie = await signIn();
    const on = await callWorker(new Request(`${ORIGIN}/admin/config`, { headers: { cookie } }), { DRY_RUN: "true" });
    expect(await on.text()).toContain("DRY_RUN is on");
    expect(await (await page("/admin/config", { cookie })).text()).not.toContain("DRY_RUN is on");
  });
});

describe("operator console: actions", () => {
  it("stops a running session once, then retries it as run 2 with one new session", async () => {
    const t = newTicket();
    const key = `github:${github.key(t)}:devin-autofix`;
    const first = await runInstanceId(key, 1);
    const second = await runInstanceId(key, 2);
    await fetch("http://devin.mock/__mock/script", {
      method: "POST",
      body: JSON.stringify({ tag: `ticket:${first}`, steps: [{ status: "running", status_detail: "working", until: "message" }] }),
    });
    expect((await post(github.created(t))).status).toBe(202);
    await until(async () => (await latest(t))?.status === "started", "the session");
    const cookie = await signIn();

    // Retry is refused while it runs.
    const early = await form(`/admin/runs/${first}/retry`, {}, { cookie, origin: ORIGIN });
    expect(early.status).toBe(409);

    const stop = await form(`/admin/runs/${first}/stop`, {}, { cookie, origin: ORIGIN });
    expect(stop.status).toBe(303);
    expect(stop.headers.get("location")).toBe(`/admin/tickets/github/${github.key(t).split("/").map(encodeURIComponent).join("/")}?done=stop`);
    await until(async () => (await latest(t))?.status === "stopped", "the stop");
    expect((await latest(t))!.stopped_by).toBe("stopped from the operator console");
    expect((await devin.requests(`ticket:${first}`)).filter((r) => r.method === "DELETE")).toHaveLength(1);
    expect((await form(`/admin/runs/${first}/stop`, {}, { cookie, origin: ORIGIN })).status).toBe(409);

    await using two = await watchRun(second);
    const retry = await form(`/admin/runs/${first}/retry`, {}, { cookie, origin: ORIGIN });
    expect(retry.status).toBe(303);
    await two.waitForStatus("complete");
    expect(await devin.creates(`ticket:${second}`)).toHaveLength(1);
    const runs = await store.runs((await latest(t))!);
    expect(runs.map((r) => r.run)).toEqual([2, 1]);
    // Run 1 is no longer the ticket's latest: acting on it again is refused.
    expect((await form(`/admin/runs/${first}/retry`, {}, { cookie, origin: ORIGIN })).status).toBe(409);
    const list = await (await page("/admin?source=github", { cookie })).text();
    expect(list.split(`data-ticket="${github.key(t)}"`)).toHaveLength(2);
    const detail = await (await page(retry.headers.get("location")!, { cookie })).text();
    expect(detail).toContain("Retry queued");
    expect(detail).toContain("run 2 asked for (a retry)");
  });

  it("retries a failed ticket with a bearer token (a script), starting exactly one session", async () => {
    const t = newTicket();
    const key = `github:${github.key(t)}:devin-autofix`;
    const first = await runInstanceId(key, 1);
    const second = await runInstanceId(key, 2);
    await using one = await watchRun(first);
    expect((await post(github.created(t))).status).toBe(202);
    await one.waitForStatus("complete");
    const record = (await latest(t))!;
    await store.put({ ...record, status: "failed", error: { code: "devin_unavailable", message: "Devin could not be reached" } });

    await using two = await watchRun(second);
    const retries = await Promise.all(
      [1, 2].map(() =>
        callWorker(new Request(`${ORIGIN}/admin/runs/${first}/retry`, { method: "POST", headers: { authorization: `Bearer ${TOKEN}` }, redirect: "manual" })),
      ),
    );
    expect(retries.map((r) => r.status)).toContain(303);
    await two.waitForStatus("complete");
    await sleep(300);
    expect(await devin.creates(`ticket:${second}`)).toHaveLength(1);
    expect((await latest(t))!.run).toBe(2);
  });
});
