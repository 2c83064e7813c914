import { describe, expect, it } from "vitest";
import { verifyHmac, hexToBytes } from "../../src/crypto/hmac";
import { devin, hmacHex, idsFor, postWebhook, SECRET, sleep, ticket } from "./helpers";
import { URL_SECRET } from "../../src/trackers/case-table";

const enc = new TextEncoder();

describe("webhook signatures", () => {
  it("verifies GitHub's documented test vector", async () => {
    const sig = hexToBytes("757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")!;
    expect(await verifyHmac("SHA-256", ["It's a Secret to Everybody"], enc.encode("Hello, World!"), sig)).toBe(true);
    expect(await verifyHmac("SHA-256", ["It's a secret to everybody"], enc.encode("Hello, World!"), sig)).toBe(false);
    expect(await verifyHmac("SHA-256", ["It's a Secret to Everybody"], enc.encode("Hello, World?"), sig)).toBe(false);
  });

  it("checks the vector through the route: authentic but not JSON → 400, not 401", async () => {
    const headers = {
      "x-hub-signature-256": "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
    };
    const env = { WEBHOOK_SECRET: "It's a Secret to Everybody" };
    expect((await postWebhook("Hello, World!", { headers, env })).status).toBe(400);
    expect((await postWebhook("Hello, World?", { headers, env })).status).toBe(401);
  });

  it.each([
    ["missing", { unsigned: true }],
    ["signed with another secret", { secret: "not-the-secret" }],
    ["empty", { headers: { "x-hub-signature-256": "" } }],
    ["prefix only", { headers: { "x-hub-signature-256": "sha256=" } }],
    ["not hex", { headers: { "x-hub-signature-256": "sha256=zz".padEnd(71, "z") } }],
    ["odd length", { headers: { "x-hub-signature-256": "sha256=abc" } }],
    ["truncated", { headers: { "x-hub-signature-256": "sha256=757107ea0eb2509fc2" } }],
    ["only the legacy sha1 header", { unsigned: true, headers: { "x-hub-signature": "sha1=4fa9f01b934e0f8d7cf771a36415859fcf5e51b5" } }],
  ])("401 when the signature is %s, and Devin is never called", async (_name, options) => {
    const t = ticket();
    const res = await postWebhook(t, options as never);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("unauthorized");
    await sleep(200);
    expect(await devin.requests((await idsFor(t.id)).tag)).toHaveLength(0);
  });

  it("401 when the body changed after signing", async () => {
    const t = ticket();
    const signed = JSON.stringify(t);
    const res = await postWebhook(JSON.stringify({ ...t, labels: ["devin-feature"] }), { signOver: signed });
    expect(res.status).toBe(401);
    // Same JSON, different bytes (re-serialised): still not the signed body.
    const reformatted = JSON.stringify(t, null, 2);
    expect((await postWebhook(reformatted, { signOver: signed })).status).toBe(401);
  });

  it("accepts the signature without the sha256= prefix and in upper case", async () => {
    const raw = JSON.stringify(ticket());
    const hex = await hmacHex(SECRET, raw);
    expect((await postWebhook(raw, { headers: { "x-hub-signature-256": hex } })).status).toBe(202);
    const raw2 = JSON.stringify(ticket());
    const hex2 = (await hmacHex(SECRET, raw2)).toUpperCase();
    expect((await postWebhook(raw2, { headers: { "x-hub-signature-256": `sha256=${hex2}` } })).status).toBe(202);
  });

  it("accepts every secret of a comma-separated list (rotation)", async () => {
    const env = { WEBHOOK_SECRET: "old-secret-1234, new-secret-5678" };
    expect((await postWebhook(ticket(), { secret: "old-secret-1234", env })).status).toBe(202);
    expect((await postWebhook(ticket(), { secret: "new-secret-5678", env })).status).toBe(202);
    expect((await postWebhook(ticket(), { secret: "other-secret-9", env })).status).toBe(401);
  });

  it("accepts the source's own URL secret as the last path segment, for senders that cannot sign", async () => {
    expect((await postWebhook(ticket(), { unsigned: true, path: `/webhooks/tickets/${URL_SECRET}` })).status).toBe(202);
    expect((await postWebhook(ticket(), { unsigned: true, path: "/webhooks/tickets/wrong-secret" })).status).toBe(401);
  });

  it("never takes the signing secret in the path, nor one source's URL secret on another's route", async () => {
    // The path form is a plain-text secret in the tracker's settings and in request logs: it must not sign anything else.
    expect((await postWebhook(ticket(), { unsigned: true, path: `/webhooks/tickets/${SECRET}` })).status).toBe(401);
    const env = { TICKETS_URL_SECRET: "", GITHUB_URL_SECRET: "github-only-url-secret" };
    expect((await postWebhook(ticket(), { unsigned: true, path: "/webhooks/tickets/github-only-url-secret", env })).status).toBe(401);
    expect((await postWebhook(ticket(), { unsigned: true, path: `/webhooks/tickets/${URL_SECRET}`, env })).status).toBe(401);
  });
});
