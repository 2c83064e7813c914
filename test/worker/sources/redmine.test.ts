import createdFixture from "@fixtures/redmine-issue-created.json?raw";
import { describe, expect, it } from "vitest";
import { redmine } from "../../../src/sources/redmine";
import type { SourceSettings, WebhookRequest } from "../../../src/sources/types";
import { SECRET, devin, hmacHex, postWebhook, sleep, expectSkipped, expectOneSession as oneSession } from "../helpers";

const TITLE = "Checkout returns 500 when cart is empty";
const FIXTURE_SIGNATURE = "sha256=184bc34dd90dbbee4ee5669bf3150787c401f7c6b760086c823faadfe2edc79f";
const BASE = "https://redmine.acme.test";
const TAGS_CF = 5;

/** The fixture's issue under another id (KV persists across the tests of this file). */
function issue(id: number, edit: (issue: Record<string, any>) => void = () => {}) {
  const p = JSON.parse(createdFixture);
  p.data.issue.id = id;
  edit(p.data.issue);
  return p.data.issue as Record<string, any>;
}

function setTags(tags: string[]) {
  return (i: Record<string, any>) => {
    i.custom_fields[0].value = tags;
  };
}

function nativeEvent(type: string, issueBody: Record<string, any>, details?: object[]) {
  const data: Record<string, unknown> = { issue: issueBody };
  if (details) data.journal = { id: 901, notes: "", user: { id: 7, name: "Dana Ops" }, details };
  return JSON.stringify({ type, timestamp: "2026-03-10T15:00:00Z", data });
}

async function send(raw: string, o: { secret?: string; signature?: string | null; path?: string; env?: Record<string, unknown> } = {}) {
  const headers: Record<string, string> = { "user-agent": "Redmine", accept: "*/*" };
  const signature = o.signature === undefined ? `sha256=${await hmacHex(o.secret ?? SECRET, raw)}` : o.signature;
  if (signature !== null) headers["x-redmine-signature-256"] = signature;
  return postWebhook(raw, { path: o.path ?? "/webhooks/redmine", unsigned: true, headers, env: o.env });
}


const expectOneSession = (id: number, post: () => Promise<Response>) =>
  oneSession("redmine", String(id), post);

describe("Redmine 7 native webhooks", () => {
  it("starts one session from the real issue.created delivery, naming Redmine and the issue URL", async () => {
    const { create } = await expectOneSession(128, () =>
      send(createdFixture, { signature: FIXTURE_SIGNATURE, path: "/webhooks/redmine?label=devin-autofix", env: { REDMINE_BASE_URL: `${BASE}/` } }),
    );
    expect(create.body.playbook_id).toBe("playbook-autofix-0001");
    expect(create.body.title).toContain(TITLE);
    expect(create.body.title).toMatch(/^#128: .* \(Redmine\)$/);
    const prompt: string = create.body.prompt;
    expect(prompt.startsWith(`Ticket #128: ${TITLE}`)).toBe(true);
    expect(prompt).toContain("Tracker: Redmine");
    expect(prompt).toContain(`Ticket URL: ${BASE}/issues/128`);
    expect(prompt).toContain("Project: Web App");
    expect(prompt).toContain("Reported by: Dana Ops");
    expect(prompt).toContain("Expected: validation error. Actual: HTTP 500");
  });

  it("skips the fixture without an override: its Tags and category name no playbook", async () => {
    await expectSkipped(await send(createdFixture, { signature: FIXTURE_SIGNATURE }), /no trigger label/);
  });

  it("triggers on a created issue whose Tags field holds the trigger label", async () => {
    const { create } = await expectOneSession(129, () => send(nativeEvent("issue.created", issue(129, setTags(["backend", "devin-autofix"])))));
    expect(create.body.prompt.startsWith(`Ticket #129: ${TITLE}`)).toBe(true);
  });

  it("401 for a wrong secret, a tampered body, a malformed or a missing signature", async () => {
    const raw = nativeEvent("issue.created", issue(130, setTags(["devin-autofix"])));
    expect((await send(raw, { secret: "not-the-secret" })).status).toBe(401);
    expect((await send(raw.replace("Checkout", "Checkin"), { signature: `sha256=${await hmacHex(SECRET, raw)}` })).status).toBe(401);
    expect((await send(raw, { signature: "sha256=zz" })).status).toBe(401);
    expect((await send(raw, { signature: null })).status).toBe(401);
    // Another tracker's header is not Redmine's.
    const res = await postWebhook(raw, { path: "/webhooks/redmine" });
    expect(res.status).toBe(401);
  });

  it("triggers when an update adds the label to the Tags list, and answers a redelivery as a duplicate", async () => {
    const raw = nativeEvent("issue.updated", issue(131, setTags(["backend", "devin-autofix"])), [
      { property: "cf", prop_key: String(TAGS_CF), old_value: null, value: "devin-autofix" },
    ]);
    const { create, tag } = await expectOneSession(131, () => send(raw));
    expect(create.body.prompt.startsWith(`Ticket #131: ${TITLE}`)).toBe(true);

    const again = await send(raw);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ status: "duplicate", ticket_key: "redmine:131:devin-autofix" });
    await sleep(1_500);
    expect(await devin.creates(tag)).toHaveLength(1);
  });

  it("skips an update that adds no label, even on an issue that already carries one", async () => {
    const raw = nativeEvent("issue.updated", issue(132, setTags(["devin-autofix"])), [
      { property: "attr", prop_key: "status_id", old_value: "1", value: "2" },
      { property: "cf", prop_key: String(TAGS_CF), old_value: "backend", value: null },
    ]);
    await expectSkipped(await send(raw), /no trigger label/);
  });

  it("skips other events and closed issues", async () => {
    await expectSkipped(await send(nativeEvent("issue.deleted", issue(133, setTags(["devin-autofix"])))), /event issue\.deleted/);
    await expectSkipped(await send(JSON.stringify({ type: "wiki_page.created", data: { wiki_page: { title: "x" } } })), /wiki_page/);
    const closed = issue(134, (i) => {
      setTags(["devin-autofix"])(i);
      i.status = { id: 5, name: "Closed", is_closed: true };
    });
    await expectSkipped(await send(nativeEvent("issue.created", closed)), /closed/);
    await expectSkipped(await send(JSON.stringify({ hello: "world" })), /not a Redmine/);
  });
});

describe("suer/redmine_webhook plugin (Redmine ≤ 6, unsigned)", () => {
  function plugin(action: string, id: number, extra: Record<string, unknown> = {}) {
    return JSON.stringify({
      payload: {
        action,
        issue: {
          id,
          subject: TITLE,
          description: "Empty cart, press Pay: HTTP 500.",
          project: { id: 4, identifier: "web-app", name: "Web App" },
          status: { id: 1, name: "New" },
          author: { id: 7, login: "dana", firstname: "Dana", lastname: "Ops" },
          custom_field_values: [{ custom_field_id: TAGS_CF, custom_field_name: "Tags", value: ["devin-autofix"] }],
        },
        url: `https://old-redmine.acme.test/issues/${id}`,
        ...extra,
      },
    });
  }

  it("works through the path-secret form and links the URL the plugin sent", async () => {
    const { create } = await expectOneSession(140, () =>
      send(plugin("opened", 140), { path: `/webhooks/redmine/${SECRET}`, signature: null }),
    );
    const prompt: string = create.body.prompt;
    expect(prompt.startsWith(`Ticket #140: ${TITLE}`)).toBe(true);
    expect(prompt).toContain("Ticket URL: https://old-redmine.acme.test/issues/140");
    expect(prompt).toContain("Project: web-app");
    expect(prompt).toContain("Reported by: dana");
  });

  it("401 for a wrong path secret or an unsigned post without one", async () => {
    expect((await send(plugin("opened", 141), { path: "/webhooks/redmine/not-the-secret", signature: null })).status).toBe(401);
    expect((await send(plugin("opened", 141), { signature: null })).status).toBe(401);
  });

  it("triggers on an update whose journal adds the label, and skips one that does not", async () => {
    const added = plugin("updated", 142, {
      journal: { id: 9, notes: "", details: [{ id: 1, property: "cf", prop_key: String(TAGS_CF), old_value: null, value: "devin-autofix" }] },
    });
    await expectOneSession(142, () => send(added, { path: `/webhooks/redmine/${SECRET}`, signature: null }));
    const unrelated = plugin("updated", 143, { journal: { id: 10, notes: "", details: [{ property: "attr", prop_key: "status_id", value: "2" }] } });
    await expectSkipped(await send(unrelated, { path: `/webhooks/redmine/${SECRET}`, signature: null }), /no trigger label/);
  });
});

describe("redmine.parse label mapping", () => {
  const req: WebhookRequest = { raw: new Uint8Array(), headers: new Headers(), url: new URL("https://bridge.test/webhooks/redmine") };
  const settings = (values: Record<string, string> = {}): SourceSettings => ({ get: (name) => values[name] });
  const parse = (body: string, s = settings()) => {
    const result = redmine.parse(JSON.parse(body), req, s);
    if (result.kind !== "ticket") throw new Error(`expected a ticket, got ${JSON.stringify(result)}`);
    return result.ticket;
  };

  it("counts Tags values and the category as labels, keyed by the global issue id", () => {
    const t = parse(createdFixture);
    expect(t).toMatchObject({ source: "redmine", tracker: "Redmine", key: "128", id: "#128", project: "Web App", author: "Dana Ops" });
    expect(t.labels).toEqual(["backend", "checkout"]);
    expect(t.triggerLabels).toEqual(["backend", "checkout"]);
    expect(t.url).toBeUndefined();
  });

  it("names the category an update just set", () => {
    const i = issue(200, (x) => (x.category = { id: 9, name: "devin-autofix" }));
    const t = parse(nativeEvent("issue.updated", i, [{ property: "attr", prop_key: "category_id", old_value: "2", value: "9" }]));
    expect(t.triggerLabels).toEqual(["devin-autofix"]);
    expect(t.labels).toEqual(["backend", "devin-autofix"]);
  });

  it("diffs a comma-separated text field and honours REDMINE_LABEL_FIELD", () => {
    const i = issue(201, (x) => {
      x.custom_fields = [{ id: 11, name: "Labels", value: "backend, devin-autofix , ui" }];
    });
    const raw = nativeEvent("issue.updated", i, [{ property: "cf", prop_key: "11", old_value: "backend", value: "backend, devin-autofix , ui" }]);
    const t = parse(raw, settings({ LABEL_FIELD: "labels" }));
    expect(t.labels).toEqual(["backend", "devin-autofix", "ui", "checkout"]);
    expect(t.triggerLabels).toEqual(["devin-autofix", "ui"]);
    // With the default field name the text field is not a label source.
    expect(parse(raw).labels).toEqual(["checkout"]);
  });

  it("finds plugin values by field id when names come only with the definitions", () => {
    const raw = JSON.stringify({
      payload: {
        action: "opened",
        issue: {
          id: 202,
          subject: TITLE,
          custom_fields: [{ id: 5, name: "Tags", possible_values: ["devin-autofix", "backend"] }],
          custom_field_values: [{ custom_field_id: 5, value: ["devin-autofix"] }],
        },
      },
    });
    const t = parse(raw, settings({ BASE_URL: BASE }));
    expect(t.labels).toEqual(["devin-autofix"]);
    expect(t.url).toBe(`${BASE}/issues/202`);
    expect(t.description).toBe("");
  });
});
