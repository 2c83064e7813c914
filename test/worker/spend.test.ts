import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { DevinClient } from "../../src/devin/client";
import { spendGuard } from "../../src/guards/spend-guard";
import { findOrCreateSession } from "../../src/workflows/session";
import { instanceIdFor } from "../../src/ticket";
import { TEST_BINDINGS } from "../support/bindings";
import type { CaseTicket } from "../../src/trackers/case-table";
import { cases as github } from "../../src/trackers/github/cases";
import { callWorker, devin, idsFor, postWebhook, SECRET, sleep, ticket, watchRun } from "./helpers";

const guard = () => spendGuard(env as Env);
const HOUR = 3_600_000;

describe("spend guard (Durable Object counter)", () => {
  it("never lets a concurrent burst past the limit", async () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    const limits = { perHour: 7, perDay: 100 };
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => guard().reserve(`burst:${i}`, limits, now)));
    expect(results.filter((r) => r.ok)).toHaveLength(7);
    const refused = results.find((r) => !r.ok) as { retryAtMs: number; reason: string };
    expect(refused.reason).toContain("MAX_SESSIONS_PER_HOUR (7)");
    expect(refused.retryAtMs).toBe(now + HOUR);
  });

  it("counts a ticket once however often it asks, and gives the place back on release", async () => {
    const now = Date.parse("2026-02-01T00:00:00Z");
    const limits = { perHour: 1, perDay: 10 };
    expect(await guard().reserve("same:1", limits, now)).toEqual({ ok: true });
    expect(await guard().reserve("same:1", limits, now + 1)).toEqual({ ok: true });
    expect((await guard().reserve("same:2", limits, now + 2)).ok).toBe(false);
    await guard().release("same:1");
    expect(await guard().reserve("same:2", limits, now + 3)).toEqual({ ok: true });
    // An hour later the hourly window has room again.
    expect(await guard().reserve("same:3", limits, now + 3 + HOUR + 1)).toEqual({ ok: true });
  });

  it("a 300-ticket flood from one source fills that source's share only; another source still starts", async () => {
    const now = Date.parse("2026-02-15T00:00:00Z"); // between its neighbours: their rows are out of its day, its rows out of theirs
    const limits = (source: string) => ({ perHour: 20, perDay: 100, scopes: [{ name: `source:${source}`, perHour: 5, perDay: 50, label: source }] });
    const flood = await Promise.all(Array.from({ length: 300 }, (_, i) => guard().reserve(`flood:${i}`, limits("noisy"), now + i)));
    expect(flood.filter((r) => r.ok)).toHaveLength(5);
    expect(flood.find((r) => !r.ok)).toMatchObject({ reason: "MAX_SESSIONS_PER_HOUR for noisy (5) reached" });
    expect(await guard().reserve("quiet:1", limits("quiet"), now + 400)).toEqual({ ok: true });
    // The global limits still bound the sum of every share.
    const many = await Promise.all(Array.from({ length: 30 }, (_, i) => guard().reserve(`share:${i}`, limits(`s${i}`), now + 500)));
    expect(many.filter((r) => r.ok)).toHaveLength(20 - 6);
  });

  it("applies the daily limit over a rolling day", async () => {
    const now = Date.parse("2026-03-01T00:00:00Z");
    const limits = { perHour: 100, perDay: 3 };
    for (let i = 0; i < 3; i++) expect((await guard().reserve(`day:${i}`, limits, now + i * 2 * HOUR)).ok).toBe(true);
    const refused = await guard().reserve("day:3", limits, now + 7 * HOUR);
    expect(refused).toMatchObject({ ok: false, retryAtMs: now + 24 * HOUR });
    expect((await guard().reserve("day:3", limits, now + 24 * HOUR + 1)).ok).toBe(true);
  });
});

describe("spend guard in the pipeline", () => {
  // First in this block: the burst test below fills the shared hourly window on purpose.
  it("a flood from one source (GITHUB_MAX_SESSIONS_PER_HOUR=3) defers that source, not another source's ticket", async () => {
    const room = 20 - (await guard().usage()).lastHour;
    const base = 900_000_000 + (Date.now() % 10_000_000) * 10;
    const flood: CaseTicket[] = Array.from({ length: room + 5 }, (_, i) => ({ n: base + i, title: `Flood ${i}`, description: "spam", labels: ["devin-autofix"], author: "mallory" }));
    const send = async (t: CaseTicket) => {
      const delivery = github.created(t);
      const signed = await github.sign(delivery.body, SECRET);
      return callWorker(new Request("https://bridge.test/webhooks/github", { method: "POST", headers: { "content-type": "application/json", ...delivery.headers, ...signed.headers }, body: delivery.body }));
    };
    const answers = await Promise.all(flood.map(send));
    expect(answers.every((a) => a.status === 202)).toBe(true);
    const floodTags = await Promise.all(flood.map(async (t) => `ticket:${await instanceIdFor(`github:${github.key(t)}:devin-autofix`)}`));
    const countCreates = async () => (await Promise.all(floodTags.map((tag) => devin.creates(tag)))).reduce((n, c) => n + c.length, 0);
    for (const deadline = Date.now() + 20_000; (await countCreates()) < 3 && Date.now() < deadline; ) await sleep(250);

    // A genuine ticket from another tracker starts at once: never deferred, one session.
    const t = ticket();
    const { instanceId, tag } = await idsFor(t.id);
    await using run = await watchRun(instanceId);
    expect((await postWebhook(t)).status).toBe(202);
    await run.waitForStatus("complete");
    expect(await devin.creates(tag)).toHaveLength(1);
    const record = await (env as Env).TICKETS.get<{ status: string; retry_at?: string }>(`ticket:${instanceId}`, "json");
    expect(record?.retry_at).toBeUndefined();

    await sleep(1_000);
    expect(await countCreates()).toBe(3);
  });

  it("defers a ticket over the limit, records it, and starts it when the window allows", async () => {
    const t = ticket();
    const { instanceId, tag } = await idsFor(t.id);
    await using run = await watchRun(instanceId);
    await run.modify(async (m) => {
      await m.mockStepResult({ name: "reserve spend #1" }, { ok: false, retryAtMs: Date.now() + HOUR, reason: "MAX_SESSIONS_PER_HOUR (20) reached" });
    });
    expect((await postWebhook(t)).status).toBe(202);
    await run.waitForStepResult({ name: "record deferral #1" });
    await run.waitForStatus("complete");
    expect(await run.getOutput()).toMatchObject({ status: "started", created: true });
    expect(await devin.creates(tag)).toHaveLength(1);
  });

  it("passes MAX_ACU_LIMIT to Devin as max_acu_limit", async () => {
    const client = new DevinClient({ apiBase: "http://devin.mock", orgId: TEST_BINDINGS.DEVIN_ORG_ID, apiKey: TEST_BINDINGS.DEVIN_API_KEY });
    const t = ticket();
    const { instanceId, key } = await idsFor(t.id);
    const job = {
      ticketKey: key,
      instanceId,
      ticket: { source: "tickets", tracker: "x", key: t.id, id: t.id, title: t.title, description: "", labels: [], triggerLabels: [] },
      label: "devin-autofix",
      playbookId: "playbook-autofix-0001",
      receivedAt: new Date().toISOString(),
    };
    const outcome = await findOrCreateSession(client, job, { ticketApiToken: "t", maxAcuLimit: 25 });
    expect(outcome.ok).toBe(true);
    const [create] = await devin.creates(`ticket:${instanceId}`);
    expect(create!.body.max_acu_limit).toBe(25);
  });

  it("starts exactly MAX_SESSIONS_PER_HOUR sessions from a burst of distinct tickets; the rest wait", async () => {
    const limit = 20; // MAX_SESSIONS_PER_HOUR's default
    // Storage is per test file: only this file's earlier sessions count.
    const room = limit - (await guard().usage()).lastHour;
    const tickets = Array.from({ length: room + 5 }, () => ticket());
    const answers = await Promise.all(tickets.map((t) => postWebhook(t)));
    expect(answers.every((a) => a.status === 202)).toBe(true);

    const tags = await Promise.all(tickets.map(async (t) => (await idsFor(t.id)).tag));
    const countCreates = async () => (await Promise.all(tags.map((tag) => devin.creates(tag)))).reduce((n, c) => n + c.length, 0);
    const deadline = Date.now() + 20_000;
    while ((await countCreates()) < room && Date.now() < deadline) await sleep(250);
    await sleep(2_000);
    expect(await countCreates()).toBe(room);
    expect((await guard().usage()).lastHour).toBe(limit);

    const records = await Promise.all(
      tickets.map(async (t) => (env as Env).TICKETS.get<{ status: string }>(`ticket:${(await idsFor(t.id)).instanceId}`, "json")),
    );
    expect(records.filter((r) => r?.status === "deferred")).toHaveLength(5);
  });
});
