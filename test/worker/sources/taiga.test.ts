import body from "@fixtures/taiga-issue-created.json?raw";
import { describe, expect, it } from "vitest";
import { devin, hmacHex, idsForKey, postWebhook, SECRET, sleep, watchRun, expectSkipped, expectOneSession } from "../helpers";

const TITLE = "Checkout returns 500 when cart is empty";
// From fixtures/README.md: what Taiga itself sent for these bytes.
const FIXTURE_SIGNATURE = "ce2117abe71c0de30d8ba7e7b255695efe61e880";
const PROJECT = "https://taiga.acme.test/project/acme-web-app";

async function signed(raw: string, path = "/webhooks/taiga"): Promise<Response> {
  const headers = { "x-taiga-webhook-signature": await hmacHex(SECRET, raw, "SHA-1") };
  return postWebhook(raw, { path, unsigned: true, headers });
}

/** The fixture as another item of the same project, since storage is shared by the tests of this file. */
function variant(ref: number, edit: (p: any) => void = () => {}): string {
  const p = JSON.parse(body);
  p.data.ref = ref;
  p.data.permalink = `${PROJECT}/issue/${ref}`;
  edit(p);
  return JSON.stringify(p);
}

const tagChange = (from: unknown[], to: unknown[]) => (p: any) => {
  p.action = "change";
  p.data.tags = to;
  p.change = { comment: "", comment_html: "", delete_comment_date: null, comment_versions: null, diff: { tags: { from, to } } };
};


describe("Taiga webhooks", () => {
  it("start one session for the fixture selected by ?label=, and answer a redelivery as a duplicate", async () => {
    const deliver = () =>
      postWebhook(body, {
        path: "/webhooks/taiga?label=devin-autofix",
        unsigned: true,
        headers: { "x-taiga-webhook-signature": FIXTURE_SIGNATURE },
      });

    const { create, tag } = await expectOneSession("taiga", "acme-web-app#128", deliver);
    const session = create.body;
    expect(session.title).toContain(TITLE);
    const prompt: string = session.prompt;
    expect(prompt.startsWith(`Ticket #128: ${TITLE}`)).toBe(true);
    expect(prompt).toContain("Tracker: Taiga");
    expect(prompt).toContain(`Ticket URL: ${PROJECT}/issue/128`);
    expect(prompt).toContain("Project: Web App");
    expect(prompt).toContain("Reported by: dana");
    expect(prompt).toContain("2. Click **Pay**");

    const again = await deliver();
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ status: "duplicate", ticket_key: "taiga:acme-web-app#128:devin-autofix" });
    await sleep(1_500);
    expect(await devin.creates(tag)).toHaveLength(1);
  });

  it("start sessions for a user story created with [name, color] tags and for an issue whose tag was just added", async () => {
    const story = await idsForKey("taiga", "acme-web-app#129", "devin-feature");
    const issue = await idsForKey("taiga", "acme-web-app#130", "devin-autofix");
    await using runStory = await watchRun(story.instanceId);
    await using runIssue = await watchRun(issue.instanceId);

    const created = variant(129, (p) => {
      p.type = "userstory";
      p.data.tags = [["backend", null], ["devin-feature", "#70728F"]];
    });
    // Taiga's other header form, as GitHub-style receivers expect it.
    const res = await postWebhook(created, {
      path: "/webhooks/taiga",
      unsigned: true,
      headers: { "x-hub-signature": `sha1=${await hmacHex(SECRET, created, "SHA-1")}` },
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ label: "devin-feature", playbook: "playbook-feature-0002" });
    const changed = variant(130, tagChange(["backend"], ["backend", "devin-autofix"]));
    expect((await signed(changed)).status).toBe(202);

    await runStory.waitForStatus("complete");
    await runIssue.waitForStatus("complete");
    expect((await devin.creates(story.tag)).map((c) => c.body.playbook_id)).toEqual(["playbook-feature-0002"]);
    const [create] = await devin.creates(issue.tag);
    expect(create!.body.playbook_id).toBe("playbook-autofix-0001");
    expect(create!.body.prompt.startsWith(`Ticket #130: ${TITLE}`)).toBe(true);
  });

  it("skip changes that add no trigger tag, closed or deleted items and other types", async () => {
    // The tag is there already; this change only touched the status.
    const statusOnly = variant(131, (p) => {
      tagChange([], [])(p);
      p.data.tags = ["backend", "devin-autofix"];
      p.change.diff = { status: { from: "New", to: "In progress" } };
    });
    await expectSkipped(await signed(statusOnly), "no trigger label");
    await expectSkipped(await signed(variant(132, tagChange(["devin-autofix", "backend"], ["backend"]))), "no trigger label");
    const closed = variant(133, (p) => {
      p.data.tags = ["devin-autofix"];
      p.data.status = { ...p.data.status, name: "Done", is_closed: true };
    });
    await expectSkipped(await signed(closed), "issue is Done");
    await expectSkipped(await signed(variant(134, (p) => (p.action = "delete"))), "issue delete");
    await expectSkipped(await signed(variant(135, (p) => (p.type = "wikipage"))), "wikipage is not a ticket");
  });

  it("answer 401 to a wrong or missing signature and a wrong path secret; the path-secret form works", async () => {
    const post = (path: string, headers: Record<string, string> = {}) => postWebhook(body, { path, unsigned: true, headers });
    expect((await post("/webhooks/taiga", { "x-taiga-webhook-signature": await hmacHex("not-the-secret", body, "SHA-1") })).status).toBe(401);
    expect((await post("/webhooks/taiga", { "x-hub-signature": `sha1=${await hmacHex("not-the-secret", body, "SHA-1")}` })).status).toBe(401);
    expect((await post("/webhooks/taiga")).status).toBe(401);
    expect((await post("/webhooks/taiga/not-the-secret")).status).toBe(401);
    // Authenticated, then skipped: "backend" is no trigger label.
    await expectSkipped(await post(`/webhooks/taiga/${SECRET}`), "no trigger label");
  });
});
