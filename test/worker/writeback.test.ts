import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { BRIDGE_FOOTER } from "../../src/notes";
import { TEST_BINDINGS } from "../support/bindings";
import { devin, idsFor, postWebhook, ticket, trackerApi, watchRun } from "./helpers";

const store = (env as Env).TICKETS;
const commentsPath = (id: string) => `/api/tickets/${encodeURIComponent(id)}/comments`;

export async function sessionsOf(tag: string): Promise<{ session_id: string; messages: string[] }[]> {
  return (await fetch(`http://devin.mock/__mock/sessions?tag=${encodeURIComponent(tag)}`)).json();
}

function admin(path: string, token: string | null = TEST_BINDINGS.ADMIN_TOKEN) {
  return exports.default.fetch(
    new Request(`https://bridge.test${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} }),
  );
}

describe("closing the loop on the ticket", () => {
  it("acknowledges with the session link, reports the pull request once, then the outcome", async () => {
    const t = ticket();
    const { instanceId } = await idsFor(t.id);
    await using run = await watchRun(instanceId);
    expect((await postWebhook(t)).status).toBe(202);
    await run.waitForStatus("complete");
    const output = (await run.getOutput()) as { session_id: string; url: string; outcome: string };
    expect(output.outcome).toBe("running/waiting_for_user");

    const comments = await trackerApi.requests(commentsPath(t.id));
    expect(comments.map((c) => c.method)).toEqual(["POST", "POST", "POST"]);
    for (const c of comments) {
      expect(c.headers.authorization).toBe(`Bearer ${TEST_BINDINGS.TICKET_API_TOKEN}`);
      expect(c.body.body).toContain(BRIDGE_FOOTER);
    }
    const [ack, pr, outcome] = comments.map((c) => c.body.body as string);
    expect(ack).toContain(output.url);
    expect(ack).toContain("playbook-autofix-0001");
    expect(pr).toMatch(/pull request: https:\/\/git\.example\.test\/acme\/app\/pull\/\d+/);
    const prUrl = pr!.match(/https:\S+/)![0];
    expect(comments.filter((c) => String(c.body.body).includes(prUrl))).toHaveLength(2); // the PR comment and the outcome
    expect(outcome).toContain("waiting for review");
    expect(outcome).toContain(prUrl);

    const record = await store.get<Record<string, unknown>>(`ticket:${instanceId}`, "json");
    expect(record).toMatchObject({ status: "finished", session_id: output.session_id, pull_requests: [prUrl] });
  });

  it("reports a session that ends in error, with no pull request", async () => {
    const t = ticket();
    const { instanceId, tag } = await idsFor(t.id);
    await fetch("http://devin.mock/__mock/script", {
      method: "POST",
      body: JSON.stringify({ tag, steps: [{ status: "running", status_detail: "working" }, { status: "error" }] }),
    });
    await using run = await watchRun(instanceId);
    await postWebhook(t);
    await run.waitForStatus("complete");
    const bodies = (await trackerApi.requests(commentsPath(t.id))).map((c) => c.body.body as string);
    expect(bodies).toHaveLength(2);
    expect(bodies[1]).toContain("ended with an error");
    expect(bodies[1]).toContain("No pull request");
  });

  it("keeps the session and its record when the tracker refuses every comment", async () => {
    const t = ticket();
    const { instanceId } = await idsFor(t.id);
    await trackerApi.route({ method: "POST", path: commentsPath(t.id), status: 500, body: { error: "down" } });
    await using run = await watchRun(instanceId);
    await postWebhook(t);
    await run.waitForStatus("complete");
    // Each comment was tried 1 + 5 times (the step's retries), then given up without failing the run.
    expect((await trackerApi.requests(commentsPath(t.id))).length).toBe(3 * 6);
    const record = await store.get<Record<string, unknown>>(`ticket:${instanceId}`, "json");
    expect(record).toMatchObject({ status: "finished" });
    expect(record!.session_id).toMatch(/^devin-/);
  });
});

describe("status endpoints", () => {
  it("answer 401 without a valid admin token", async () => {
    for (const token of [null, "wrong-token-000000000000", `${TEST_BINDINGS.ADMIN_TOKEN}x`]) {
      const res = await admin("/tickets?status=failed", token);
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("unauthorized");
    }
    expect((await admin("/tickets/tickets/123", null)).status).toBe(401);
  });

  it("show a ticket's mapping with the live session status", async () => {
    const t = ticket();
    const { instanceId } = await idsFor(t.id);
    await using run = await watchRun(instanceId);
    await postWebhook(t);
    await run.waitForStatus("complete");

    const res = await admin(`/tickets/tickets/${encodeURIComponent(t.id)}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { ticket: Record<string, unknown>; session: Record<string, unknown> };
    expect(body.ticket).toMatchObject({ ticket_id: t.id, status: "finished", playbook: "playbook-autofix-0001" });
    // The follow ended at "waiting for review"; the status read moves the mock on to Devin's "finished".
    expect(body.session).toMatchObject({ status: "running", status_detail: "finished" });
    expect(JSON.stringify(body)).not.toContain(TEST_BINDINGS.DEVIN_API_KEY);

    expect((await admin("/tickets/tickets/no-such-ticket")).status).toBe(404);
  });

  it("list failed tickets, so nothing fails silently", async () => {
    const t = ticket();
    const { instanceId, tag } = await idsFor(t.id);
    await devin.fault({ method: "POST", pathSuffix: "/sessions", tag, status: 422, body: { detail: [{ loc: ["body", "playbook_id"], msg: "unknown playbook", input: "secret-ish" }] } });
    await using run = await watchRun(instanceId);
    await postWebhook(t);
    await run.waitForStatus("complete");

    const res = await admin("/tickets?status=failed");
    expect(res.status).toBe(200);
    const { tickets } = (await res.json()) as { tickets: Record<string, any>[] };
    const mine = tickets.find((r) => r.ticket_id === t.id);
    expect(mine).toMatchObject({ status: "failed", error: { code: "devin_rejected", http_status: 422 } });
    expect(mine!.error.message).toContain("unknown playbook");
    expect(mine!.error.message).not.toContain("secret-ish");
    expect(tickets.every((r) => r.status === "failed")).toBe(true);
    expect((await admin("/tickets?status=bogus")).status).toBe(400);
  });
});


describe("dry run", () => {
  it("answers with the would-be Devin request, secrets redacted, and starts nothing", async () => {
    const t = ticket({ labels: ["devin-feature"] });
    const { tag } = await idsFor(t.id, "devin-feature");
    const res = await postWebhook(t, { env: { DRY_RUN: "true" } });
    expect(res.status).toBe(200);
    const text = await res.text();
    const body = JSON.parse(text) as { status: string; devin_request: Record<string, any> };
    expect(body.status).toBe("dry_run");
    expect(body.devin_request).toMatchObject({
      playbook_id: "playbook-feature-0002",
      tags: expect.arrayContaining([tag]),
      session_secrets: [{ key: "TICKET_API_TOKEN", value: "[redacted]", sensitive: true }],
    });
    expect(body.devin_request.prompt).toContain(`Ticket ${t.id}: ${t.title}`);
    expect(text).not.toContain(TEST_BINDINGS.TICKET_API_TOKEN);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await devin.requests(tag)).toHaveLength(0);
    expect(await trackerApi.requests(commentsPath(t.id))).toHaveLength(0);
  });
});
