import body from "@fixtures/zammad-ticket-created.json?raw";
import { describe, expect, it } from "vitest";
import { devin, hmacHex, idsForKey, postWebhook, SECRET, sleep, watchRun, expectSkipped, expectOneSession } from "../helpers";

const TITLE = "Checkout returns 500 when cart is empty";
// From fixtures/README.md: what Zammad itself sent for these bytes.
const FIXTURE_SIGNATURE = "sha1=222f733e2a5ade044a0aabb7bdda09c7eeee1df3";
const TRIGGER = { "x-zammad-trigger": "Devin: autofix tag added" };

async function signed(raw: string, path = "/webhooks/zammad"): Promise<Response> {
  const signature = `sha1=${await hmacHex(SECRET, raw, "SHA-1")}`;
  return postWebhook(raw, { path, unsigned: true, headers: { ...TRIGGER, "x-hub-signature": signature } });
}

/** The fixture as another ticket, since storage is shared by the tests of this file. */
function variant(id: number, edit: (p: any) => void = () => {}): string {
  const p = JSON.parse(body);
  p.ticket.id = id;
  p.ticket.number = String(31000 + id);
  edit(p);
  return JSON.stringify(p);
}


describe("Zammad webhooks", () => {
  it("start one session for the fixture selected by ?label=, and answer a redelivery as a duplicate", async () => {
    const deliver = () =>
      postWebhook(body, {
        path: "/webhooks/zammad?label=devin-autofix",
        unsigned: true,
        headers: { ...TRIGGER, "x-hub-signature": FIXTURE_SIGNATURE },
        env: { ZAMMAD_BASE_URL: "https://zammad.acme.test/" },
      });

    const { create, tag } = await expectOneSession("zammad", "181", deliver);
    const session = create.body;
    expect(session.title).toContain(TITLE);
    const prompt: string = session.prompt;
    expect(prompt.startsWith(`Ticket 31081: ${TITLE}`)).toBe(true);
    expect(prompt).toContain("Tracker: Zammad");
    expect(prompt).toContain("Ticket URL: https://zammad.acme.test/#ticket/zoom/181");
    expect(prompt).toContain("Project: Engineering");
    expect(prompt).toContain("Reported by: emily@example.com");
    // The web article is HTML; Devin gets its text.
    expect(prompt).toContain("1. Open /checkout with an empty cart\n2. Click Pay\n\nExpected: validation error.");
    expect(prompt).not.toContain("<br>");

    const again = await deliver();
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ status: "duplicate", ticket_key: "zammad:181:devin-autofix" });
    await sleep(1_500);
    expect(await devin.creates(tag)).toHaveLength(1);
  });

  it("route by tags in the payload, given as an array or as a comma-separated string", async () => {
    const a = await idsForKey("zammad", "182", "devin-autofix");
    const b = await idsForKey("zammad", "183", "devin-feature");
    await using runA = await watchRun(a.instanceId);
    await using runB = await watchRun(b.instanceId);

    const resA = await signed(
      variant(182, (p) => {
        p.ticket.tags = ["Bug", "devin-autofix"];
        p.article.content_type = "text/plain";
        p.article.body = "Plain <b>text</b> stays as written.";
      }),
    );
    expect(resA.status).toBe(202);
    expect(await resA.json()).toMatchObject({ label: "devin-autofix", playbook: "playbook-autofix-0001" });
    const resB = await signed(variant(183, (p) => (p.ticket.tags = "bug, devin-feature")));
    expect(resB.status).toBe(202);
    expect(await resB.json()).toMatchObject({ label: "devin-feature", playbook: "playbook-feature-0002" });

    await runA.waitForStatus("complete");
    await runB.waitForStatus("complete");
    const [create] = await devin.creates(a.tag);
    expect(create!.body.prompt.startsWith(`Ticket 31182: ${TITLE}`)).toBe(true);
    expect(create!.body.prompt).toContain("Plain <b>text</b> stays as written.");
    expect((await devin.creates(b.tag)).map((c) => c.body.playbook_id)).toEqual(["playbook-feature-0002"]);
  });

  it("skip tickets without a trigger tag, closed or merged tickets, and other payloads", async () => {
    await expectSkipped(await signed(variant(184, (p) => (p.ticket.tags = ["bug"]))), "no trigger label");
    const forced = "/webhooks/zammad?label=devin-autofix";
    await expectSkipped(await signed(variant(185, (p) => (p.ticket.state = "closed")), forced), "ticket is closed");
    await expectSkipped(await signed(variant(186, (p) => (p.ticket.state = "merged")), forced), "ticket is merged");
    await expectSkipped(await signed(JSON.stringify({ user: { id: 8, login: "emily" } }), forced), "not a Zammad ticket");
  });

  it("answer 401 to a wrong or missing signature and a wrong path secret; the path-secret form works", async () => {
    const wrong = `sha1=${await hmacHex("not-the-secret", body, "SHA-1")}`;
    const post = (path: string, headers: Record<string, string> = {}) => postWebhook(body, { path, unsigned: true, headers });
    expect((await post("/webhooks/zammad", { "x-hub-signature": wrong })).status).toBe(401);
    expect((await post("/webhooks/zammad", { "x-hub-signature": "sha1=not-hex" })).status).toBe(401);
    expect((await post("/webhooks/zammad")).status).toBe(401);
    expect((await post("/webhooks/zammad/not-the-secret")).status).toBe(401);
    // Authenticated, then skipped: the fixture carries no tags.
    await expectSkipped(await post(`/webhooks/zammad/${SECRET}`), "no trigger label");
  });
});
