import { describe, expect, it } from "vitest";
import { SAMPLES } from "../../tools/signers";
import { TEST_BINDINGS } from "../support/bindings";
import { callWorker, devin, idsForKey, SECRET, trackerApi, watchRun } from "./helpers";

// The whole loop per tracker, against the mock Devin and the mock tracker: the session, the
// acknowledgement with its link, the pull request reported once, the outcome, the status lookup.
const fixtures = import.meta.glob("@fixtures/*.json", { query: "?raw", import: "default", eager: true }) as Record<string, string>;
const fixture = (name: string) => JSON.parse(Object.entries(fixtures).find(([path]) => path.endsWith(`/${name}`))![1]);

/** Each case renumbers its fixture (so no other test shares the ticket) and points its links at the tracker mock. */
const CASES: { source: string; key: string; id: string; edit(p: any): void }[] = [
  { source: "github", key: "acme/web-app#7101", id: "7101", edit: (p) => (p.issue.number = 7101) },
  { source: "gitea", key: "acme/web-app#7102", id: "7102", edit: (p) => ((p.issue.number = 7102), (p.number = 7102)) },
  { source: "gitlab", key: "acme/web-app#7103", id: "7103", edit: (p) => (p.object_attributes.iid = 7103) },
  { source: "jira", key: "WEB-7104", id: "WEB-7104", edit: (p) => ((p.issue.key = "WEB-7104"), (p.issue.id = "97104")) },
  { source: "redmine", key: "7105", id: "7105", edit: (p) => (p.data.issue.id = 7105) },
  { source: "bugzilla", key: "7106", id: "7106", edit: (p) => (p.bug.id = 7106) },
];

describe.each(CASES)("$source: session, acknowledgement, pull request, outcome, status", ({ source, key, id, edit }) => {
  it("closes the loop on the ticket", async () => {
    const sample = SAMPLES[source]!;
    const payload = fixture(sample.fixture!);
    edit(payload);
    const text = JSON.stringify(payload).replace(/https:\/\/(github\.com|[a-z]+\.acme\.test)/g, "http://tracker.mock");
    const body = new TextEncoder().encode(text) as Uint8Array<ArrayBuffer>;
    const { path, headers } = await sample.sign(body, SECRET);

    const { instanceId, tag } = await idsForKey(source, key);
    await using run = await watchRun(instanceId);
    const res = await callWorker(new Request(`https://bridge.test${path}?label=devin-autofix`, { method: "POST", headers, body }));
    expect(res.status, await res.clone().text()).toBe(202);
    await run.waitForStatus("complete");

    const [session] = (await (await fetch(`http://devin.mock/__mock/sessions?tag=${encodeURIComponent(tag)}`)).json()) as {
      url: string;
      pull_requests: { pr_url: string }[];
    }[];
    expect(session).toBeDefined();
    const prUrl = session!.pull_requests[0]!.pr_url;
    const mine = (await trackerApi.requests()).filter(
      (r) => r.method !== "GET" && (JSON.stringify(r.body).includes(session!.url) || JSON.stringify(r.body).includes(prUrl)),
    );
    const texts = mine.map((r) => JSON.stringify(r.body));
    expect(texts, texts.join("\n")).toHaveLength(3);
    expect(texts[0]).toContain("Devin is working on this ticket");
    expect(texts.filter((t) => t.includes("opened a pull request"))).toHaveLength(1);
    expect(texts[2]).toContain("waiting for review");
    for (const r of mine) {
      expect(r.path).toContain(id.replace(/^WEB-/, ""));
      expect(Object.values(r.headers).some((v) => v.includes(TEST_BINDINGS.TICKET_API_TOKEN))).toBe(true);
    }

    const status = (token?: string) =>
      callWorker(
        new Request(`https://bridge.test/tickets/${source}/${encodeURIComponent(key)}`, {
          headers: token ? { authorization: `Bearer ${token}` } : {},
        }),
      );
    expect((await status()).status).toBe(401);
    const found = await status(TEST_BINDINGS.ADMIN_TOKEN);
    expect(found.status).toBe(200);
    expect(await found.json()).toMatchObject({ ticket: { status: "finished", pull_requests: [prUrl] }, session: { url: session!.url } });
  });
});
