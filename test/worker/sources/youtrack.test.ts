import createdFixture from "@fixtures/youtrack-workflow-issue-created.json?raw";
import { describe, expect, it } from "vitest";
import { SECRET, devin, idsForKey, postWebhook, sleep, expectSkipped, expectUnauthorized, expectOneSession as oneSession } from "../helpers";

const TITLE = "Checkout returns 500 when cart is empty";

/** The fixture as another issue (each ticket once per file: KV persists across tests). */
function issue(id: string, edit: (p: any) => void = () => {}): string {
  const p = JSON.parse(createdFixture);
  p.idReadable = id;
  p.url = `https://youtrack.acme.test/issue/${id}`;
  edit(p);
  return JSON.stringify(p);
}

function updated(id: string, tags: string[], tagsAdded?: string[], edit: (p: any) => void = () => {}): string {
  return issue(id, (p) => {
    p.event = "issue.updated";
    p.tags = tags.map((name) => ({ name }));
    if (tagsAdded) p.tagsAdded = tagsAdded;
    else delete p.tagsAdded;
    edit(p);
  });
}

interface SendOptions {
  authorization?: string | null;
  path?: string;
  env?: Record<string, unknown>;
}

function send(raw: string, o: SendOptions = {}) {
  const authorization = o.authorization === undefined ? `Bearer ${SECRET}` : o.authorization;
  const headers: Record<string, string> = authorization === null ? {} : { authorization };
  return postWebhook(raw, { path: o.path ?? "/webhooks/youtrack", unsigned: true, headers, env: o.env });
}



const expectOneSession = (id: string, post: () => Promise<Response>, label = "devin-autofix") =>
  oneSession("youtrack", id, post, label);

describe("YouTrack workflow webhooks", () => {
  it("starts one session from the workflow's body, and a redelivery is a duplicate", async () => {
    const { create, tag } = await expectOneSession("WEB-128", () => send(createdFixture));
    expect(create.body.playbook_id).toBe("playbook-autofix-0001");
    expect(create.body.title).toContain(TITLE);
    expect(create.body.title).toContain("YouTrack");
    const prompt: string = create.body.prompt;
    expect(prompt.startsWith(`Ticket WEB-128: ${TITLE}`)).toBe(true);
    expect(prompt).toContain("Tracker: YouTrack");
    expect(prompt).toContain("Project: WEB");
    expect(prompt).toContain("Ticket URL: https://youtrack.acme.test/issue/WEB-128");
    expect(prompt).toContain("Reported by: dana");
    expect(prompt).toContain("Actual: HTTP 500.");

    const again = await send(createdFixture);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ status: "duplicate", ticket_key: "youtrack:WEB-128:devin-autofix" });
    await sleep(1_500);
    expect(await devin.creates(tag)).toHaveLength(1);
  });

  it("401 on a wrong, missing or non-Bearer token", async () => {
    const raw = issue("WEB-129");
    await expectUnauthorized(await send(raw, { authorization: "Bearer not-the-secret" }));
    await expectUnauthorized(await send(raw, { authorization: null }));
    await expectUnauthorized(await send(raw, { authorization: SECRET }));
    await expectUnauthorized(await send(raw, { authorization: `Basic ${SECRET}` }));
    await expectUnauthorized(await send(raw, { authorization: "Bearer " }));
    await sleep(200);
    expect(await devin.requests((await idsForKey("youtrack", "WEB-129")).tag)).toHaveLength(0);
  });

  it("accepts the secret in the path and refuses a wrong one", async () => {
    const raw = issue("WEB-130");
    await expectUnauthorized(await send(raw, { authorization: null, path: "/webhooks/youtrack/not-the-secret" }));
    await expectOneSession("WEB-130", () => send(raw, { authorization: null, path: `/webhooks/youtrack/${SECRET}` }));
  });

  it("triggers when an update lists the tag in tagsAdded (or the alias addedTags)", async () => {
    await expectOneSession("WEB-131", () => send(updated("WEB-131", ["bug", "devin-autofix"], ["devin-autofix"])));
    const alias = updated("WEB-132", ["bug", "devin-autofix"], undefined, (p) => (p.addedTags = ["devin-autofix"]));
    await expectOneSession("WEB-132", () => send(alias));
  });

  it("skips an update whose added tags hold no trigger, even when the issue has one", async () => {
    await expectSkipped(await send(updated("WEB-133", ["devin-autofix", "ui"], ["ui"])), /no trigger label/);
    await expectSkipped(await send(updated("WEB-133", ["devin-autofix"], [])), /no trigger label/);
  });

  it("without tagsAdded, every current tag may trigger, and YOUTRACK_BASE_URL builds the link", async () => {
    const raw = updated("WEB-134", ["devin-feature"], undefined, (p) => {
      delete p.url;
      delete p.event;
    });
    const env = { YOUTRACK_BASE_URL: "https://youtrack.example.test/" };
    const { create } = await expectOneSession("WEB-134", () => send(raw, { env }), "devin-feature");
    expect(create.body.playbook_id).toBe("playbook-feature-0002");
    expect(create.body.prompt).toContain("Ticket URL: https://youtrack.example.test/issue/WEB-134");
  });

  it("skips other events and bodies that are not the workflow's", async () => {
    await expectSkipped(await send(issue("WEB-135", (p) => (p.event = "issue.deleted"))), /issue\.deleted/);
    await expectSkipped(await send(issue("WEB-135", (p) => (p.action = p.event = "comment.added"))), /comment\.added/);
    await expectSkipped(await send(JSON.stringify({ idReadable: "WEB-135" })), /not a YouTrack issue/);
  });
});
