import openedFixture from "@fixtures/github-issue-opened.json?raw";
import labeledFixture from "@fixtures/github-issue-labeled.json?raw";
import { describe, expect, it } from "vitest";
import { SECRET, devin, hmacHex, postWebhook, sleep, expectSkipped, expectOneSession as oneSession } from "../helpers";

const TITLE = "Checkout returns 500 when cart is empty";
const AUTOFIX = { id: 7790011201, name: "devin-autofix" };
const BUG = { id: 1362934389, name: "bug" };

/** The labeled fixture as another issue (each ticket is used once per file: KV persists across tests). */
function issue(number: number, changes: { action?: string; labels?: object[]; label?: object; pull_request?: object } = {}) {
  const p = JSON.parse(labeledFixture);
  p.issue.number = number;
  p.issue.html_url = `https://github.com/acme/web-app/issues/${number}`;
  if (changes.action) p.action = changes.action;
  if (changes.labels) p.issue.labels = changes.labels;
  if (changes.label) p.label = changes.label;
  if (changes.action && changes.action !== "labeled") delete p.label;
  if (changes.pull_request) p.issue.pull_request = changes.pull_request;
  return JSON.stringify(p);
}

interface SendOptions {
  event?: string;
  secret?: string;
  /** Exact X-Hub-Signature-256 value; null sends none. */
  signature?: string | null;
  path?: string;
}

async function send(raw: string, o: SendOptions = {}): Promise<Response> {
  const headers: Record<string, string> = {
    "user-agent": "GitHub-Hookshot/7b9d2e1",
    "x-github-event": o.event ?? "issues",
    "x-github-delivery": crypto.randomUUID(),
  };
  const signature = o.signature === undefined ? `sha256=${await hmacHex(o.secret ?? SECRET, raw)}` : o.signature;
  if (signature !== null) headers["x-hub-signature-256"] = signature;
  return postWebhook(raw, { path: o.path ?? "/webhooks/github", unsigned: true, headers });
}


const expectOneSession = (number: number, post: () => Promise<Response>) =>
  oneSession("github", `acme/web-app#${number}`, post);

describe("GitHub issues webhooks", () => {
  it("starts one session from the real `labeled` delivery, naming GitHub and the issue", async () => {
    const { create } = await expectOneSession(128, () =>
      postWebhook(labeledFixture, {
        path: "/webhooks/github",
        unsigned: true,
        headers: {
          "x-github-event": "issues",
          "x-github-delivery": "b2c3d4e5-e5f6-11ee-8c90-0242ac120002",
          "x-hub-signature-256": "sha256=1c46b624f014d8f179958c53a58400f9ad9f940f0b63d571f9ed0a05e7397898",
        },
      }),
    );
    expect(create.body.playbook_id).toBe("playbook-autofix-0001");
    expect(create.body.title).toContain(TITLE);
    expect(create.body.title).toContain("GitHub");
    const prompt: string = create.body.prompt;
    expect(prompt.startsWith(`Ticket acme/web-app#128: ${TITLE}`)).toBe(true);
    expect(prompt).toContain("Tracker: GitHub");
    expect(prompt).toContain("Project: acme/web-app");
    expect(prompt).toContain("Ticket URL: https://github.com/acme/web-app/issues/128");
    expect(prompt).toContain("Reported by: dana");
    expect(prompt).toContain("HTTP 500 from `CartTotals#compute`");
  });

  it("skips the real `opened` delivery: its only label is `bug`", async () => {
    const res = await postWebhook(openedFixture, {
      path: "/webhooks/github",
      unsigned: true,
      headers: {
        "x-github-event": "issues",
        "x-hub-signature-256": "sha256=8403aaed3a7e794b488051461c3afc4d5deb6070f793552e2bf2a7bd16a2e4fa",
      },
    });
    await expectSkipped(res, /no trigger label/);
  });

  it("starts a session for an issue opened with the trigger label among its labels", async () => {
    const raw = issue(301, { action: "opened", labels: [BUG, AUTOFIX] });
    const { create } = await expectOneSession(301, () => send(raw));
    expect(create.body.prompt.startsWith(`Ticket acme/web-app#301: ${TITLE}`)).toBe(true);
  });

  it("rejects a signature made with another secret, a tampered body, a bare hex value and no signature", async () => {
    const raw = issue(302);
    expect((await send(raw, { secret: "not-the-secret" })).status).toBe(401);
    const tampered = raw.replace(TITLE, "Something else");
    expect((await send(tampered, { signature: `sha256=${await hmacHex(SECRET, raw)}` })).status).toBe(401);
    expect((await send(raw, { signature: await hmacHex(SECRET, raw) })).status).toBe(401);
    expect((await send(raw, { signature: "sha256=zz" })).status).toBe(401);
    expect((await send(raw, { signature: null })).status).toBe(401);
  });

  it("accepts the secret in the path instead of a signature, and refuses a wrong one", async () => {
    const raw = issue(303);
    expect((await send(raw, { signature: null, path: "/webhooks/github/wrong-secret" })).status).toBe(401);
    const { create } = await expectOneSession(303, () =>
      send(raw, { signature: null, path: `/webhooks/github/${SECRET}` }),
    );
    expect(create.body.playbook_id).toBe("playbook-autofix-0001");
  });

  it("triggers only on the label just added, not on labels already there", async () => {
    const raw = issue(304, { labels: [AUTOFIX, { id: 1, name: "needs-triage" }], label: { id: 1, name: "needs-triage" } });
    await expectSkipped(await send(raw), /no trigger label/);
  });

  it("skips an edit of an issue that carries the trigger label", async () => {
    await expectSkipped(await send(issue(305, { action: "edited" })), /no trigger label/);
  });

  it("skips closed and deleted issues, pull requests and other event types", async () => {
    await expectSkipped(await send(issue(306, { action: "closed" })), /closed/);
    await expectSkipped(await send(issue(306, { action: "deleted" })), /deleted/);
    await expectSkipped(await send(issue(306, { pull_request: { url: "https://api.github.com/repos/acme/web-app/pulls/306" } })), /pull request/);
    await expectSkipped(await send(issue(306), { event: "issue_comment" }), /issue_comment/);
    await expectSkipped(await send(JSON.stringify({ zen: "Keep it logically awesome.", hook_id: 1 }), { event: "ping" }), /ping/);
    await expectSkipped(await send(JSON.stringify({ action: "opened", issue: { number: "x" } })), /not a GitHub issue/);
  });

  it("answers a redelivery after success as a duplicate without a second session", async () => {
    const raw = issue(307);
    const { tag } = await expectOneSession(307, () => send(raw));
    const again = await send(raw);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ status: "duplicate", ticket_key: "github:acme/web-app#307:devin-autofix" });
    await sleep(1_500);
    expect(await devin.creates(tag)).toHaveLength(1);
  });
});
