import body from "@fixtures/plane-issue-created.json?raw";
import { describe, expect, it } from "vitest";
import { devin, hmacHex, idsForKey, postWebhook, SECRET, sleep, watchRun, expectSkipped, expectOneSession } from "../helpers";

const TITLE = "Checkout returns 500 when cart is empty";
// From fixtures/README.md: what Plane itself sent for these bytes (json.dumps, no trailing newline).
const FIXTURE_SIGNATURE = "894a44830ad6d4b07be1b93137efbd2cc203e31c599df4a3704d036a8d7e9c07";
const FIXTURE_ID = "e3f1a2b4-5c6d-4e7f-8a9b-0c1d2e3f4a5b";
const PROJECT_ID = "22b6fc9c-1849-45da-b103-52a3e3a6b4c1";
const BUG = { id: "0d9c3f7a-3b1e-4a5e-9b7d-1f2e3a4b5c6d", name: "bug", color: "#e5484d" };
const AUTOFIX = { id: "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", name: "devin-autofix", color: "#3e63dd" };
const BASE = { PLANE_BASE_URL: "https://plane.acme.test/acme/" };

const issueId = (n: number) => `e3f1a2b4-5c6d-4e7f-8a9b-${String(n).padStart(12, "0")}`;

async function signed(raw: string, event = "issue", path = "/webhooks/plane"): Promise<Response> {
  const headers = { "x-plane-event": event, "x-plane-signature": await hmacHex(SECRET, raw, "SHA-256") };
  return postWebhook(raw, { path, unsigned: true, headers, env: BASE });
}

/** One `updated` delivery: Plane sends one per changed field. */
function update(n: number, field: string, oldValue: unknown, newValue: unknown, edit: (p: any) => void = () => {}): string {
  const p = JSON.parse(body);
  p.action = "updated";
  p.data.id = issueId(n);
  p.data.sequence_id = n;
  p.data.labels = [BUG, AUTOFIX];
  p.activity = { ...p.activity, field, old_value: oldValue, new_value: newValue };
  edit(p);
  return JSON.stringify(p);
}


describe("Plane webhooks", () => {
  it("start one session for the fixture selected by ?label=, and answer a redelivery as a duplicate", async () => {
    const deliver = () =>
      postWebhook(body, {
        path: "/webhooks/plane?label=devin-autofix",
        unsigned: true,
        headers: { "x-plane-event": "issue", "x-plane-signature": FIXTURE_SIGNATURE },
        env: BASE,
      });

    const { create, tag } = await expectOneSession("plane", FIXTURE_ID, deliver);
    const session = create.body;
    expect(session.title).toContain(TITLE);
    const prompt: string = session.prompt;
    expect(prompt.startsWith(`Ticket #128: ${TITLE}`)).toBe(true);
    expect(prompt).toContain("Tracker: Plane");
    expect(prompt).toContain(`Ticket URL: https://plane.acme.test/acme/projects/${PROJECT_ID}/issues/${FIXTURE_ID}`);
    expect(prompt).toContain("Reported by: dana");
    expect(prompt).toContain("open /checkout with an empty cart, click Pay.");

    const again = await deliver();
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ status: "duplicate" });
    await sleep(1_500);
    expect(await devin.creates(tag)).toHaveLength(1);
  });

  it("start a session when an update adds the trigger label, by UUID or, when unknown, by current labels", async () => {
    const byId = await idsForKey("plane", issueId(129));
    const fallback = await idsForKey("plane", issueId(130));
    await using runById = await watchRun(byId.instanceId);
    await using runFallback = await watchRun(fallback.instanceId);

    // HTML only: the stripped text is what Devin reads.
    const added = update(129, "label_ids", null, AUTOFIX.id, (p) => {
      delete p.data.description_stripped;
      p.data.description_html = "<p>Totals &amp; taxes<br/>are <em>wrong</em></p>";
    });
    expect((await signed(added)).status).toBe(202);
    const unknown = update(130, "labels", null, "99999999-0000-4000-8000-000000000000");
    expect((await signed(unknown)).status).toBe(202);

    await runById.waitForStatus("complete");
    await runFallback.waitForStatus("complete");
    const [create] = await devin.creates(byId.tag);
    expect(create!.body.playbook_id).toBe("playbook-autofix-0001");
    expect(create!.body.prompt.startsWith(`Ticket #129: ${TITLE}`)).toBe(true);
    expect(create!.body.prompt).toContain("Totals & taxes\nare wrong");
    expect(await devin.creates(fallback.tag)).toHaveLength(1);
  });

  it("skip other label changes, other fields, finished or deleted issues and other events", async () => {
    // The ticket carries devin-autofix, but this delivery added only "bug".
    await expectSkipped(await signed(update(131, "labels", null, BUG.id)), "no trigger label");
    // A removal, in the list form some clients send.
    await expectSkipped(await signed(update(132, "label_ids", [BUG.id, AUTOFIX.id], [BUG.id])), "no trigger label");
    await expectSkipped(await signed(update(133, "priority", "low", "high")), "no trigger label");
    const done = update(134, "label_ids", null, AUTOFIX.id, (p) => (p.data.state = { ...p.data.state, group: "completed" }));
    await expectSkipped(await signed(done), "issue is completed");
    await expectSkipped(await signed(update(135, "label_ids", null, AUTOFIX.id, (p) => (p.action = "deleted"))), "issue deleted");
    const project = JSON.stringify({ event: "project", action: "created", data: { id: PROJECT_ID, name: "Web" }, activity: {} });
    await expectSkipped(await signed(project, "project"), "not an issue event");
  });

  it("answer 401 to a wrong or missing signature and a wrong path secret; the path-secret form works", async () => {
    const post = (path: string, headers: Record<string, string> = {}) =>
      postWebhook(body, { path, unsigned: true, headers: { "x-plane-event": "issue", ...headers } });
    expect((await post("/webhooks/plane", { "x-plane-signature": await hmacHex("not-the-secret", body) })).status).toBe(401);
    // Plane signs the bytes it sends: a re-serialised body does not match.
    expect((await post("/webhooks/plane", { "x-plane-signature": await hmacHex(SECRET, JSON.stringify(JSON.parse(body))) })).status).toBe(401);
    expect((await post("/webhooks/plane")).status).toBe(401);
    expect((await post("/webhooks/plane/not-the-secret")).status).toBe(401);
    // Authenticated, then skipped: "bug" is no trigger label.
    await expectSkipped(await post(`/webhooks/plane/${SECRET}`), "no trigger label");
  });
});
