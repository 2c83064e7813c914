import { describe, expect, it } from "vitest";
import type { CaseTicket, Delivery } from "../../src/trackers/case-table";
import { cases as github } from "../../src/trackers/github/cases";
import { instanceIdFor, runInstanceId } from "../../src/ticket";
import { TEST_BINDINGS } from "../support/bindings";
import type { SessionState } from "../support/devin-mock";
import { callWorker, devin, SECRET, sleep, trackerApi, watchRun } from "./helpers";

// The ticket and the session talk both ways, through a GitHub issue: Devin's questions reach the
// ticket, answers reach Devin, a stop and a retry work from the ticket, and nothing loops or doubles.

let counter = 0;
function newTicket(): CaseTicket {
  const n = 900_000_000 + ((Date.now() % 1_000_000) * 10 + counter++) % 99_999_999;
  return { n, title: `Empty cart checkout fails (${n})`, description: "HTTP 500 on an empty cart.", labels: ["bug", "devin-autofix"], author: "dana" };
}

async function post(d: Delivery, env?: Record<string, string>) {
  const signed = await github.sign(d.body, SECRET);
  const headers = { "content-type": "application/json", ...d.headers, ...signed.headers };
  return callWorker(new Request(`https://bridge.test/webhooks/github${d.suffix ?? ""}`, { method: "POST", headers, body: d.body }), env);
}

const KEY = (t: CaseTicket) => github.key(t);
const ticketKey = (t: CaseTicket) => `github:${KEY(t)}:devin-autofix`;
async function run(t: CaseTicket, n = 1) {
  const instanceId = await runInstanceId(ticketKey(t), n);
  return { instanceId, tag: `ticket:${instanceId}` };
}

async function script(tag: string, steps: SessionState[]) {
  await fetch("http://devin.mock/__mock/script", { method: "POST", body: JSON.stringify({ tag, steps }) });
}

/** What the bridge wrote on the issue, oldest first. */
async function notes(t: CaseTicket): Promise<string[]> {
  const shape = github.writeBack!(t);
  return (await trackerApi.requests(shape.path)).filter((r) => r.method === "POST").map((r) => String(shape.text(r.body)));
}

async function status(t: CaseTicket): Promise<any> {
  const res = await callWorker(
    new Request(`https://bridge.test/tickets/github/${encodeURIComponent(KEY(t))}`, { headers: { authorization: `Bearer ${TEST_BINDINGS.ADMIN_TOKEN}` } }),
  );
  return res.status === 200 ? res.json() : null;
}

async function until<T>(probe: () => Promise<T | undefined | null | false>, what: string, ms = 15_000): Promise<T> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(50)) {
    const value = await probe();
    if (value) return value;
  }
  throw new Error(`timed out waiting for ${what}`);
}

const pr = (n: number) => [{ pr_url: `https://github.com/acme/web-app/pull/${n}`, pr_state: "open" }];
const working: SessionState = { status: "running", status_detail: "working" };

describe("the ticket and the session talk both ways", () => {
  it("a question reaches the ticket, the @devin answer reaches the session, then the PR and the finished outcome", async () => {
    const t = newTicket();
    const { instanceId, tag } = await run(t);
    const question = `Should an empty cart show a message or disable the button? (${t.n})`;
    await script(tag, [
      working,
      { status: "running", status_detail: "waiting_for_user", messages: [{ message: question }], until: "message" },
      { ...working, pull_requests: pr(t.n) },
      { status: "running", status_detail: "finished", pull_requests: pr(t.n) },
    ]);
    await using first = await watchRun(instanceId);
    await using follower = await watchRun(await instanceIdFor(`${instanceId}#wake1`));

    expect((await post(github.created(t))).status).toBe(202);
    await first.waitForStatus("complete");
    const asked = (await notes(t)).filter((n) => n.includes("waiting for an answer"));
    expect(asked).toHaveLength(1);
    expect(asked[0]).toContain(`> ${question}`);
    expect(asked[0]).toContain("mentions @devin");
    expect((await status(t)).ticket.status).toBe("waiting");

    const answer = await post(github.comment!(t, `@devin show a message, please (${t.n})`));
    expect(answer.status).toBe(202);
    expect(await answer.json()).toMatchObject({ status: "forwarded" });
    await follower.waitForStatus("complete");

    const [session] = await devin.sessions(tag);
    const transcript = (await (await fetch(`http://devin.mock/__mock/messages?session_id=${session!.session_id}`)).json()) as { source: string; message: string }[];
    expect(transcript.filter((m) => m.source === "user").map((m) => m.message)).toEqual([expect.stringContaining(`show a message, please (${t.n})`)]);
    const all = await notes(t);
    expect(all.filter((n) => n.includes("opened a pull request"))).toHaveLength(1);
    expect(all.filter((n) => n.includes(question))).toHaveLength(1);
    expect(all.at(-1)).toContain("Devin has finished.");
    expect(all.at(-1)).toContain(pr(t.n)[0]!.pr_url);
    expect((await status(t)).ticket).toMatchObject({ status: "finished", pull_requests: [pr(t.n)[0]!.pr_url] });
  });

  it("a session suspended at its ACU limit says so; a reply wakes it and its later PR is still reported", async () => {
    const t = newTicket();
    const { instanceId, tag } = await run(t);
    await script(tag, [
      working,
      { status: "suspended", status_detail: "usage_limit_exceeded", until: "message" },
      { ...working, pull_requests: pr(t.n) },
      { status: "exit", pull_requests: pr(t.n) },
    ]);
    await using first = await watchRun(instanceId);
    await using follower = await watchRun(await instanceIdFor(`${instanceId}#wake1`));

    expect((await post(github.created(t))).status).toBe(202);
    await first.waitForStatus("complete");
    const paused = (await notes(t)).at(-1)!;
    expect(paused).toContain("paused because it reached its compute limit (ACU limit)");
    expect(paused).toContain("wakes it");
    expect((await status(t)).ticket.status).toBe("suspended");

    expect((await post(github.comment!(t, "@devin go on, the limit is raised"))).status).toBe(202);
    await follower.waitForStatus("complete");
    const after = await notes(t);
    expect(after.filter((n) => n.includes(`opened a pull request: ${pr(t.n)[0]!.pr_url}`))).toHaveLength(1);
    expect(after.at(-1)).toContain("Devin has finished.");
  });

  it("removing the trigger label stops the session once, records `stopped` and says so", async () => {
    const t = newTicket();
    const { tag } = await run(t);
    // The session keeps working until told otherwise; the run sleeps before its first poll.
    await script(tag, [{ ...working, until: "message" }]);
    expect((await post(github.created(t))).status).toBe(202);
    await until(async () => (await status(t))?.ticket.status === "started", "the session");

    const removed = await post(github.labelRemoved!(t, "devin-autofix"));
    expect(removed.status).toBe(202);
    expect(await removed.json()).toMatchObject({ status: "stopping" });
    await until(async () => (await status(t))?.ticket.status === "stopped", "the stop");
    const deletes = async () => (await devin.requests(tag)).filter((r) => r.method === "DELETE");
    expect(await deletes()).toHaveLength(1);
    expect((await status(t)).ticket.stopped_by).toMatch(/^the label devin-autofix was removed by \S+$/);
    expect((await until(async () => (await notes(t)).find((n) => n.includes("was stopped")), "the note"))).toContain("retry");

    // Said again (a redelivery, or the ticket closed after): nothing more to stop.
    const again = await post(github.closed!(t));
    expect(await again.json()).toMatchObject({ status: "skipped" });
    await sleep(300);
    expect(await deletes()).toHaveLength(1);
  });

  it("three concurrent `@devin retry` comments start exactly one run 2, linking run 1", async () => {
    const t = newTicket();
    const first = await run(t);
    const second = await run(t, 2);
    await using one = await watchRun(first.instanceId);
    await using two = await watchRun(second.instanceId);
    expect((await post(github.created(t))).status).toBe(202);
    await one.waitForStatus("complete");

    const answers = await Promise.all([1, 2, 3].map(() => post(github.comment!(t, "@devin retry"))));
    for (const a of answers) expect([200, 202]).toContain(a.status);
    expect(answers.some((a) => a.status === 202)).toBe(true);
    await two.waitForStatus("complete");
    await sleep(500);

    const creates = await devin.creates(second.tag);
    expect(creates).toHaveLength(1);
    const [session1] = await devin.sessions(first.tag);
    expect(creates[0]!.body.prompt).toContain(`the previous session was ${session1!.url}`);
    expect((await status(t)).runs.map((r: { run: number }) => r.run)).toEqual([2, 1]);
    expect((await notes(t)).filter((n) => n.includes("working on this ticket again (run 2)"))).toHaveLength(1);
  });

  it("a retry while the run is active, or a stop with nothing running, is refused in words", async () => {
    const t = newTicket();
    const { tag } = await run(t);
    await script(tag, [{ ...working, until: "message" }]);
    expect(await (await post(github.comment!(t, "@devin stop"))).json()).toMatchObject({ status: "skipped", reason: /no active Devin run/ });
    expect((await post(github.created(t))).status).toBe(202);
    await until(async () => (await status(t))?.ticket.status === "started", "the session");
    expect(await (await post(github.comment!(t, "@devin retry"))).json()).toMatchObject({ status: "skipped", reason: /still started/ });
    const stopped = await post(github.comment!(t, "@Devin: stop"));
    expect(await stopped.json()).toMatchObject({ status: "stopping" });
    await until(async () => (await status(t))?.ticket.status === "stopped", "the stop");
    expect((await status(t)).ticket.stopped_by).toBe("@devin stop by erin");
  });

  it("never forwards the bridge's own notes or a bot account's comment, even when they say @devin", async () => {
    const t = newTicket();
    const { instanceId, tag } = await run(t);
    await using one = await watchRun(instanceId);
    expect((await post(github.created(t))).status).toBe(202);
    await one.waitForStatus("complete");

    const bot = JSON.parse(github.comment!(t, "I opened a PR. @devin-ticket-bridge @devin").body);
    bot.comment.user.login = "devin-ai-integration[bot]";
    const env = { BOT_AUTHORS: "devin-ai-integration*" };
    const fromBot = await post({ ...github.comment!(t, ""), body: JSON.stringify(bot) }, env);
    expect(await fromBot.json()).toMatchObject({ status: "skipped", reason: /bot account/ });
    const own = await post(github.comment!(t, `@devin mentioned\n\n— posted by devin-ticket-bridge`));
    expect(await own.json()).toMatchObject({ status: "skipped", reason: /posted by the bridge/ });
    await sleep(300);
    expect((await devin.requests(tag)).filter((r) => r.path.endsWith("/messages") && r.method === "POST")).toHaveLength(0);
    // And Devin is told not to write the word itself.
    expect((await devin.creates(tag))[0]!.body.prompt).toContain('Never write "@devin" in a ticket comment');
  });

  it("a 403 on the tag look-up names the missing permission in the failure record", async () => {
    const t = newTicket();
    const { instanceId, tag } = await run(t);
    await devin.fault({ method: "GET", pathSuffix: "/sessions", tag, status: 403, body: { type: "about:blank", title: "Forbidden", status: 403, detail: "Missing permission: ViewOrgSessions" } });
    await using one = await watchRun(instanceId);
    expect((await post(github.created(t))).status).toBe(202);
    await one.waitForStatus("complete");
    const record = (await status(t)).ticket;
    expect(record.status).toBe("failed");
    expect(record.error.message).toContain("lacks the ViewOrgSessions permission");
    expect(await devin.creates(tag)).toHaveLength(0);
  });
});
