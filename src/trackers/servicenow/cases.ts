// ServiceNow has no signed webhooks: the Business Rule in README.md ("ServiceNow") posts this
// bridge-defined shape with RESTMessageV2 and the secret in a header. The fields are the
// task/incident columns as GlideRecord gives them (ServiceNow docs: GlideRecord, incident table,
// Business Rules' `current`/`previous`, Journal fields' getJournalEntry); the fixtures are what
// that script produces for the demo instance's INC0010023-style records. The script itself could
// not be run against an instance here: its output shape is confirmed only by these fixtures.
// Write-back: Table API `PATCH /api/now/table/{table}/{sys_id}` with `work_notes` (ServiceNow REST API docs).
import type { CaseTicket, Delivery, Step, TrackerCases } from "../case-table";
import { forwards, skips, starts } from "../case-table";
import { PROMPT_TOKEN } from "../kit/comment-call";
import { authHeaders, commentCall, noteCall } from "./api";
import { servicenow } from "./index";
import inserted from "./fixtures/servicenow-incident-insert.json" with { type: "json" };
import commented from "./fixtures/servicenow-incident-comment.json" with { type: "json" };

const SECRET = "devin-bridge-test-secret";
const TOKEN = "devin.bridge:s3cret-pässword";
let modCount = 3;

const deliver = (payload: unknown, suffix?: string): Delivery => ({ body: JSON.stringify(payload), headers: { "user-agent": "ServiceNow/1.0" }, suffix });
const sysId = (t: CaseTicket) => t.n.toString(16).padStart(32, "0");
const number = (t: CaseTicket) => `INC${t.n}`;

/** The insert fixture as record `t.n`; `over` replaces fields (undefined drops one). */
function record(t: CaseTicket, over: Record<string, unknown> = {}): any {
  const p: any = { ...structuredClone(inserted), sys_id: sysId(t), number: number(t), short_description: t.title, description: t.description, caller: t.author, labels: t.labels, ...over };
  for (const [name, value] of Object.entries(p)) if (value === undefined) delete p[name];
  return p;
}

const update = (t: CaseTicket, before: Record<string, unknown>, over: Record<string, unknown> = {}) =>
  record(t, { event: "update", state: "In Progress", previous: { active: true, labels: t.labels, ...before }, ...over });

function comment(t: CaseTicket, text: string, over: Record<string, unknown> = {}): any {
  return { ...structuredClone(commented), sys_id: sysId(t), number: number(t), short_description: t.title, comment: { ...commented.comment, id: `${sysId(t)}-${++modCount}`, text, ...over } };
}

const skip = (payload: (t: CaseTicket) => unknown, reason: RegExp, suffix?: string): Step => skips((t) => deliver(payload(t), suffix), reason);
const SELECTED = "?label=devin-autofix";

export const cases: TrackerCases = {
  tracker: "servicenow",
  signsBody: false,
  env: { SERVICENOW_BASE_URL: "http://tracker.mock", SERVICENOW_URL_LABELS: "devin-autofix", SERVICENOW_API_TOKEN: TOKEN },
  sign: async (_raw, secret) => ({ headers: { "x-devin-bridge-key": secret } }),
  key: number,
  created: (t) => deliver(record(t)),
  labelAdded: (t, name) => deliver(update({ ...t, labels: [...t.labels, name] }, { labels: t.labels })),
  labelRemoved: (t, name) => deliver(update(t, { labels: [...t.labels, name] })),
  closed: (t) => deliver(update(t, {}, { state: "Closed", active: false })),
  comment: (t, text) => deliver(comment(t, text)),
  prompt: (t) => [
    ...[new RegExp(`^Ticket ${number(t)}: `, "m"), "Tracker: ServiceNow", `Ticket URL: http://tracker.mock/incident.do?sys_id=${sysId(t)}`, "Project: Web Shop", `Reported by: ${t.author}`, t.description],
    `To comment, send PATCH http://tracker.mock/api/now/table/incident/${sysId(t)}?sysparm_fields=sys_id with the header "authorization: Basic $(printf '%s' "$TICKET_API_TOKEN" | base64 -w0)" and the JSON body {"work_notes":"<your comment>"}; work_notes is a journal field: each update adds one entry; a $TICKET_API_TOKEN without a colon is an OAuth token, sent as "authorization: Bearer $TICKET_API_TOKEN".`,
  ],
  writeBack: (t) => ({
    method: "PATCH",
    path: `/api/now/table/incident/${sysId(t)}`,
    // `user:password` in SERVICENOW_API_TOKEN: Basic auth over its UTF-8 bytes.
    headers: { authorization: "Basic ZGV2aW4uYnJpZGdlOnMzY3JldC1ww6Rzc3dvcmQ=", "content-type": "application/json" },
    text: (body) => body.work_notes,
  }),
  extra: [
    {
      name: "the rule's real payloads: a record its condition selected (?label=) starts, a work note is a follow-up by its author",
      steps: [
        starts((t) => deliver({ ...inserted, number: number(t), sys_id: sysId(t), short_description: t.title }, SELECTED), [
          "Reported by: Abel Tuter\n",
          "Project: Web Shop\n",
          "Steps:\n1. Empty the cart\n2. Press Checkout\n\nExpected: a message. Actual: HTTP 500.",
        ]),
        forwards((t) => deliver({ ...commented, number: number(t), sys_id: sysId(t) }), /^Comment on ticket INC\d+ by Erin Dev:/m, "the guest checkout fails too"),
        // The rule fires on the bridge's own work note too: the footer tells it apart.
        skip((t) => comment(t, "Devin is working on this ticket: https://app.devin.ai/sessions/x\n\n— posted by devin-ticket-bridge"), /posted by the bridge/),
      ],
    },
    {
      name: "without a labels list, category and assignment group are the labels",
      steps: [starts((t) => deliver(record(t, { labels: undefined, category: "devin-autofix" })))],
    },
    {
      // One ticket has one run at a time whatever its labels: another ticket for the other label.
      name: "a comma-separated labels list works too",
      steps: [
        {
          deliver: (t) => deliver(record(t, { labels: "bug, devin-feature" })),
          expect: { status: 202, label: "devin-feature", answer: { playbook: "playbook-feature-0002" } },
        },
      ],
    },
    {
      name: "an update without previous labels starts only on a ?label= URL (the rule's condition chose it)",
      steps: [
        skip((t) => update(t, { labels: undefined }), /no trigger label/),
        starts((t) => deliver(update(t, { labels: undefined }), SELECTED)),
      ],
    },
    {
      name: "reads the header SERVICENOW_AUTH_HEADER names (not the default one), with any of the rotated secrets",
      env: { SERVICENOW_AUTH_HEADER: "X-SN-Bridge-Token", SERVICENOW_WEBHOOK_SECRET: `old,${SECRET}` },
      steps: [
        { ...skip((t) => record({ ...t, labels: ["bug"] }), /no trigger label/), override: { "x-devin-bridge-key": null, "x-sn-bridge-token": "old" } },
        { deliver: (t) => deliver(record(t)), expect: { status: 401 } },
      ],
    },
    {
      name: "refuses to start with a SERVICENOW_NOTE_FIELD that is no journal field",
      env: { SERVICENOW_NOTE_FIELD: "description" },
      steps: [{ deliver: (t) => deliver(record(t)), expect: { status: 503, reason: /SERVICENOW_NOTE_FIELD must be one of work_notes, comments/ } }],
    },
    {
      name: "skips inactive records, empty comments, other events and payloads the rule does not send",
      steps: [
        skip((t) => record(t, { active: false, state: "Closed" }), /^record is not active$/),
        skip((t) => update(t, { active: "false" }, { active: "false" }), /^record is not active$/),
        skip((t) => record(t, { short_description: " " }), /without a short description/),
        skip((t) => comment(t, "  "), /without a comment/),
        skip((t) => record(t, { event: "delete" }), /^event delete$/),
        skip((t) => record(t, { sys_id: "../../sys_user/1" }), /not the ServiceNow Business Rule's payload/),
        skip((t) => record(t, { table: "incident/../sys_user" }), /not the ServiceNow Business Rule's payload/),
        skip((t) => ({ number: number(t) }), /not the ServiceNow Business Rule's payload/),
      ],
    },
  ],
  checks: [
    {
      name: "SERVICENOW_API_TOKEN: user:password is Basic, a bare token Bearer, SERVICENOW_AUTH_SCHEME=apikey sends x-sn-apikey",
      actual: () => [authHeaders("admin:pw"), authHeaders("oauth-token"), authHeaders("now_key", servicenow.settings.AUTH_SCHEME!.schema.parse("APIKEY"))],
      expected: [{ authorization: "Basic YWRtaW46cHc=" }, { authorization: "Bearer oauth-token" }, { "x-sn-apikey": "now_key" }],
    },
    {
      name: "the prompt's comment call follows SERVICENOW_AUTH_SCHEME and SERVICENOW_NOTE_FIELD",
      actual: () => {
        const ticket = { key: "INC0010001", reply: { table: "incident", sys_id: "0123456789abcdef0123456789abcdef" } } as any;
        const call = (settings: Record<string, string>) => commentCall(ticket, "hi", { baseUrl: "b", token: PROMPT_TOKEN, settings });
        return [call({ AUTH_SCHEME: "bearer" }), call({ AUTH_SCHEME: "apikey", NOTE_FIELD: "comments" }), call({ AUTH_SCHEME: "basic" })].map((c) => [c.headers, c.body]);
      },
      expected: [
        [{ authorization: "Bearer $TICKET_API_TOKEN" }, { work_notes: "hi" }],
        [{ "x-sn-apikey": "$TICKET_API_TOKEN" }, { comments: "hi" }],
        [{ authorization: `Basic $(printf '%s' "$TICKET_API_TOKEN" | base64 -w0)` }, { work_notes: "hi" }],
      ],
    },
    {
      name: "notes go to work_notes, or to comments with SERVICENOW_NOTE_FIELD=comments; no table and sys_id, no call",
      actual: () => {
        const reply = { table: "sc_task", sys_id: "0123456789abcdef0123456789abcdef" };
        let refused = "";
        try {
          noteCall({ table: "incident", sys_id: "x/../y" }, "hi", { baseUrl: "https://acme.service-now.com", settings: {} });
        } catch (e) {
          refused = (e as Error).message;
        }
        return [noteCall(reply, "hi", { baseUrl: "https://acme.service-now.com", settings: {} }), noteCall(reply, "hi", { baseUrl: "b", settings: { NOTE_FIELD: "comments" } })[1], refused];
      },
      expected: [
        ["https://acme.service-now.com/api/now/table/sc_task/0123456789abcdef0123456789abcdef?sysparm_fields=sys_id", { work_notes: "hi" }],
        { comments: "hi" },
        "record without a table and sys_id",
      ],
    },
  ],
  sample: () => deliver(inserted, SELECTED),
};
