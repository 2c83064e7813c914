import { describe, expect, it } from "vitest";
import open from "../../src/trackers/gitlab/fixtures/gitlab-issue-open.json" with { type: "json" };
import { addedLabels, removedLabels, splitList } from "../../src/trackers/kit/labels";
import { standardWebhookHeaders } from "../../src/trackers/kit/sign";
import { verifyStandardWebhook } from "../../src/trackers/kit/standard-webhooks";
import { trackerRequest, TrackerApiError } from "../../src/trackers/kit/http";
import { verifyHexHmacHeader } from "../../src/trackers/kit/verify";
import { basicAuth, PROMPT_TOKEN } from "../../src/trackers/kit/comment-call";

// The kit's known answers, with a fixed clock where the scheme signs one: what no HTTP case can choose.
const SECRET = "devin-bridge-test-secret";
const SIGNING = "whsec_z2lzZvc6J91W3+dHJ9/yic+GDA3+65sR8WhOtpQAS8c=";
const README = { "webhook-id": "0d6b1e9a-7c1f-4a4e-9a3b-5f1e2d3c4b5a", "webhook-timestamp": "1773151331", "webhook-signature": "v1,pXLUB7QufW8AyzTbrUfqUKhhHDSEH2bm7u8d1I2zygs=" };
const TS = Number(README["webhook-timestamp"]);
// The fixture file's exact bytes: the README signed the file as it is.
const RAW = `${JSON.stringify(open, null, 2)}\n`;
const req = (headers: Record<string, string>, raw = RAW) => ({ raw: new TextEncoder().encode(raw), headers: new Headers(headers), url: new URL("https://bridge.test/webhooks/gitlab") });

describe("Standard Webhooks (GitLab signing tokens)", () => {
  it("matches the README's signature within five minutes of its timestamp, not a second more", async () => {
    for (const [now, ok] of [[TS, true], [TS + 300, true], [TS - 300, true], [TS + 301, false], [TS - 301, false]] as const) {
      expect(await verifyStandardWebhook(req(README), [SIGNING], now), String(now - TS)).toBe(ok);
    }
  });

  it("keys with the decoded base64, not the whsec_ text; refuses a tampered body", async () => {
    expect(await verifyStandardWebhook(req(README), [SECRET], TS)).toBe(false);
    expect(await verifyStandardWebhook(req(README, RAW.replace("500", "501")), [SIGNING], TS)).toBe(false);
  });

  it("signs as the README says (kit/sign.ts)", async () => {
    expect(await standardWebhookHeaders(SIGNING, RAW, TS, README["webhook-id"])).toEqual(README);
  });

  it("refuses odd timestamps and versions other than v1, and takes any matching v1 of several", async () => {
    for (const timestamp of [`${TS}.0`, ` ${TS}e0`, "soon"]) expect(await verifyStandardWebhook(req({ ...README, "webhook-timestamp": timestamp }), [SIGNING], TS)).toBe(false);
    expect(await verifyStandardWebhook(req({ ...README, "webhook-signature": README["webhook-signature"].replace("v1,", "v2,") }), [SIGNING], TS)).toBe(false);
    const other = await standardWebhookHeaders(`whsec_${btoa("another key of thirty-two bytes!")}`, RAW, TS, README["webhook-id"]);
    expect(await verifyStandardWebhook(req({ ...README, "webhook-signature": `${other["webhook-signature"]} ${README["webhook-signature"]}` }), [SECRET, SIGNING], TS)).toBe(true);
  });
});

describe("hex HMAC headers", () => {
  it("match GitHub's documented vector (also Redmine 7's test vector)", async () => {
    const req = {
      raw: new TextEncoder().encode("Hello, World!"),
      headers: new Headers({ "x-hub-signature-256": "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17" }),
      url: new URL("https://bridge.test/webhooks/github"),
    };
    expect(await verifyHexHmacHeader(req, ["It's a Secret to Everybody"], "SHA-256", ["x-hub-signature-256"], "sha256=")).toBe(true);
    expect(await verifyHexHmacHeader(req, ["another secret"], "SHA-256", ["x-hub-signature-256"], "sha256=")).toBe(false);
  });
});

describe("label arithmetic", () => {
  it("compares case-insensitively and keeps the new spelling", () => {
    expect(addedLabels(["Bug", "devin-autofix"], ["bug", "Devin-Autofix", "frontend"])).toEqual(["frontend"]);
    expect(removedLabels(["bug", "devin-autofix"], ["BUG"])).toEqual(["devin-autofix"]);
    expect(splitList(" a, b;a ,, c ")).toEqual(["a", "b", "c"]);
  });
});

describe("tracker API calls", () => {
  it("throw on a non-2xx answer with the status and path, never the credentials", async () => {
    await fetch("http://tracker.mock/__mock/routes", { method: "POST", body: JSON.stringify({ method: "POST", path: "/kit/denied", status: 403, body: { message: "no" } }) });
    const error = await trackerRequest("POST", "http://tracker.mock/kit/denied", { authorization: "Bearer tok-kit-123" }, { body: "x" }).then(
      () => null,
      (e: Error) => e,
    );
    expect(error).toBeInstanceOf(TrackerApiError);
    expect(error!.message).toBe("POST /kit/denied answered 403");
    expect(error!.message).not.toContain("tok-kit-123");
  });
});

describe("Basic auth (kit/comment-call.ts), one form for every tracker that takes it", () => {
  it("encodes user:password as UTF-8; in a prompt, tells Devin how, unwrapped however long the key", () => {
    expect(basicAuth("ops@acme.test:tök")).toBe("Basic b3BzQGFjbWUudGVzdDp0w7Zr");
    expect(basicAuth(`apikey:${PROMPT_TOKEN}`)).toBe(`Basic $(printf '%s' "apikey:${PROMPT_TOKEN}" | base64 -w0)`);
  });
});
