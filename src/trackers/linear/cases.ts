// Linear data-change webhooks. Shapes: Linear's developer docs, "Webhooks" (linear.app/developers/webhooks: headers
// Linear-Delivery, Linear-Event, Linear-Signature = hex HMAC-SHA256 of the body; the envelope action/type/actor/createdAt/
// data/url/updatedFrom/webhookTimestamp (ms)/webhookId/organizationId; "updatedFrom" holding the previous values of changed
// fields) and the @linear/sdk GraphQL schema (IssueWebhookPayload: identifier, labelIds, labels{id,name,color,parentId},
// state{type}, team{key,name}; CommentWebhookPayload: body, issueId, issue, user). The fixtures are written from those
// references, not captured: the exact child objects (`creator` on an issue; `identifier`/`url` on a comment's `issue`) are
// unconfirmed, so the bridge keys tickets by the issue UUID, which both carry for certain, and treats the rest as optional.
import type { CaseTicket, Delivery, ExtraCase, TrackerCases } from "../case-table";
import { skips, starts } from "../case-table";
import { hexHmac } from "../kit/sign";
import { commentCreated, linearAuthorization } from "./api";
import commentFixture from "./fixtures/linear-comment-create.json" with { type: "json" };
import created from "./fixtures/linear-issue-create.json" with { type: "json" };
import { linear } from "./index";
import { verifyLinear } from "./verify";

const uuid = (n: number) => `9f1c2d3e-4b5a-4c6d-8e7f-${String(n).padStart(12, "0")}`;
const labelId = (name: string) => `label-${name.toLowerCase()}`;
const label = (name: string) => ({ id: labelId(name), color: "#eb5757", name, parentId: null });
const slug = (title: string) => title.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 60);
const issueUrl = (t: CaseTicket) => `https://linear.app/acme/issue/ENG-${t.n}/${slug(t.title)}`;

/** An Issue event for `t`, stamped now (Linear refuses nothing, but the bridge refuses stale stamps). */
function issue(t: CaseTicket, action: string, edit: (p: any) => void = () => {}): any {
  const p = structuredClone(created) as any;
  Object.assign(p, { action, webhookTimestamp: Date.now(), url: issueUrl(t) });
  Object.assign(p.data, {
    id: uuid(t.n), number: t.n, identifier: `ENG-${t.n}`, title: t.title, description: t.description, url: issueUrl(t),
    labelIds: t.labels.map(labelId), labels: t.labels.map(label),
  });
  p.data.creator.name = t.author;
  edit(p);
  return p;
}

/** An update whose `updatedFrom` says what changed. */
const updated = (t: CaseTicket, from: Record<string, unknown>, edit?: (p: any) => void) =>
  issue(t, "update", (p) => {
    p.updatedFrom = { updatedAt: "2026-03-10T14:02:11.412Z", ...from };
    p.actor.name = "erin";
    edit?.(p);
  });

function commented(t: CaseTicket, body: string, action = "create"): any {
  const p = structuredClone(commentFixture) as any;
  Object.assign(p, { action, webhookTimestamp: Date.now() });
  Object.assign(p.data, { id: `e1d2c3b4-a5f6-4e7d-8c9b-${String(t.n).padStart(12, "0")}`, body, issueId: uuid(t.n) });
  Object.assign(p.data.issue, { id: uuid(t.n), identifier: `ENG-${t.n}`, title: t.title, url: issueUrl(t) });
  return p;
}

const deliver = (payload: any): Delivery => ({
  body: JSON.stringify(payload),
  headers: { "user-agent": "Linear-Webhook", "linear-delivery": crypto.randomUUID(), "linear-event": String(payload.type) },
});

const done = { id: "d0d0d0d0-0000-4000-8000-000000000001", color: "#5e6ad2", name: "Done", type: "completed" };
const stale = (ms: number) => (t: CaseTicket) => deliver(issue(t, "create", (p) => (p.webhookTimestamp = Date.now() - ms)));

const extra: ExtraCase[] = [
  {
    name: "refuses a webhookTimestamp more than a minute old or ahead, or none; accepts one 30 s old",
    steps: [
      { deliver: stale(61_000), expect: { status: 401 } },
      { deliver: stale(-61_000), expect: { status: 401 } },
      { deliver: (t) => deliver(issue(t, "create", (p) => delete p.webhookTimestamp)), expect: { status: 401 } },
      { deliver: (t) => deliver(issue(t, "create", (p) => (p.webhookTimestamp = String(Date.now())))), expect: { status: 401 } },
      { deliver: (t) => deliver(issue(t, "create")), override: { "linear-signature": "sha256=00" }, expect: { status: 401 } },
      starts(stale(30_000)),
    ],
  },
  {
    name: "skips updates that add no trigger label (another label, a title edit), done and trashed issues, other entities, comment edits and shapes",
    steps: [
      skips((t) => deliver(updated({ ...t, labels: ["bug", "devin-autofix", "urgent"] }, { labelIds: [labelId("bug"), labelId("devin-autofix")] })), /no trigger label/),
      skips((t) => deliver(updated(t, { title: "old title" })), /no trigger label/),
      skips((t) => deliver(issue(t, "create", (p) => (p.data.state = done))), /completed/),
      skips((t) => deliver(issue(t, "create", (p) => (p.data.trashed = true))), /trashed/),
      skips((t) => deliver({ ...issue(t, "create"), type: "Project" }), /Project events are not issues/),
      skips(() => deliver({ action: "create", type: "Issue", data: { id: 7 }, webhookTimestamp: Date.now() }), /not a Linear issue/),
      skips((t) => deliver(commented(t, "@devin hi", "update")), /comment update/),
      skips(() => deliver({ action: "create", type: "Comment", data: { id: "c", body: "@devin hi", projectUpdateId: "p" }, webhookTimestamp: Date.now() }), /not a comment on a Linear issue/),
    ],
  },
];

const t9: CaseTicket = { n: 9, title: "t", description: "", labels: ["bug"], author: "dana" };
const signedAt = async (payload: unknown, now: number) => {
  const raw = JSON.stringify(payload);
  const req = { raw: new TextEncoder().encode(raw), headers: new Headers({ "linear-signature": await hexHmac("SHA-256", "s", raw) }), url: new URL("https://bridge.test/webhooks/linear") };
  return verifyLinear(req, ["other", "s"], now);
};

export const cases: TrackerCases = {
  tracker: "linear",
  signsBody: true,
  env: { LINEAR_BASE_URL: "http://tracker.mock" },
  async sign(raw, secret) {
    return { headers: { "linear-signature": await hexHmac("SHA-256", secret, raw) } };
  },
  key: (t) => uuid(t.n),
  created: (t) => deliver(issue(t, "create")),
  labelAdded: (t, name) => deliver(updated({ ...t, labels: [...t.labels, name] }, { labelIds: t.labels.map(labelId) })),
  // Linear names removed labels by id only, and they are gone from `labels`: the bridge cannot tell which label went.
  labelRemoved: (t, name) => deliver(updated({ ...t, labels: t.labels.filter((l) => l !== name) }, { labelIds: t.labels.map(labelId) })),
  closed: (t) => deliver(updated(t, { stateId: "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d" }, (p) => (p.data.state = done))),
  comment: (t, text) => deliver(commented(t, text)),
  prompt: (t) => [
    ...[`Ticket ENG-${t.n}: `, "Tracker: Linear", "Project: Engineering", `Ticket URL: ${issueUrl(t)}`, `Reported by: ${t.author}`],
    `To comment, send POST http://tracker.mock/graphql with the header "authorization: Bearer $TICKET_API_TOKEN" and the JSON body {"query":"mutation CommentCreate($input: CommentCreateInput!) { commentCreate(input: $input) { success } }","variables":{"input":{"issueId":"${uuid(t.n)}","body":"<your comment>"}}}; a personal API key (lin_api_…) goes without "Bearer "; an answer with "errors" or "success": false did not comment.`,
  ],
  routes: () => [{ method: "POST", path: "/graphql", body: { data: { commentCreate: { success: true } } } }],
  writeBack: (t) => ({
    method: "POST",
    path: "/graphql",
    headers: { authorization: /^Bearer \S+$/, "content-type": "application/json" },
    text: (body) => (body.variables?.input?.issueId === uuid(t.n) && /commentCreate/.test(body.query) ? body.variables.input.body : undefined),
  }),
  extra,
  checks: [
    { name: "a label just added triggers by its name, looked up from its id", actual: () => linear.parse(updated({ ...t9, labels: ["bug", "Devin-Autofix"] }, { labelIds: [labelId("bug")] }), null as never, { settings: {} }),
      expected: { kind: "ticket", ticket: expectTicket(["bug", "Devin-Autofix"], ["Devin-Autofix"]) } },
    { name: "a new comment on an issue is a follow-up keyed by the issue's UUID, with its author and id", actual: () => linear.parse(commented(t9, "@devin hi"), null as never, { settings: {} }),
      expected: { kind: "comment", comment: { key: uuid(9), id: "ENG-9", text: "@devin hi", author: "Erin Dev", commentId: "e1d2c3b4-a5f6-4e7d-8c9b-000000000009" } } },
    { name: "moving the issue into a done state ends its run; editing an issue already done is skipped",
      actual: () => [updated(t9, { stateId: "s" }, (p) => (p.data.state = done)), updated(t9, { title: "old" }, (p) => (p.data.state = done))].map((p) => linear.parse(p, null as never, { settings: {} })),
      expected: [{ kind: "ended", ended: { key: uuid(9), id: "ENG-9", reason: "closed", author: "erin" } }, { kind: "skip", reason: "issue is completed" }] },
    { name: "deleting the issue ends its run", actual: () => linear.parse(issue(t9, "remove"), null as never, { settings: {} }),
      expected: { kind: "ended", ended: { key: uuid(9), id: "ENG-9", reason: "closed", author: "Dana Ops" } } },
    { name: "the signature is checked against every secret, the timestamp against a minute either way",
      actual: async () => [await signedAt({ webhookTimestamp: 1_000_000 }, 1_060_000), await signedAt({ webhookTimestamp: 1_000_000 }, 1_060_001), await signedAt({ webhookTimestamp: 1_000_000 }, 940_000)],
      expected: [true, false, true] },
    { name: "write-back fails on GraphQL errors or success: false, succeeds on success: true",
      actual: () => [{ data: { commentCreate: { success: true } } }, { errors: [{ message: "Entity not found" }], data: null }, { data: { commentCreate: { success: false } } }, { data: { commentCreate: null } }].map(commentCreated),
      expected: [true, false, false, false] },
    { name: "personal API keys go bare, OAuth tokens as Bearer", actual: () => [linearAuthorization("lin_api_abc"), linearAuthorization("lin_oauth_abc")], expected: ["lin_api_abc", "Bearer lin_oauth_abc"] },
  ],
  sample: () => deliver(issue({ n: 128, title: created.data.title, description: created.data.description, labels: ["Bug", "devin-autofix"], author: "Dana Ops" }, "create")),
};

function expectTicket(labels: string[], triggerLabels: string[]) {
  return {
    key: uuid(9), id: "ENG-9", title: "t", description: "", labels, triggerLabels, url: `https://linear.app/acme/issue/ENG-9/t`,
    project: "Engineering", author: "dana",
  };
}
