import { describe, expect, inject, it } from "vitest";
import type { CaseTicket, Delivery, Expectation, ExtraCase, Step, TrackerCases, WriteBackShape } from "../../src/trackers/case-table";
import { TRIGGER } from "../../src/trackers/case-table";
import { trackerIds } from "../../src/trackers";
import { TEST_BINDINGS } from "../support/bindings";
import { callWorker, devin, idsForKey, SECRET, sleep, trackerApi, watchRun } from "./helpers";

/**
 * The tracker contract: every tracker's case table (src/trackers/<id>/cases.ts)
 * runs through the same checks over HTTP, with the real bindings, mock Devin and
 * mock tracker. A tracker adds a case table, never a test file.
 */
declare module "vitest" {
  export interface ProvidedContext {
    variants: boolean;
  }
}

// A folder serving two trackers (Gitea and Forgejo) exports one table for each; a tracker's second
// configuration (Jira Cloud) is a variant table, run by the `variants` project on its own settings.
const variants = inject("variants");
const tables = Object.values(
  import.meta.glob<TrackerCases | TrackerCases[]>("../../src/trackers/*/cases.ts", { import: "cases", eager: true }),
)
  .flat()
  .filter((t) => Boolean(t.variant) === variants)
  .sort((a, b) => a.tracker.localeCompare(b.tracker));

const PLAYBOOKS = JSON.parse(TEST_BINDINGS.PLAYBOOKS) as Record<string, string>;

let counter = 0;
/** A ticket no other test uses: numbers from the clock and a counter, never hand-picked. */
function newTicket(labels: string[] = ["bug", TRIGGER]): CaseTicket {
  const n = 100_000 + ((Date.now() % 800_000) * 100 + counter++) % 899_999_999;
  return {
    n,
    title: `Checkout returns 500 when cart is empty (${n})`,
    description: `Steps: empty the cart, press Checkout.\nExpected: a message. Actual: HTTP 500 (case ${n}).`,
    labels,
    author: "dana",
  };
}

async function send(table: TrackerCases, delivery: Delivery, step: Partial<Step> = {}, env?: Record<string, string>) {
  const signed =
    step.secret === false
      ? { headers: {} }
      : await (step.sign ?? table.sign)(step.signOver ? step.signOver(delivery.body) : delivery.body, step.secret ?? SECRET);
  const headers: Record<string, string> = { "content-type": "application/json", ...delivery.headers, ...signed.headers };
  for (const [name, value] of Object.entries(step.override ?? {})) {
    if (value === null) delete headers[name];
    else headers[name] = value;
  }
  const url = `https://bridge.test/webhooks/${table.tracker}${signed.suffix ?? ""}${delivery.suffix ?? ""}`;
  return callWorker(new Request(url, { method: "POST", headers, body: delivery.body }), env);
}

async function devinRequests(table: TrackerCases, key: string, label = TRIGGER) {
  return devin.requests((await idsForKey(table.tracker, key, label)).tag);
}

/** Sends one step and checks the answer; an accepted ticket is followed to its single session. */
async function run(table: TrackerCases, t: CaseTicket, step: Step, env?: Record<string, string>) {
  const e: Expectation = step.expect;
  const delivery = step.deliver(t);
  const key = e.key ?? table.key(t);
  const ids = await idsForKey(table.tracker, key, e.label ?? TRIGGER);
  const accepted = e.status === 202 && (e.answer?.status ?? "accepted") === "accepted";
  await using watch = accepted ? await watchRun(ids.instanceId) : undefined;

  const res = await send(table, delivery, step, env);
  const text = await res.text();
  expect(res.status, text).toBe(e.status);
  const answer = JSON.parse(text) as Record<string, unknown>;
  if (e.answer) expect(answer).toMatchObject(e.answer);
  if (e.reason) expect(String(answer.reason ?? (answer.error as { message?: string })?.message)).toMatch(e.reason);

  if (accepted) {
    expect(answer).toMatchObject({ status: "accepted", ticket_key: ids.key, label: e.label ?? TRIGGER });
    await watch!.waitForStatus("complete");
    const creates = await devin.creates(ids.tag);
    expect(creates).toHaveLength(1);
    const create = creates[0]!.body;
    expect(create.playbook_id).toBe(PLAYBOOKS[e.label ?? TRIGGER]);
    expect(create.title).toContain(t.title.slice(0, 60));
    const prompt = String(create.prompt);
    // Id first, tracker last (as the prompt names it): what tells two trackers' WEB-1 apart in Devin's session list.
    expect(create.title).toMatch(new RegExp(`\\(${escape(/^Tracker: (.+)$/m.exec(prompt)![1]!)}\\)$`));
    for (const part of e.prompt ?? []) expect(prompt).toMatch(part instanceof RegExp ? part : new RegExp(escape(part)));
    for (const part of e.notInPrompt ?? []) expect(prompt).not.toContain(part);
    if (e.writeBack) await expectAck(e.writeBack(t), ids.tag);
    return { prompt, tag: ids.tag };
  }
  if (e.message) {
    const message = await waitFor(async () => (await devinRequests(table, key, e.label)).find((r) => r.method === "POST" && r.path.endsWith("/messages")));
    for (const part of e.message) expect(String(message.body.message)).toMatch(part instanceof RegExp ? part : new RegExp(escape(part)));
  }
  return { prompt: "", tag: ids.tag };
}

/** The ticket's acknowledgement as the tracker received it: where, with which headers, naming the session. */
async function expectAck(shape: WriteBackShape, tag: string) {
  const ack = await waitFor(async () =>
    (await trackerApi.requests(shape.path)).find((r) => r.method === shape.method && String(shape.text(r.body)).includes("Devin is working on this ticket")),
  );
  for (const [name, value] of Object.entries(shape.headers)) {
    if (value === null) expect(ack.headers[name], name).toBeUndefined();
    else expect(ack.headers[name], name).toMatch(value instanceof RegExp ? value : new RegExp(`^${escape(value)}$`));
  }
  const sessions = await devin.sessions(tag);
  expect(String(shape.text(ack.body))).toContain(sessions[0]!.url);
  if (shape.fixed) expect(ack.body).toMatchObject(shape.fixed);
  return sessions;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

async function waitFor<T>(probe: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  for (const until = Date.now() + ms; Date.now() < until; await sleep(50)) {
    const value = await probe();
    if (value !== undefined) return value;
  }
  throw new Error("timed out waiting");
}

async function routes(list: { method: string; path: string; status?: number; body?: unknown }[] = []) {
  for (const route of list) await trackerApi.route(route);
}

it.skipIf(variants)("every registered tracker has a case table", () => {
  expect(tables.map((t) => t.tracker).sort()).toEqual(trackerIds().sort());
});

describe.each(tables.map((t) => [t.variant ? `${t.tracker} (${t.variant})` : t.tracker, t] as const))("tracker %s", (_, table) => {
  const accept = (t: CaseTicket, extra: (string | RegExp)[] = []): Expectation => ({
    status: 202,
    prompt: [t.title, ...table.prompt(t), ...extra],
  });

  it("a new ticket with the trigger label starts one session; the ticket hears the session, its pull request and how it ended; a redelivery is a duplicate", async () => {
    const t = newTicket();
    await routes(table.routes?.(t));
    const { tag } = await run(table, t, { deliver: table.created, expect: accept(t) });

    if (table.writeBack) {
      const shape = table.writeBack(t);
      const [session] = await expectAck(shape, tag);
      // The whole loop on the ticket: acknowledgement, the pull request once, the outcome.
      const prUrl = session!.pull_requests[0]!.pr_url;
      const notes = (await trackerApi.requests(shape.path)).filter((r) => r.method === shape.method).map((r) => String(shape.text(r.body)));
      expect(notes.filter((n) => n.includes(`opened a pull request: ${prUrl}`))).toHaveLength(1);
      expect(notes.filter((n) => n.includes("waiting for review") && n.includes(prUrl))).toHaveLength(1);

      const status = (token?: string) =>
        callWorker(new Request(`https://bridge.test/tickets/${table.tracker}/${encodeURIComponent(table.key(t))}`, { headers: token ? { authorization: `Bearer ${token}` } : {} }));
      expect((await status()).status).toBe(401);
      const found = await status(TEST_BINDINGS.ADMIN_TOKEN);
      expect(found.status).toBe(200);
      expect(await found.json()).toMatchObject({ ticket: { status: "finished", pull_requests: [prUrl] }, session: { url: session!.url } });
    }

    const again = await send(table, table.created(t));
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ status: "duplicate" });
    await sleep(300);
    expect(await devin.creates(tag)).toHaveLength(1);
  });

  it("refuses a wrong secret, no signature and (where the body is signed) a changed body", async () => {
    const t = newTicket();
    const delivery = table.created(t);
    const refused = async (step: Partial<Step>) => {
      const res = await send(table, delivery, step);
      expect(res.status, await res.clone().text()).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("unauthorized");
    };
    await refused({ secret: "not-the-secret" });
    await refused({ secret: false });
    if (table.signsBody) await refused({ signOver: (raw) => raw.replace(t.title, `${t.title}!`) });
    await sleep(200);
    expect(await devinRequests(table, table.key(t))).toHaveLength(0);
  });

  it("skips a new ticket without the trigger label", async () => {
    const t = newTicket(["bug"]);
    await run(table, t, { deliver: table.created, expect: { status: 200, answer: { status: "skipped" }, reason: /no trigger label/ } });
  });

  it.runIf(table.labelAdded)("starts one session when the trigger label is added", async () => {
    const t = newTicket(["bug"]);
    await routes(table.routes?.(t));
    await run(table, t, { deliver: (x) => table.labelAdded!(x, TRIGGER), expect: accept(t) });
  });

  it.runIf(table.labelRemoved)("starts nothing when the trigger label is removed", async () => {
    const t = newTicket(["bug"]);
    const res = await send(table, table.labelRemoved!(t, TRIGGER));
    expect(res.status).toBe(200);
    expect(await res.json()).not.toMatchObject({ status: "accepted" });
    await sleep(200);
    expect(await devin.creates((await idsForKey(table.tracker, table.key(t))).tag)).toHaveLength(0);
  });

  it.runIf(table.closed)("starts nothing for a closed ticket", async () => {
    const t = newTicket();
    const res = await send(table, table.closed!(t));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "skipped" });
    await sleep(200);
    expect(await devin.creates((await idsForKey(table.tracker, table.key(t))).tag)).toHaveLength(0);
  });

  it.runIf(table.comment)("forwards a comment mentioning @devin to the ticket's session; skips one without", async () => {
    const t = newTicket();
    await routes(table.routes?.(t));
    await run(table, t, { deliver: table.created, expect: accept(t) });
    const text = `@devin please also cover the guest checkout (${t.n})`;
    await run(table, t, {
      deliver: (x) => table.comment!(x, text),
      expect: { status: 202, answer: { status: "forwarded" }, message: [text] },
    });
    await run(table, t, {
      deliver: (x) => table.comment!(x, `Thanks, looks good (${t.n})`),
      expect: { status: 200, answer: { status: "skipped" }, reason: /does not mention/ },
    });
  });

  it.runIf(table.comment && table.mentionStarts)("a comment mentioning @devin on an unlabelled ticket without a session starts exactly one, the comment in the prompt", async () => {
    const t = newTicket(["bug"]);
    await routes(table.routes?.(t));
    const text = `@devin please fix (${t.n})`;
    const { prompt } = await run(table, t, { deliver: (x) => table.comment!(x, text), expect: { status: 202, label: "devin", prompt: [t.title, ...(table.mentionPrompt ?? table.prompt)(t)] } });
    expect(prompt).toMatch(new RegExp(`The comment by erin that asked for Devin:\\n${escape(text)}\\n\`\`\``));
    // A second mention is a follow-up for that session, not a second session.
    const again = await send(table, table.comment!(t, `@devin and the guest checkout (${t.n})`));
    expect(again.status).toBe(202);
    expect(await again.json()).toMatchObject({ status: "forwarded" });
    expect(await devin.creates((await idsForKey(table.tracker, table.key(t), "devin")).tag)).toHaveLength(1);
  });

  it.runIf(table.comment && !table.mentionStarts)("skips a comment on a ticket that has no session", async () => {
    const t = newTicket();
    await run(table, t, {
      deliver: (x) => table.comment!(x, "@devin can you look at this?"),
      expect: { status: 200, answer: { status: "skipped" }, reason: /no Devin session/ },
    });
  });

  for (const extra of table.extra ?? []) {
    it(extra.name, async () => runExtra(table, extra));
  }

  for (const check of table.checks ?? []) {
    it(check.name, async () => expect(await check.actual()).toEqual(check.expected));
  }
});

async function runExtra(table: TrackerCases, extra: ExtraCase) {
  const t = newTicket();
  await routes([...(table.routes?.(t) ?? []), ...(extra.routes?.(t) ?? [])]);
  for (const step of extra.steps) await run(table, t, step, extra.env);
}
