import createdFixture from "@fixtures/jira-dc-issue-created.json?raw";
import { describe, expect, it } from "vitest";
import { SECRET, devin, hmacHex, idsForKey, postWebhook, sleep, expectSkipped, expectUnauthorized, expectOneSession as oneSession } from "../helpers";

const TITLE = "Checkout returns 500 when cart is empty";
const PATH_SECRET = `/webhooks/jira/${SECRET}`;

/** The fixture as another issue (each ticket once per file: KV persists across tests). */
function issue(key: string, edit: (p: any) => void = () => {}): string {
  const p = JSON.parse(createdFixture);
  p.issue.key = key;
  edit(p);
  return JSON.stringify(p);
}

function updated(key: string, items: object[], labels: string[] = ["backend"]): string {
  return issue(key, (p) => {
    p.webhookEvent = "jira:issue_updated";
    p.issue_event_type_name = "issue_generic";
    p.issue.fields.labels = labels;
    p.changelog = { id: "10977", items };
  });
}

/** Jira Cloud's admin-webhook signature, unless `signature` is given (null sends none). */
async function cloud(raw: string, signature?: string | null, env?: Record<string, unknown>) {
  const headers: Record<string, string> = { "x-atlassian-webhook-identifier": crypto.randomUUID() };
  const value = signature === undefined ? `sha256=${await hmacHex(SECRET, raw)}` : signature;
  if (value !== null) headers["x-hub-signature"] = value;
  return postWebhook(raw, { path: "/webhooks/jira", unsigned: true, headers, env });
}

/** Jira Data Center: no signature, the secret is in the registered URL. */
function dc(raw: string, path = PATH_SECRET) {
  return postWebhook(raw, { path, unsigned: true });
}



const expectOneSession = (key: string, post: () => Promise<Response>) =>
  oneSession("jira", key, post);

describe("Jira issue webhooks", () => {
  it("starts one session from the real Data Center delivery, and a redelivery is a duplicate", async () => {
    const path = `${PATH_SECRET}?label=devin-autofix`;
    const { create, tag } = await expectOneSession("WEB-128", () => dc(createdFixture, path));
    expect(create.body.playbook_id).toBe("playbook-autofix-0001");
    expect(create.body.title).toContain(TITLE);
    expect(create.body.title).toContain("Jira");
    const prompt: string = create.body.prompt;
    expect(prompt.startsWith(`Ticket WEB-128: ${TITLE}`)).toBe(true);
    expect(prompt).toContain("Tracker: Jira");
    expect(prompt).toContain("Project: WEB");
    expect(prompt).toContain("Ticket URL: https://jira.acme.test/browse/WEB-128");
    expect(prompt).toContain("Reported by: dana");
    expect(prompt).toContain("HTTP 500 from {{CartTotals#compute}}");

    const again = await dc(createdFixture, path);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ status: "duplicate", ticket_key: "jira:WEB-128:devin-autofix" });
    await sleep(1_500);
    expect(await devin.creates(tag)).toHaveLength(1);
  });

  it("skips the fixture without a route: its labels are `backend` and component `checkout`", async () => {
    await expectSkipped(await dc(createdFixture), /no trigger label/);
  });

  it("401 without a path secret or signature, and with a wrong path secret", async () => {
    const raw = issue("WEB-129", (p) => (p.issue.fields.labels = ["devin-autofix"]));
    await expectUnauthorized(await dc(raw, "/webhooks/jira"));
    await expectUnauthorized(await dc(raw, "/webhooks/jira/not-the-secret"));
    await expectUnauthorized(await cloud(raw, null));
    await expectUnauthorized(await cloud(raw, `sha256=${await hmacHex("not-the-secret", raw)}`));
    await expectUnauthorized(await cloud(raw, `sha1=${await hmacHex(SECRET, raw, "SHA-1")}`));
    await expectUnauthorized(await cloud(raw.replace("Checkout", "Checkouts"), `sha256=${await hmacHex(SECRET, raw)}`));
    await sleep(200);
    expect(await devin.requests((await idsForKey("jira", "WEB-129")).tag)).toHaveLength(0);
  });

  it("accepts a signed Cloud delivery with an ADF description, linking to JIRA_BASE_URL", async () => {
    const raw = issue("WEB-130", (p) => {
      p.issue.self = "https://api.atlassian.com/ex/jira/1234/rest/api/3/issue/10482";
      p.issue.fields.labels = ["devin-autofix"];
      p.issue.fields.reporter = { accountId: "5b10a2844c20165700ede21g", displayName: "Dana Ops" };
      p.issue.fields.description = {
        type: "doc",
        version: 1,
        content: [
          { type: "paragraph", content: [{ type: "text", text: "Steps to reproduce:" }] },
          {
            type: "orderedList",
            content: [
              { type: "listItem", content: [{ type: "paragraph", content: [{ type: "text", text: "Open /checkout" }] }] },
              { type: "listItem", content: [{ type: "paragraph", content: [{ type: "text", text: "Click Pay" }] }] },
            ],
          },
          {
            type: "paragraph",
            content: [
              { type: "text", text: "Actual: HTTP 500, see " },
              { type: "mention", attrs: { id: "x", text: "@Sam" } },
              { type: "hardBreak" },
              { type: "text", text: "CartTotals#compute", marks: [{ type: "code" }] },
            ],
          },
        ],
      };
    });
    const env = { JIRA_BASE_URL: "https://acme.atlassian.net/" };
    const { create } = await expectOneSession("WEB-130", () => cloud(raw, undefined, env));
    const prompt: string = create.body.prompt;
    expect(prompt).toContain("Steps to reproduce:\n- Open /checkout\n- Click Pay\nActual: HTTP 500, see @Sam\nCartTotals#compute");
    expect(prompt).not.toContain('"type"');
    expect(prompt).toContain("Ticket URL: https://acme.atlassian.net/browse/WEB-130");
    expect(prompt).toContain("Reported by: Dana Ops");
  });

  it("treats components as labels at creation", async () => {
    const raw = issue("WEB-131", (p) => (p.issue.fields.components = [{ id: "1", name: "devin-autofix" }]));
    await expectOneSession("WEB-131", () => cloud(raw));
  });

  it("triggers when an update adds the label (space-separated fromString/toString)", async () => {
    const raw = updated("WEB-132", [{ field: "labels", fieldtype: "jira", fromString: "backend", toString: "backend devin-autofix" }], [
      "backend",
      "devin-autofix",
    ]);
    const { create } = await expectOneSession("WEB-132", () => dc(raw));
    expect(create.body.prompt.startsWith(`Ticket WEB-132: ${TITLE}`)).toBe(true);
  });

  it("triggers when an update adds the component", async () => {
    const raw = updated("WEB-133", [{ field: "Component", fieldtype: "jira", from: null, fromString: null, to: "10101", toString: "devin-autofix" }]);
    await expectOneSession("WEB-133", () => cloud(raw));
  });

  it("skips updates that add no trigger label, even when the issue already has one", async () => {
    const labels = ["backend", "devin-autofix"];
    const summary = updated("WEB-134", [{ field: "summary", fieldtype: "jira", fromString: "Old", toString: TITLE }], labels);
    await expectSkipped(await dc(summary), /no trigger label/);
    const removed = updated("WEB-134", [{ field: "labels", fromString: "backend devin-autofix", toString: "backend" }], ["backend"]);
    await expectSkipped(await dc(removed), /no trigger label/);
    const other = updated("WEB-134", [{ field: "labels", fromString: "devin-autofix", toString: "devin-autofix frontend" }], labels);
    await expectSkipped(await dc(other), /no trigger label/);
    // Without `toString` the update adds nothing (and Object.prototype.toString is not mistaken for it).
    const noTo = updated("WEB-134", [{ field: "labels", fromString: "" }], labels);
    await expectSkipped(await dc(noTo), /no trigger label/);
    const noChangelog = issue("WEB-134", (p) => (p.webhookEvent = "jira:issue_updated"));
    await expectSkipped(await dc(noChangelog), /no trigger label/);
  });

  it("skips deleted issues, comments and unknown bodies", async () => {
    const deleted = issue("WEB-135", (p) => {
      p.webhookEvent = "jira:issue_deleted";
      p.issue.fields.labels = ["devin-autofix"];
    });
    await expectSkipped(await dc(deleted), /jira:issue_deleted/);
    // A new comment is a follow-up (jira.comment.test.ts); an edited one is nothing.
    const comment = issue("WEB-135", (p) => {
      p.webhookEvent = "comment_updated";
      p.comment = { id: "1", body: "please fix" };
      p.issue.fields.labels = ["devin-autofix"];
    });
    await expectSkipped(await dc(comment), /comment_updated/);
    await expectSkipped(await dc(JSON.stringify({ webhookEvent: "jira:version_released", version: {} })), /not a Jira issue event/);
  });
});
