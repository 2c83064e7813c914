import openFixture from "@fixtures/gitlab-issue-open.json?raw";
import { describe, expect, it } from "vitest";
import { verifyStandardWebhook } from "../../../src/sources/standard-webhooks";
import { SECRET, devin, idsForKey, postWebhook, sleep, expectSkipped, expectUnauthorized, expectOneSession as oneSession } from "../helpers";

const TITLE = "Checkout returns 500 when cart is empty";
// The README's signing token: whsec_ + base64(SHA-256 of the test secret).
const SIGNING_SECRET = "whsec_z2lzZvc6J91W3+dHJ9/yic+GDA3+65sR8WhOtpQAS8c=";
const README_SIGNATURE = {
  "webhook-id": "0d6b1e9a-7c1f-4a4e-9a3b-5f1e2d3c4b5a",
  "webhook-timestamp": "1773151331",
  "webhook-signature": "v1,pXLUB7QufW8AyzTbrUfqUKhhHDSEH2bm7u8d1I2zygs=",
};
const label = (id: number, title: string) => ({ id, title, color: "#dc143c", project_id: 17, type: "ProjectLabel" });
const BUG = label(301, "bug");
const AUTOFIX = label(302, "devin-autofix");
const FRONTEND = label(303, "frontend");

/** The fixture as another issue (each ticket once per file: KV persists across tests). */
function issue(iid: number, edit: (p: any) => void = () => {}): string {
  const p = JSON.parse(openFixture);
  p.object_attributes.iid = iid;
  p.object_attributes.url = `https://gitlab.acme.test/acme/web-app/-/issues/${iid}`;
  edit(p);
  return JSON.stringify(p);
}

function update(iid: number, previous: object[], current: object[], edit: (p: any) => void = () => {}): string {
  return issue(iid, (p) => {
    p.object_attributes.action = "update";
    p.object_attributes.labels = current;
    p.labels = current;
    p.changes = { labels: { previous, current }, updated_at: { previous: "a", current: "b" } };
    edit(p);
  });
}

const tokenHeaders = (token: string = SECRET, event = "Issue Hook") => ({ "x-gitlab-event": event, "x-gitlab-token": token });

function send(raw: string, headers: Record<string, string> = tokenHeaders(), path = "/webhooks/gitlab", env?: Record<string, unknown>) {
  return postWebhook(raw, { path, unsigned: true, headers, env });
}

const encoder = new TextEncoder();
const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));

/** Standard Webhooks headers, computed the way GitLab 19 does. */
async function signed(raw: string, secret = SIGNING_SECRET, timestamp = Math.floor(Date.now() / 1000), id = crypto.randomUUID()) {
  const keyBytes = Uint8Array.from(atob(secret.slice("whsec_".length)), (c) => c.charCodeAt(0));
  const key = await crypto.subtle.importKey("raw", keyBytes, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(`${id}.${timestamp}.${raw}`)));
  return {
    "x-gitlab-event": "Issue Hook",
    "webhook-id": id,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": `v1,${b64(mac)}`,
  };
}



const expectOneSession = (iid: number, post: () => Promise<Response>) =>
  oneSession("gitlab", `acme/web-app#${iid}`, post);

describe("GitLab issue webhooks", () => {
  it("starts one session from the real `open` delivery, and a redelivery is a duplicate", async () => {
    const path = "/webhooks/gitlab?label=devin-autofix";
    const headers = { ...tokenHeaders(), "idempotency-key": "0d6b1e9a-7c1f-4a4e-9a3b-5f1e2d3c4b5a" };
    const { create, tag } = await expectOneSession(128, () => send(openFixture, headers, path));
    expect(create.body.playbook_id).toBe("playbook-autofix-0001");
    expect(create.body.title).toContain(TITLE);
    expect(create.body.title).toContain("GitLab");
    const prompt: string = create.body.prompt;
    expect(prompt.startsWith(`Ticket acme/web-app#128: ${TITLE}`)).toBe(true);
    expect(prompt).toContain("Tracker: GitLab");
    expect(prompt).toContain("Project: acme/web-app");
    expect(prompt).toContain("Ticket URL: https://gitlab.acme.test/acme/web-app/-/issues/128");
    expect(prompt).toContain("Reported by: dana");
    expect(prompt).toContain("HTTP 500 from `CartTotals#compute`");

    const again = await send(openFixture, headers, path);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ status: "duplicate", ticket_key: "gitlab:acme/web-app#128:devin-autofix" });
    await sleep(1_500);
    expect(await devin.creates(tag)).toHaveLength(1);
  });

  it("skips the fixture without a route: its only label is `bug`", async () => {
    await expectSkipped(await send(openFixture), /no trigger label/);
  });

  it("triggers on a label present at creation, also for confidential issues", async () => {
    const raw = issue(129, (p) => {
      p.object_attributes.labels = [BUG, AUTOFIX];
      p.object_attributes.confidential = true;
      p.labels = [BUG, AUTOFIX];
    });
    const { create } = await expectOneSession(129, () => send(raw, tokenHeaders(SECRET, "Confidential Issue Hook")));
    expect(create.body.prompt).toContain("https://gitlab.acme.test/acme/web-app/-/issues/129");
  });

  it("triggers when an update adds the label (current − previous)", async () => {
    const raw = update(130, [BUG], [BUG, AUTOFIX]);
    const { create } = await expectOneSession(130, () => send(raw));
    expect(create.body.prompt.startsWith(`Ticket acme/web-app#130: ${TITLE}`)).toBe(true);
  });

  it("skips updates that add no trigger label, even when the issue already has one", async () => {
    await expectSkipped(await send(update(131, [BUG, AUTOFIX], [BUG, AUTOFIX, FRONTEND])), /no trigger label/);
    await expectSkipped(await send(update(131, [BUG, AUTOFIX], [BUG])), /no trigger label/);
    const titleOnly = update(131, [AUTOFIX], [AUTOFIX], (p) => {
      p.changes = { title: { previous: "Old", current: TITLE } };
    });
    await expectSkipped(await send(titleOnly), /no trigger label/);
  });

  it("skips close, reopen and updates of closed issues", async () => {
    const close = issue(132, (p) => {
      p.object_attributes.action = "close";
      p.object_attributes.labels = [AUTOFIX];
    });
    await expectSkipped(await send(close), /action "close"/);
    const reopen = issue(132, (p) => {
      p.object_attributes.action = "reopen";
      p.object_attributes.labels = [AUTOFIX];
    });
    await expectSkipped(await send(reopen), /action "reopen"/);
    const closedUpdate = update(132, [], [AUTOFIX], (p) => {
      p.object_attributes.state = "closed";
    });
    await expectSkipped(await send(closedUpdate), /closed/);
  });

  it("skips other GitLab events", async () => {
    const note = JSON.stringify({ object_kind: "note", object_attributes: { note: "hi", noteable_type: "Issue" } });
    await expectSkipped(await send(note, tokenHeaders(SECRET, "Note Hook")), /Note Hook/i);
    const mr = JSON.stringify({ object_kind: "merge_request", object_attributes: { iid: 1, title: "x", action: "open" } });
    await expectSkipped(await send(mr, tokenHeaders(SECRET, "Merge Request Hook")), /not an issue event/);
    // An issue header on another body is still not an issue.
    await expectSkipped(await send(mr), /not a GitLab issue event/);
  });

  it("401 on a wrong or missing X-Gitlab-Token", async () => {
    const raw = update(133, [], [AUTOFIX]);
    await expectUnauthorized(await send(raw, tokenHeaders("not-the-secret")));
    await expectUnauthorized(await send(raw, { "x-gitlab-event": "Issue Hook" }));
    await expectUnauthorized(await send(raw, tokenHeaders("")));
    await sleep(200);
    expect(await devin.requests((await idsForKey("gitlab", "acme/web-app#133")).tag)).toHaveLength(0);
  });

  it("accepts the secret in the path and refuses a wrong one", async () => {
    const raw = update(134, [BUG], [BUG, AUTOFIX]);
    const headers = { "x-gitlab-event": "Issue Hook" };
    await expectUnauthorized(await send(raw, headers, "/webhooks/gitlab/not-the-secret"));
    await expectOneSession(134, () => send(raw, headers, `/webhooks/gitlab/${SECRET}`));
  });

  describe("signing token (Standard Webhooks)", () => {
    const env = { GITLAB_WEBHOOK_SECRET: SIGNING_SECRET };

    it("matches the README's signature at its own timestamp, and not 5 minutes and 1 second later", async () => {
      const req = {
        raw: encoder.encode(openFixture),
        headers: new Headers(README_SIGNATURE),
        url: new URL("https://bridge.test/webhooks/gitlab"),
      };
      const ts = Number(README_SIGNATURE["webhook-timestamp"]);
      expect(await verifyStandardWebhook(req, [SIGNING_SECRET], ts)).toBe(true);
      expect(await verifyStandardWebhook(req, [SIGNING_SECRET], ts + 300)).toBe(true);
      expect(await verifyStandardWebhook(req, [SIGNING_SECRET], ts - 300)).toBe(true);
      expect(await verifyStandardWebhook(req, [SIGNING_SECRET], ts + 301)).toBe(false);
      expect(await verifyStandardWebhook(req, [SIGNING_SECRET], ts - 301)).toBe(false);
      // The key is the decoded base64, not the `whsec_…` text: a plain secret never verifies.
      expect(await verifyStandardWebhook(req, [SECRET], ts)).toBe(false);
      const tampered = { ...req, raw: encoder.encode(openFixture.replace("500", "501")) };
      expect(await verifyStandardWebhook(tampered, [SIGNING_SECRET], ts)).toBe(false);
    });

    it("401 on the README's stale fixture signature", async () => {
      await expectUnauthorized(await send(openFixture, { "x-gitlab-event": "Issue Hook", ...README_SIGNATURE }, "/webhooks/gitlab", env));
    });

    it("starts a session from a freshly signed delivery", async () => {
      const raw = update(135, [BUG], [BUG, AUTOFIX]);
      const headers = await signed(raw);
      await expectOneSession(135, () => send(raw, headers, "/webhooks/gitlab", env));
    });

    it("accepts any matching signature of several, beside a plain token secret", async () => {
      const raw = update(136, [], [AUTOFIX]);
      const headers = await signed(raw);
      const other = await signed(raw, "whsec_" + btoa("another key of thirty-two bytes!"), Number(headers["webhook-timestamp"]), headers["webhook-id"]);
      headers["webhook-signature"] = `${other["webhook-signature"]} ${headers["webhook-signature"]}`;
      const rotated = { GITLAB_WEBHOOK_SECRET: `${SECRET},${SIGNING_SECRET}` };
      await expectOneSession(136, () => send(raw, headers, "/webhooks/gitlab", rotated));
    });

    it("401 on tampering, stale or future timestamps, odd formats and non-whsec secrets", async () => {
      const raw = update(137, [], [AUTOFIX]);
      const now = Math.floor(Date.now() / 1000);
      const cases: Record<string, string>[] = [
        { ...(await signed(raw)), "webhook-id": "another-id" },
        { ...(await signed(raw)), "webhook-timestamp": String(now + 1) },
        await signed(raw, SIGNING_SECRET, now - 301),
        await signed(raw, SIGNING_SECRET, now + 301),
        { ...(await signed(raw)), "webhook-timestamp": `${now}.0` },
        { ...(await signed(raw)), "webhook-timestamp": "soon" },
        { ...(await signed(raw, SIGNING_SECRET, now)), "webhook-timestamp": ` ${now}e0` },
      ];
      const good = await signed(raw);
      cases.push({ ...good, "webhook-signature": good["webhook-signature"].replace("v1,", "v2,") });
      cases.push({ ...good, "webhook-signature": "v1,not base64!" });
      const { "webhook-signature": _drop, ...unsignedHeaders } = good;
      cases.push(unsignedHeaders);
      for (const headers of cases) await expectUnauthorized(await send(raw, headers, "/webhooks/gitlab", env));
      await expectUnauthorized(await send(raw.replace("Checkout", "Checkouts"), good, "/webhooks/gitlab", env));
      // The same signature is worthless when the configured secret is not a signing token.
      await expectUnauthorized(await send(raw, good, "/webhooks/gitlab", { GITLAB_WEBHOOK_SECRET: SECRET }));
      await sleep(200);
      expect(await devin.requests((await idsForKey("gitlab", "acme/web-app#137")).tag)).toHaveLength(0);
    });
  });
});
