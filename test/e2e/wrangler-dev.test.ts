import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_BINDINGS } from "../support/bindings";
import { createDevinMock } from "../support/devin-mock";
import { serveLoopback } from "../support/serve";
import { createTrackerMock } from "../support/tracker-mock";
import { startWranglerDev, type DevServer } from "../support/wrangler-dev";

// Boots the real wrangler.toml under `wrangler dev`: catches binding mistakes
// (queue names, workflow class, KV binding) that the in-process tests cannot.
describe("wrangler dev with the real wrangler.toml", () => {
  const devin = createDevinMock({ apiKey: TEST_BINDINGS.DEVIN_API_KEY });
  const tracker = createTrackerMock();
  let mock: Awaited<ReturnType<typeof serveLoopback>>;
  let trackerServer: Awaited<ReturnType<typeof serveLoopback>>;
  let bridge: DevServer;

  beforeAll(async () => {
    mock = await serveLoopback(devin.handle);
    trackerServer = await serveLoopback(tracker.handle);
    // Only loopback: the test bindings' `*.mock` hosts exist only inside the vitest pool.
    bridge = await startWranglerDev({
      ...TEST_BINDINGS,
      DEVIN_API_BASE: mock.url,
      TICKETS_COMMENT_URL: `${trackerServer.url}/api/tickets/{id}/comments`,
      BUGZILLA_BASE_URL: trackerServer.url,
    });
  });

  afterAll(async () => {
    await bridge?.stop();
    await Promise.all([mock?.close(), trackerServer?.close()]);
  });

  it("turns a signed ticket into one Devin session, and a redelivery into a duplicate", async () => {
    const ticket = {
      id: `E2E-${Date.now()}`,
      title: "Checkout returns 500 when cart is empty",
      description: "Empty the cart and press Checkout.",
      labels: ["devin-autofix"],
    };
    const raw = JSON.stringify(ticket);
    const signature = `sha256=${createHmac("sha256", TEST_BINDINGS.WEBHOOK_SECRET).update(raw).digest("hex")}`;
    const send = () =>
      fetch(`${bridge.url}/webhooks/tickets`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-hub-signature-256": signature },
        body: raw,
      });

    expect((await fetch(`${bridge.url}/health`)).status).toBe(200);
    const first = await send();
    expect(first.status).toBe(202);

    const deadline = Date.now() + 60_000;
    while (devin.sessions.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(devin.sessions).toHaveLength(1);
    const create = devin.requests.find((r) => r.method === "POST")!;
    expect(create.authorization).toBe(`Bearer ${TEST_BINDINGS.DEVIN_API_KEY}`);
    expect(create.body).toMatchObject({ playbook_id: "playbook-autofix-0001", title: expect.stringContaining(ticket.title) });

    // Once the workflow has recorded the session, a redelivery is answered from KV.
    let again: { status: string; session_id?: string } = { status: "" };
    while (again.status !== "duplicate" && Date.now() < deadline) {
      again = (await (await send()).json()) as typeof again;
      if (again.status !== "duplicate") await new Promise((r) => setTimeout(r, 300));
    }
    expect(again).toMatchObject({ status: "duplicate", session_id: devin.sessions[0]!.session_id });
    await new Promise((r) => setTimeout(r, 1_500));
    expect(devin.requests.filter((r) => r.method === "POST" && r.path.endsWith("/sessions"))).toHaveLength(1);
    // The ticket was told, with the session link.
    const findAck = () => tracker.requests.find((r) => r.path === `/api/tickets/${ticket.id}/comments`);
    while (!findAck() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    const ack = findAck();
    expect(String((ack?.body as { body?: string })?.body)).toContain(devin.sessions[0]!.url);

    // No secret in anything the bridge printed.
    const output = bridge.output();
    for (const secret of [TEST_BINDINGS.DEVIN_API_KEY, TEST_BINDINGS.TICKET_API_TOKEN, TEST_BINDINGS.WEBHOOK_SECRET]) {
      expect(output).not.toContain(secret);
    }
  });
});
