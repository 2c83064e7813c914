import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { TEST_BINDINGS } from "../support/bindings";
import { callWorker, devin, hmacHex, idsFor, postWebhook, SECRET, sleep, ticket } from "./helpers";

async function errorOf(res: Response) {
  expect(res.headers.get("content-type")).toContain("application/json");
  return ((await res.json()) as { error: { code: string; message: string } }).error;
}

describe("POST /webhooks/tickets answers", () => {
  it("202 accepted for a signed, routed ticket", async () => {
    const res = await postWebhook(ticket());
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ status: "accepted", label: "devin-autofix" });
  });

  it("accepts numeric ids, X-Signature-256 and a charset parameter", async () => {
    const raw = JSON.stringify(ticket({ id: 4242 + Math.floor(Math.random() * 1e6) }));
    const res = await postWebhook(raw, {
      headers: {
        "content-type": "application/json; charset=utf-8",
        "x-signature-256": `sha256=${await hmacHex(SECRET, raw)}`,
      },
    });
    expect(res.status).toBe(202);
  });

  it("200 skipped, with the reason, when no label names a playbook; Devin is not called", async () => {
    const t = ticket({ labels: ["bug", "devin"] });
    const res = await postWebhook(t);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; reason: string };
    expect(body.status).toBe("skipped");
    expect(body.reason).toContain("devin-autofix");
    await sleep(1_500);
    const { tag } = await idsFor(t.id);
    expect(await devin.requests(tag)).toHaveLength(0);
  });

  it("400 for malformed JSON", async () => {
    const res = await postWebhook('{"id": 1, "title": ');
    expect(res.status).toBe(400);
    expect((await errorOf(res)).code).toBe("invalid_payload");
  });

  it("400 for invalid UTF-8", async () => {
    const bytes = new Uint8Array([0x7b, 0x22, 0x69, 0x64, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]);
    const sig = await hmacHex(SECRET, bytes);
    const res = await exports.default.fetch(
      new Request("https://bridge.test/webhooks/tickets", {
        method: "POST",
        headers: { "content-type": "application/json", "x-hub-signature-256": `sha256=${sig}` },
        body: bytes,
      }),
    );
    expect(res.status).toBe(400);
  });

  it.each([
    ["labels not an array", { labels: "devin-autofix" }, "labels"],
    ["title missing", { title: undefined }, "title"],
    ["id an object", { id: { x: 1 } }, "id"],
    ["id a fraction", { id: 1.5 }, "id"],
  ])("400 naming the field for wrong types: %s", async (_name, patch, field) => {
    const res = await postWebhook({ ...ticket(), ...patch });
    expect(res.status).toBe(400);
    const error = await errorOf(res);
    expect(error.code).toBe("invalid_payload");
    expect(error.message).toContain(field);
  });

  it("400 for a JSON body that is not an object", async () => {
    for (const raw of ["[]", "null", '"ticket"', "42"]) {
      const res = await postWebhook(raw);
      expect(res.status).toBe(400);
    }
  });

  it("413 for a body over 1 MiB", async () => {
    const res = await postWebhook(ticket({ description: "x".repeat(1024 * 1024) }));
    expect(res.status).toBe(413);
    expect((await errorOf(res)).code).toBe("payload_too_large");
  });

  it("415 for a body that is not JSON", async () => {
    const res = await postWebhook("id=1&title=x", { headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(res.status).toBe(415);
    expect((await errorOf(res)).code).toBe("unsupported_media_type");
    const none = await exports.default.fetch(new Request("https://bridge.test/webhooks/tickets", { method: "POST", body: "{}" }));
    expect(none.status).toBe(415);
  });

  it("404 JSON for an unknown source or route, 405 JSON for a wrong method", async () => {
    const unknown = await postWebhook(ticket(), { path: "/webhooks/nope" });
    expect(unknown.status).toBe(404);
    expect((await errorOf(unknown)).code).toBe("unknown_source");

    const nowhere = await exports.default.fetch("https://bridge.test/elsewhere");
    expect(nowhere.status).toBe(404);
    expect((await errorOf(nowhere)).code).toBe("not_found");

    const get = await exports.default.fetch("https://bridge.test/webhooks/tickets");
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toContain("POST");
    expect((await errorOf(get)).code).toBe("method_not_allowed");
  });

  it("GET /health answers 200 when configured", async () => {
    const res = await exports.default.fetch("https://bridge.test/health");
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "ok", write_back: { tickets: "on", gitlab: "on" } });
  });
});

describe("a misconfigured deployment", () => {
  it.each([
    ["DEVIN_API_KEY", { DEVIN_API_KEY: undefined }],
    ["DEVIN_ORG_ID", { DEVIN_ORG_ID: "" }],
    ["WEBHOOK_SECRET", { WEBHOOK_SECRET: undefined }],
    ["TICKET_API_TOKEN", { TICKET_API_TOKEN: " " }],
    ["PLAYBOOKS", { PLAYBOOKS: "{not json" }],
    ["PLAYBOOKS", { PLAYBOOKS: "[]" }],
    ["PLAYBOOKS", { PLAYBOOKS: undefined }],
    ["DEVIN_API_BASE", { DEVIN_API_BASE: "ftp://devin" }],
  ])("answers 503 naming %s, never a value", async (variable, patch) => {
    const res = await postWebhook(ticket(), { env: patch });
    expect(res.status).toBe(503);
    const text = await res.text();
    const { error } = JSON.parse(text) as { error: { code: string; message: string; variables: string[] } };
    expect(error.code).toBe("misconfigured");
    expect(error.variables).toContain(variable);
    expect(error.message).toContain(variable);
    for (const secret of [TEST_BINDINGS.DEVIN_API_KEY, TEST_BINDINGS.TICKET_API_TOKEN, SECRET, TEST_BINDINGS.DEVIN_ORG_ID]) {
      expect(text).not.toContain(secret);
    }
  });

  it("accepts PLAYBOOKS given as an object (wrangler [vars]) as well as a JSON string", async () => {
    const res = await postWebhook(ticket({ labels: ["Fix-Me"] }), { env: { PLAYBOOKS: { "fix-me": "playbook-x" } } });
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ label: "fix-me", playbook: "playbook-x" });
  });

  it("reports itself on /health with 503 naming the variable", async () => {
    const res = await callWorker(new Request("https://bridge.test/health"), { DEVIN_ORG_ID: undefined });
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ status: "misconfigured", error: { variables: ["DEVIN_ORG_ID"] } });
  });
});
