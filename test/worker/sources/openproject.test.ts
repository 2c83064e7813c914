import body from "@fixtures/openproject-work-package-created.json?raw";
import { describe, expect, it } from "vitest";
import { devin, hmacHex, idsForKey, postWebhook, SECRET, sleep, watchRun, expectSkipped, expectOneSession } from "../helpers";

const TITLE = "Checkout returns 500 when cart is empty";
// From fixtures/README.md: what OpenProject itself sent for these bytes.
const FIXTURE_SIGNATURE = "sha1=3e6f44517a8d0c6005f87050effc15d3291aa241";
const BASE = { OPENPROJECT_BASE_URL: "https://openproject.acme.test" };

async function signed(raw: string, path = "/webhooks/openproject"): Promise<Response> {
  const signature = `sha1=${await hmacHex(SECRET, raw, "SHA-1")}`;
  return postWebhook(raw, { path, unsigned: true, headers: { "x-op-signature": signature }, env: BASE });
}

/** The fixture as another work package, since storage is shared by the tests of this file. */
function variant(id: number, edit: (p: any) => void = () => {}): string {
  const p = JSON.parse(body);
  p.work_package.id = id;
  edit(p);
  return JSON.stringify(p);
}

const updatedWithCategory = (name: string) => (p: any) => {
  p.action = "work_package:updated";
  p.work_package._embedded.category = { _type: "Category", id: 2, name };
};


describe("OpenProject webhooks", () => {
  it("start one session for the fixture selected by ?label=, and answer a redelivery as a duplicate", async () => {
    const deliver = () =>
      postWebhook(body, {
        path: "/webhooks/openproject?label=devin-autofix",
        unsigned: true,
        headers: { "x-op-signature": FIXTURE_SIGNATURE },
        env: BASE,
      });

    const { create, tag } = await expectOneSession("openproject", "128", deliver);
    const session = create.body;
    expect(session.title).toContain(TITLE);
    const prompt: string = session.prompt;
    expect(prompt.startsWith(`Ticket #128: ${TITLE}`)).toBe(true);
    expect(prompt).toContain("Tracker: OpenProject");
    expect(prompt).toContain("Ticket URL: https://openproject.acme.test/work_packages/128");
    expect(prompt).toContain("Project: web-app");
    expect(prompt).toContain("Reported by: dana");
    expect(prompt).toContain("2. Click **Pay**");

    const again = await deliver();
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ status: "duplicate", ticket_key: "openproject:128:devin-autofix" });
    await sleep(1_500);
    expect(await devin.creates(tag)).toHaveLength(1);
  });

  it("start a session when an update sets the trigger category", async () => {
    const { instanceId, tag } = await idsForKey("openproject", "129", "devin-autofix");
    await using run = await watchRun(instanceId);
    const res = await signed(variant(129, updatedWithCategory("devin-autofix")));
    expect(res.status).toBe(202);
    await run.waitForStatus("complete");
    const creates = await devin.creates(tag);
    expect(creates).toHaveLength(1);
    expect(creates[0]!.body.playbook_id).toBe("playbook-autofix-0001");
    expect(creates[0]!.body.prompt.startsWith(`Ticket #129: ${TITLE}`)).toBe(true);
  });

  it("skip unrelated updates, closed work packages and other actions", async () => {
    await expectSkipped(await signed(variant(130, updatedWithCategory("backend"))), "no trigger label");
    const closed = variant(131, (p) => {
      updatedWithCategory("devin-autofix")(p);
      p.work_package._embedded.status = { _type: "Status", id: 12, name: "Closed", isClosed: true };
    });
    await expectSkipped(await signed(closed), "work package is Closed");
    const project = JSON.stringify({ action: "project:created", project: { id: 9, identifier: "web-app" } });
    await expectSkipped(await signed(project), "action project:created");
  });

  it("answer 401 to a wrong or missing signature and a wrong path secret; the path-secret form works", async () => {
    const wrong = `sha1=${await hmacHex("not-the-secret", body, "SHA-1")}`;
    const post = (path: string, headers: Record<string, string> = {}) => postWebhook(body, { path, unsigned: true, headers });
    expect((await post("/webhooks/openproject", { "x-op-signature": wrong })).status).toBe(401);
    // A SHA-256 signature under the right secret is still not OpenProject's scheme.
    expect((await post("/webhooks/openproject", { "x-op-signature": `sha1=${await hmacHex(SECRET, body)}` })).status).toBe(401);
    expect((await post("/webhooks/openproject")).status).toBe(401);
    expect((await post("/webhooks/openproject/not-the-secret")).status).toBe(401);
    // Authenticated, then skipped: the type "Bug" is no trigger label.
    await expectSkipped(await post(`/webhooks/openproject/${SECRET}`), "no trigger label");
  });
});
