import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CaseTicket, Delivery } from "../../src/trackers/case-table";
import { cases as github } from "../../src/trackers/github/cases";
import { TEST_BINDINGS } from "../support/bindings";
import { createDevinMock, type MockSession, type RecordedRequest, type SessionState } from "../support/devin-mock";
import { createTrackerMock, type TrackerRequest } from "../support/tracker-mock";
import { postDelivery } from "../support/case-tables";
import { startBridge, type BridgeWithDoubles } from "../support/wrangler-dev";

// The conversation of test/worker/conversation.test.ts, under `wrangler dev` (real local KV, Queue,
// Workflow and Durable Object in workerd) and through HTTP only: the webhooks in, the doubles'
// control routes, and the operator's status endpoint. Workflow sleeps are real here: the run
// sleeps FOLLOW_INTERVAL_SECONDS (10 s, the minimum) before each poll, so every scripted step
// below changes what Devin shows, and the next poll comes after 10 s rather than a doubled wait.
describe("wrangler dev: one GitHub issue talks with its Devin session", () => {
  const devin = createDevinMock({ apiKey: TEST_BINDINGS.DEVIN_API_KEY });
  const tracker = createTrackerMock();
  let { devinServer, trackerServer, bridge, stop } = {} as BridgeWithDoubles;
  // A snapshot of the sources: a reload (someone saving a file) would strand the sleeping run.
  beforeAll(async () => void ({ devinServer, trackerServer, bridge, stop } = await startBridge(devin, tracker, { FOLLOW_INTERVAL_SECONDS: "10" })));
  afterAll(() => stop?.());

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  // The last lines wrangler dev printed, without the bindings table it repeats on every reload.
  const tail = () =>
    bridge
      .output()
      .split("\n")
      .filter((line) => !/^env\.|^Binding\s|^Your Worker has access/.test(line))
      .join("\n")
      .slice(-6000);

  /** Polls until `probe` gives something truthy; fails with what the bridge printed. */
  async function until<T>(probe: () => Promise<T | undefined | null | false>, what: string, ms = 45_000): Promise<T> {
    for (const end = Date.now() + ms; Date.now() < end; await sleep(250)) {
      const value = await probe();
      if (value) return value;
    }
    throw new Error(`timed out after ${ms} ms waiting for ${what}\n--- wrangler dev output (tail) ---\n${tail()}`);
  }

  const post = (d: Delivery) => postDelivery(bridge.url, github, d, TEST_BINDINGS.WEBHOOK_SECRET);

  const getJson = async <T>(url: string): Promise<T> => (await (await fetch(url)).json()) as T;

  /** What the bridge wrote on the issue (as the tracker double received it), oldest first. */
  async function notes(t: CaseTicket): Promise<string[]> {
    const shape = github.writeBack!(t);
    const seen = await getJson<TrackerRequest[]>(`${trackerServer.url}/__mock/requests?path=${encodeURIComponent(shape.path)}`);
    return seen.filter((r) => r.method === "POST" && r.path === shape.path).map((r) => String(shape.text(r.body)));
  }

  const noteMatching = (t: CaseTicket, text: string) => async () => (await notes(t)).find((n) => n.includes(text));

  /** The operator's view. Note: it reads the session live, which moves the Devin double's script on. */
  async function status(t: CaseTicket): Promise<any> {
    const res = await fetch(`${bridge.url}/tickets/github/${encodeURIComponent(github.key(t))}`, {
      headers: { authorization: `Bearer ${TEST_BINDINGS.ADMIN_TOKEN}` },
    });
    return res.status === 200 ? res.json() : null;
  }

  const sessionsOf = async (tagPrefix: string) =>
    (await getJson<MockSession[]>(`${devinServer.url}/__mock/sessions`)).filter((s) => s.tags.some((tag) => tag.startsWith(tagPrefix)));

  const deletesOf = async (sessionId: string) =>
    (await getJson<RecordedRequest[]>(`${devinServer.url}/__mock/requests`)).filter(
      (r) => r.method === "DELETE" && r.path.endsWith(`/sessions/${sessionId}`),
    );

  async function script(tagPrefix: string, steps: SessionState[]): Promise<void> {
    const res = await fetch(`${devinServer.url}/__mock/script`, { method: "POST", body: JSON.stringify({ tagPrefix, steps }) });
    expect(res.status).toBe(200);
  }

  it(
    "question → @devin answer → PR → finished; then @devin retry starts run 2 and removing the label stops it once",
    async () => {
      const n = 700_000_000 + (Date.now() % 100_000_000);
      const t: CaseTicket = {
        n,
        title: `Empty cart checkout fails (${n})`,
        description: "HTTP 500 on an empty cart.",
        labels: ["bug", "devin-autofix"],
        author: "dana",
      };
      // The run's tag is `ticket:<instance id>`, whose readable prefix comes from `github:acme/web-app#<n>:devin-autofix`.
      const tagPrefix = `ticket:github-acme-web-app-${n}-`;
      const question = `Should an empty cart show a message or disable the button? (${n})`;
      const prUrl = `https://github.com/acme/web-app/pull/${n}`;
      const pr = [{ pr_url: prUrl, pr_state: "open" }];
      const working: SessionState = { status: "running", status_detail: "working" };

      // 1. What run 1's session will do, one state per poll.
      await script(tagPrefix, [
        working,
        { status: "running", status_detail: "waiting_for_user", messages: [{ message: question }], until: "message" },
        { ...working, pull_requests: pr },
        { status: "running", status_detail: "finished", pull_requests: pr },
      ]);

      // 2. The issue is opened with the trigger label.
      const opened = await post(github.created(t));
      expect(opened.status, tail()).toBe(202);
      expect(await opened.json()).toMatchObject({ status: "accepted", playbook: "playbook-autofix-0001", label: "devin-autofix" });

      // 3. The acknowledgement, then Devin's question on the issue.
      const ack = await until(noteMatching(t, "Devin is working on this ticket"), "the acknowledgement note");
      const [session1] = await until(async () => {
        const s = await sessionsOf(tagPrefix);
        return s.length ? s : null;
      }, "run 1's session");
      expect(ack).toContain(session1!.url);
      const asked = await until(noteMatching(t, "waiting for an answer"), "the question note");
      expect(asked).toContain(`> ${question}`);
      expect(asked).toContain("mentions @devin");

      // 4. The reporter answers on the issue; the answer reaches the session.
      const answer = await post(github.comment!(t, `@devin show a message, please (${n})`));
      expect(answer.status, tail()).toBe(202);
      expect(await answer.json()).toMatchObject({ status: "forwarded", session_id: session1!.session_id });
      const userSaid = await until(async () => {
        const transcript = await getJson<{ source: string; message: string }[]>(
          `${devinServer.url}/__mock/messages?session_id=${encodeURIComponent(session1!.session_id)}`,
        );
        const mine = transcript.filter((m) => m.source === "user");
        return mine.length ? mine : null;
      }, "the answer in the session's transcript");
      expect(userSaid.map((m) => m.message)).toEqual([expect.stringContaining(`show a message, please (${n})`)]);

      // 5. The woken session opens a PR and finishes: both reach the issue, once each.
      const outcome = await until(noteMatching(t, "Devin has finished."), "the outcome note", 60_000);
      expect(outcome).toContain(prUrl);
      const afterRun1 = await notes(t);
      expect(afterRun1.filter((x) => x.includes("opened a pull request"))).toEqual([expect.stringContaining(prUrl)]);
      expect(afterRun1.filter((x) => x.includes(question))).toHaveLength(1);
      expect(afterRun1.at(-1)).toContain("Devin has finished.");
      const finished = await status(t);
      expect(finished?.ticket, tail()).toMatchObject({ status: "finished", run: 1, session_id: session1!.session_id, pull_requests: [prUrl] });

      // 6. `@devin retry` starts run 2 (a session that keeps working), and removing the label stops it.
      await script(tagPrefix, [{ ...working, until: "message" }]);
      const retried = await post(github.comment!(t, "@devin retry"));
      expect(retried.status, tail()).toBe(202);
      expect(await retried.json()).toMatchObject({ status: "accepted", run: 2 });
      const sessions = await until(async () => {
        const s = await sessionsOf(tagPrefix);
        return s.length >= 2 ? s : null;
      }, "run 2's session");
      expect(sessions).toHaveLength(2);
      const session2 = sessions.find((s) => s.session_id !== session1!.session_id)!;
      const ack2 = await until(noteMatching(t, "(run 2)"), "run 2's acknowledgement");
      expect(ack2).toContain(`Devin is working on this ticket again (run 2): ${session2.url}`);

      const removed = await post(github.labelRemoved!(t, "devin-autofix"));
      expect(removed.status, tail()).toBe(202);
      expect(await removed.json()).toMatchObject({ status: "stopping" });
      await until(async () => (await deletesOf(session2.session_id)).length > 0, "the DELETE of run 2's session");
      const stopped = await until(async () => {
        const s = await status(t);
        return s?.ticket.status === "stopped" ? s : null;
      }, "the stopped record");
      expect(await until(noteMatching(t, "was stopped"), "the stop note")).toContain("the label devin-autofix was removed by");
      // Nothing is stopped twice, and run 1's finished session is left alone.
      await sleep(1_500);
      expect(await deletesOf(session2.session_id)).toHaveLength(1);
      expect(await deletesOf(session1!.session_id)).toHaveLength(0);
      expect(stopped.ticket).toMatchObject({ status: "stopped", run: 2, session_id: session2.session_id });
      expect(stopped.ticket.stopped_by).toMatch(/^the label devin-autofix was removed by \S+$/);
      expect(stopped.runs.map((r: { run: number; status: string }) => [r.run, r.status])).toEqual([
        [2, "stopped"],
        [1, "finished"],
      ]);

      // No secret in anything the bridge printed.
      for (const secret of [TEST_BINDINGS.DEVIN_API_KEY, TEST_BINDINGS.TICKET_API_TOKEN, TEST_BINDINGS.WEBHOOK_SECRET]) {
        expect(bridge.output()).not.toContain(secret);
      }
    },
    210_000,
  );
});
