import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { TEST_BINDINGS } from "../support/bindings";
import { devin, idsFor, postWebhook, sleep, ticket, watchRun } from "./helpers";

const store = (env as Env).TICKETS;

describe("a signed ticket becomes exactly one Devin session", () => {
  it("sends the right prompt, playbook, tags and secret to Devin, and records the session", async () => {
    const t = ticket({
      labels: ["Bug", "DEVIN-AUTOFIX"],
      url: "https://tickets.example.test/T/1",
      project: "shop",
      author: "alice",
    });
    const { instanceId, tag, key } = await idsFor(t.id, "devin-autofix", "shop");
    await using run = await watchRun(instanceId);

    const res = await postWebhook(t);
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ status: "accepted", ticket_key: key, playbook: "playbook-autofix-0001" });

    await run.waitForStatus("complete");
    expect(await run.getOutput()).toMatchObject({ status: "started", created: true });

    const creates = await devin.creates(tag);
    expect(creates).toHaveLength(1);
    const [create] = creates;
    expect(create!.path).toBe(`/v3/organizations/${TEST_BINDINGS.DEVIN_ORG_ID}/sessions`);
    expect(create!.authorization).toBe(`Bearer ${TEST_BINDINGS.DEVIN_API_KEY}`);
    expect(create!.body.playbook_id).toBe("playbook-autofix-0001");
    expect(create!.body.tags).toEqual(expect.arrayContaining(["devin-ticket-bridge", tag]));
    expect(create!.body.session_secrets).toEqual([
      { key: "TICKET_API_TOKEN", value: TEST_BINDINGS.TICKET_API_TOKEN, sensitive: true },
    ]);
    const prompt: string = create!.body.prompt;
    expect(prompt).toContain(`\nTicket ${t.id}: ${t.title}\n`);
    expect(prompt).toContain(t.description);
    expect(prompt).toContain("Reference the ticket's id (first line of the block above) in your commit message.");
    expect(prompt).toContain("$TICKET_API_TOKEN");
    expect(prompt).toContain("To comment, send POST http://tracker.mock/api/tickets/");
    expect(prompt).toContain("https://tickets.example.test/T/1");
    // The token travels only as a session secret, never inside the prompt.
    expect(prompt).not.toContain(TEST_BINDINGS.TICKET_API_TOKEN);
    expect(create!.body.title).toContain(t.title);

    // The lookup by tag came first: a lost answer must not become a second session.
    const calls = (await devin.requests(tag)).filter((c) => c.path.endsWith("/sessions"));
    expect(calls.map((c) => c.method)).toEqual(["GET", "POST"]);

    const record = await store.get<Record<string, unknown>>(`ticket:${instanceId}`, "json");
    expect(record).toMatchObject({
      // The mock session opens a pull request and waits for review: the workflow follows it to the end.
      status: "finished",
      session_status_detail: "waiting_for_user",
      ticket_key: key,
      playbook: "playbook-autofix-0001",
      label: "devin-autofix",
    });
    expect(record!.session_id).toMatch(/^devin-/);
    expect(record!.url).toContain(String(record!.session_id));
  });

  it("routes by the first label that names a playbook", async () => {
    const t = ticket({ labels: ["devin-feature", "devin-autofix"] });
    const { instanceId, tag } = await idsFor(t.id, "devin-feature");
    await using run = await watchRun(instanceId);
    const res = await postWebhook(t);
    expect(await res.json()).toMatchObject({ status: "accepted", label: "devin-feature", playbook: "playbook-feature-0002" });
    await run.waitForStatus("complete");
    const [create] = await devin.creates(tag);
    expect(create!.body.playbook_id).toBe("playbook-feature-0002");
  });

  it("starts one session for 25 concurrent identical deliveries", async () => {
    const t = ticket();
    const { instanceId, tag } = await idsFor(t.id);
    await using run = await watchRun(instanceId);

    const answers = await Promise.all(Array.from({ length: 25 }, () => postWebhook(t)));
    for (const a of answers) expect([200, 202]).toContain(a.status);

    await run.waitForStatus("complete");
    // Give the queue time to hand every duplicate to the consumer (batch timeout is 1 s).
    await sleep(2_500);
    expect(await devin.creates(tag)).toHaveLength(1);
  });

  it("answers a redelivery after success as a duplicate, without calling Devin", async () => {
    const t = ticket();
    const { instanceId, tag } = await idsFor(t.id);
    await using run = await watchRun(instanceId);
    expect((await postWebhook(t)).status).toBe(202);
    await run.waitForStatus("complete");
    const before = (await devin.requests(tag)).length;

    const again = await postWebhook(t);
    expect(again.status).toBe(200);
    const body = (await again.json()) as { status: string; session_id: string; url: string };
    expect(body.status).toBe("duplicate");
    expect(body.session_id).toMatch(/^devin-/);
    expect(body.url).toContain(body.session_id);
    await sleep(1_500);
    expect(await devin.requests(tag)).toHaveLength(before);
  });

  it("survives Devin answering 503 twice: exactly one session", async () => {
    const t = ticket();
    const { instanceId, tag } = await idsFor(t.id);
    await devin.fault({ method: "POST", pathSuffix: "/sessions", tag, status: 503, times: 2, headers: { "retry-after": "1" } });
    await using run = await watchRun(instanceId);

    expect((await postWebhook(t)).status).toBe(202);
    await run.waitForStatus("complete");
    expect(await run.getOutput()).toMatchObject({ status: "started" });

    const creates = await devin.creates(tag);
    expect(creates).toHaveLength(3); // two refused, one accepted
    expect(await fetchSessions(tag)).toHaveLength(1);
  });

  it("finds the session when a create's answer was lost instead of creating another", async () => {
    const t = ticket();
    const { instanceId, tag } = await idsFor(t.id);
    await devin.fault({ method: "POST", pathSuffix: "/sessions", tag, status: 0, network: "after", times: 1 });
    await using run = await watchRun(instanceId);

    expect((await postWebhook(t)).status).toBe(202);
    await run.waitForStatus("complete");
    expect(await run.getOutput()).toMatchObject({ status: "started", created: false });
    expect(await devin.creates(tag)).toHaveLength(1);
    expect(await fetchSessions(tag)).toHaveLength(1);
  });

  it("does not retry a 401 and records the failure with Devin's reason", async () => {
    const t = ticket();
    const { instanceId, tag } = await idsFor(t.id);
    await devin.fault({
      method: "POST",
      pathSuffix: "/sessions",
      tag,
      status: 401,
      body: { type: "about:blank", title: "Unauthorized", status: 401, detail: "API key revoked" },
    });
    await using run = await watchRun(instanceId);

    expect((await postWebhook(t)).status).toBe(202);
    await run.waitForStatus("complete");
    expect(await run.getOutput()).toMatchObject({ status: "failed", code: "devin_rejected", reason: "API key revoked" });
    expect(await devin.creates(tag)).toHaveLength(1);

    const record = await store.get<Record<string, any>>(`ticket:${instanceId}`, "json");
    expect(record).toMatchObject({ status: "failed", error: { code: "devin_rejected", http_status: 401, message: "API key revoked" } });
  });

  it("lets a failed ticket be triggered again, and then starts its one session", async () => {
    const t = ticket();
    const { instanceId, tag } = await idsFor(t.id);
    await devin.fault({ method: "POST", pathSuffix: "/sessions", tag, status: 403, times: 1 });
    {
      await using run = await watchRun(instanceId);
      await postWebhook(t);
      await run.waitForStatus("complete");
      expect(await run.getOutput()).toMatchObject({ status: "failed" });
    }
    const again = await postWebhook(t);
    expect(again.status).toBe(202);
    expect(await again.json()).toMatchObject({ status: "accepted", retry: true });
    await waitFor(async () => (await store.get<Record<string, any>>(`ticket:${instanceId}`, "json"))?.status === "started");
    expect(await fetchSessions(tag)).toHaveLength(1);
  });
});

async function fetchSessions(tag: string): Promise<unknown[]> {
  return (await fetch(`http://devin.mock/__mock/sessions?tag=${encodeURIComponent(tag)}`)).json();
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(100);
  }
  throw new Error("condition not met in time");
}
