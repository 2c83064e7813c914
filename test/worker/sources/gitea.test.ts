import openedFixture from "@fixtures/gitea-issue-opened.json?raw";
import { describe, expect, it } from "vitest";
import { SECRET, devin, hmacHex, postWebhook, sleep, expectSkipped, expectOneSession as oneSession } from "../helpers";

const TITLE = "Checkout returns 500 when cart is empty";
const FIXTURE_SIGNATURE = "ddfa349fa70d4220e0d9cf3a2cae99cf7e102f1f62d3749d5f2d543062e75a12";
const BUG = { id: 5, name: "bug" };
const AUTOFIX = { id: 9, name: "devin-autofix" };

type Flavour = "gitea" | "forgejo";

/** Gitea's real delivery headers (Forgejo sends the same under its own name). */
function headersFor(flavour: Flavour, eventType: string, signature: string | null): Record<string, string> {
  const prefix = flavour === "gitea" ? "X-Gitea" : "X-Forgejo";
  const headers: Record<string, string> = {
    "user-agent": "Go-http-client/1.1",
    [`${prefix}-Delivery`]: crypto.randomUUID(),
    // issue_label and the other issue sub-types all arrive with Event "issues".
    [`${prefix}-Event`]: eventType.startsWith("issue_label") ? "issues" : eventType,
    [`${prefix}-Event-Type`]: eventType,
  };
  if (signature !== null) headers[`${prefix}-Signature`] = signature;
  return headers;
}

/** The opened fixture as another issue (KV persists across the tests of a file, so each number is used once). */
function issue(number: number, changes: { action?: string; labels?: object[] | null; pull_request?: object } = {}) {
  const p = JSON.parse(openedFixture);
  p.number = number;
  p.issue.number = number;
  p.issue.html_url = `https://gitea.acme.test/acme/web-app/issues/${number}`;
  p.issue.labels = changes.labels === undefined ? [BUG, AUTOFIX] : changes.labels;
  if (changes.action) p.action = changes.action;
  if (changes.pull_request) p.issue.pull_request = changes.pull_request;
  return JSON.stringify(p, null, 2);
}

interface SendOptions {
  flavour?: Flavour;
  eventType?: string;
  secret?: string;
  /** Exact signature header value; null sends none. */
  signature?: string | null;
  path?: string;
  extraHeaders?: Record<string, string>;
}

async function send(raw: string, o: SendOptions = {}): Promise<Response> {
  const flavour = o.flavour ?? "gitea";
  const signature = o.signature === undefined ? await hmacHex(o.secret ?? SECRET, raw) : o.signature;
  const headers = { ...headersFor(flavour, o.eventType ?? "issues", signature), ...o.extraHeaders };
  return postWebhook(raw, { path: o.path ?? `/webhooks/${flavour}`, unsigned: true, headers });
}


const expectOneSession = (source: Flavour, number: number, post: () => Promise<Response>) =>
  oneSession(source, `acme/web-app#${number}`, post);

describe("Gitea issue webhooks", () => {
  it("skips the real `opened` delivery as is: its only label is `bug`", async () => {
    const res = await send(openedFixture, { signature: FIXTURE_SIGNATURE });
    await expectSkipped(res, /no trigger label/);
  });

  it("starts one session from the real delivery routed with ?label=, naming Gitea and the issue", async () => {
    const { create } = await expectOneSession("gitea", 128, () =>
      send(openedFixture, { signature: FIXTURE_SIGNATURE, path: "/webhooks/gitea?label=devin-autofix" }),
    );
    expect(create.body.playbook_id).toBe("playbook-autofix-0001");
    expect(create.body.title).toContain(TITLE);
    expect(create.body.title).toContain("Gitea");
    const prompt: string = create.body.prompt;
    expect(prompt.startsWith(`Ticket acme/web-app#128: ${TITLE}`)).toBe(true);
    expect(prompt).toContain("Tracker: Gitea");
    expect(prompt).toContain("Project: acme/web-app");
    expect(prompt).toContain("Ticket URL: https://gitea.acme.test/acme/web-app/issues/128");
    expect(prompt).toContain("Reported by: dana");
    expect(prompt).toContain("HTTP 500 from `CartTotals#compute`");
  });

  it("starts a session for an issue opened with the trigger label", async () => {
    const { create } = await expectOneSession("gitea", 201, () => send(issue(201)));
    expect(create.body.prompt.startsWith(`Ticket acme/web-app#201: ${TITLE}`)).toBe(true);
  });

  it("serves Forgejo from the same fixture under its own name and headers", async () => {
    const { create } = await expectOneSession("forgejo", 128, () =>
      send(openedFixture, { flavour: "forgejo", signature: FIXTURE_SIGNATURE, path: "/webhooks/forgejo?label=devin-autofix" }),
    );
    expect(create.body.title).toContain("Forgejo");
    expect(create.body.prompt.startsWith(`Ticket acme/web-app#128: ${TITLE}`)).toBe(true);
    expect(create.body.prompt).toContain("Tracker: Forgejo");
    // A wrong Forgejo signature is refused like a Gitea one.
    expect((await send(issue(202), { flavour: "forgejo", secret: "not-the-secret" })).status).toBe(401);
  });

  it("accepts X-Hub-Signature-256 when the native signature header is absent", async () => {
    const raw = issue(203);
    const hub = { "X-Hub-Signature-256": `sha256=${await hmacHex(SECRET, raw)}` };
    await expectOneSession("gitea", 203, () => send(raw, { signature: null, extraHeaders: hub }));
  });

  it("rejects another secret's signature, a tampered body, a malformed value and no signature", async () => {
    const raw = issue(204);
    expect((await send(raw, { secret: "not-the-secret" })).status).toBe(401);
    const tampered = raw.replace(TITLE, "Something else");
    expect((await send(tampered, { signature: await hmacHex(SECRET, raw) })).status).toBe(401);
    expect((await send(raw, { signature: "not-hex" })).status).toBe(401);
    expect((await send(raw, { signature: null })).status).toBe(401);
  });

  it("accepts the secret in the path instead of a signature, and refuses a wrong one", async () => {
    const raw = issue(205);
    expect((await send(raw, { signature: null, path: "/webhooks/gitea/wrong-secret" })).status).toBe(401);
    await expectOneSession("gitea", 205, () => send(raw, { signature: null, path: `/webhooks/gitea/${SECRET}` }));
  });

  it("triggers on a label update that leaves the trigger label on the issue", async () => {
    const raw = issue(206, { action: "label_updated" });
    await expectOneSession("gitea", 206, () => send(raw, { eventType: "issue_label" }));
  });

  it("skips a label update without the trigger label, a cleared label set and an edit", async () => {
    await expectSkipped(await send(issue(207, { action: "label_updated", labels: [BUG] }), { eventType: "issue_label" }), /no trigger label/);
    await expectSkipped(await send(issue(207, { action: "label_cleared", labels: null }), { eventType: "issue_label" }), /no trigger label/);
    await expectSkipped(await send(issue(207, { action: "edited" })), /no trigger label/);
  });

  it("skips closed issues, pull requests, comments and other events", async () => {
    await expectSkipped(await send(issue(208, { action: "closed" })), /closed/);
    await expectSkipped(await send(issue(208, { pull_request: { merged: false } })), /pull request/);
    await expectSkipped(await send(issue(208), { eventType: "issue_comment" }), /issue_comment/);
    await expectSkipped(await send(issue(208), { eventType: "push" }), /push/);
    await expectSkipped(await send(JSON.stringify({ action: "opened", issue: { title: 7 } })), /not a Gitea issue/);
  });

  it("answers a redelivery after success as a duplicate without a second session", async () => {
    const raw = issue(209, { action: "label_updated" });
    const { tag } = await expectOneSession("gitea", 209, () => send(raw, { eventType: "issue_label" }));
    const again = await send(raw, { eventType: "issue_label" });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ status: "duplicate", ticket_key: "gitea:acme/web-app#209:devin-autofix" });
    await sleep(1_500);
    expect(await devin.creates(tag)).toHaveLength(1);
  });
});
