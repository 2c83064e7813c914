// Redmine 7's native webhooks (`{type, timestamp, data}`, `X-Redmine-Signature-256: sha256=<hex>`, app/models/webhook.rb)
// and the unsigned suer/redmine_webhook plugin of Redmine ≤ 6 (`{payload:{action, issue, journal, url}}`), which can
// only use the secret-in-path form.
import { type CaseTicket, type Delivery, type Step, type TrackerCases, TRIGGER, URL_SECRET } from "../case-table";
import { hexHmac } from "../kit/sign";
import { apiHeaders } from "./api";
import { parseRedmine } from "./events";
import created from "./fixtures/redmine-issue-created.json" with { type: "json" };

const TAGS = 5;
const bare = (t: CaseTicket) => ({ ...t, labels: ["bug"] });
const closed = { id: 5, name: "Closed", is_closed: true };
const duplicate = { status: "duplicate" };

/** The fixture's issue as ticket `t`; with `real`, its own description, Tags and author stay. */
function issue(t: CaseTicket, edit: (i: any) => void = () => {}, real = false): any {
  const i = structuredClone(created.data.issue) as any;
  Object.assign(i, { id: t.n, subject: t.title }, !real && { description: t.description, author: { id: 7, name: t.author } });
  if (!real) i.custom_fields[0].value = t.labels;
  edit(i);
  return i;
}
let journals = 900;
const native = (type: string, issue: object, journal?: object) =>
  ({ type, timestamp: "2026-03-11T09:00:00Z", data: { issue, ...(journal && { journal: { id: journals++, user: { id: 9, name: "Erin Dev" }, ...journal } }) } });
const opened = (t: CaseTicket, edit?: (i: any) => void, journal?: object) => native("issue.created", issue(t, edit), journal);
const updated = (issue: object, journal: object = {}) => native("issue.updated", issue, journal);
const cf = (old: string | null, value: string | null, key = TAGS) => ({ property: "cf", prop_key: String(key), old_value: old, value });
const status = { property: "attr", prop_key: "status_id", old_value: "1", value: "2" };
const labelAdded = (t: CaseTicket, name: string, notes = "") => updated(issue({ ...t, labels: [...t.labels, name] }), { notes, details: [cf(null, name)] });
const category = (t: CaseTicket) =>
  updated(issue(bare(t), (i) => (i.category = { id: 9, name: TRIGGER })), { details: [{ property: "attr", prop_key: "category_id", old_value: "2", value: "9" }] });
const textField = (t: CaseTicket, value = `backend, ${TRIGGER} , ui`) =>
  updated(issue(bare(t), (i) => (i.custom_fields = [{ id: 11, name: "Labels", value }])), { details: [cf("backend", value, 11)] });

/** The plugin's shape: ids and logins, custom field values by id, the issue's URL. */
const plugin = (action: string, t: CaseTicket, extra: object = {}, edit: (i: any) => void = () => {}) => {
  const tags = [{ custom_field_id: TAGS, custom_field_name: "Tags", value: t.labels }];
  const author = { id: 7, login: "dana", firstname: "Dana", lastname: "Ops" };
  const i = { id: t.n, subject: t.title, description: "Empty cart: 500.", project: { id: 4, identifier: "web-app", name: "Web App" }, author, custom_field_values: tags };
  edit(i);
  return { payload: { action, issue: i, url: `https://old-redmine.acme.test/issues/${t.n}`, ...extra } };
};

/** Some plugin versions send values by field id only, the names in the definitions; no URL, no description. */
const byFieldId = (t: CaseTicket) =>
  plugin("opened", t, { url: undefined }, (i) => {
    Object.assign(i, { custom_fields: [{ id: TAGS, name: "Tags", possible_values: [TRIGGER] }], custom_field_values: [{ custom_field_id: TAGS, value: [TRIGGER] }] });
    delete i.description;
  });

const deliver = (payload: unknown, suffix?: string): Delivery =>
  ({ body: JSON.stringify(payload), headers: { "user-agent": "Redmine", accept: "*/*" }, ...(suffix && { suffix }) });
const viaPath = (payload: unknown) => deliver(payload, `/${URL_SECRET}`);
const skip = (reason: RegExp, d: Step["deliver"]): Step => ({ deliver: d, expect: { status: 200, reason } });
const start = (d: Step["deliver"], prompt?: (string | RegExp)[]): Step => ({ deliver: d, expect: { status: 202, prompt } });
const forwarded = (d: Step["deliver"], ...message: string[]): Step => ({ deliver: d, expect: { status: 202, answer: { status: "forwarded" }, message } });
const real = (t: CaseTicket) => native("issue.created", issue(t, undefined, true));
const signature = async (raw: string, secret: string) => `sha256=${await hexHmac("SHA-256", secret, raw)}`;
const url = (host: string) => new RegExp(`Ticket URL: https://${host.replace(/\./g, "\\.")}/issues/\\d+\\n`);

/** What parse makes of a body, for what no prompt shows (labels); title and description aside. */
const ticketOf = (payload: unknown, field = "Tags") => {
  const { title, description, ...rest } = (parseRedmine(payload, field, undefined) as any).ticket;
  return rest;
};
const labelsOf = (payload: unknown, field?: string) => [ticketOf(payload, field).labels, ticketOf(payload, field).triggerLabels];
const T = { n: 7, title: "x", description: "", labels: [], author: "dana" };

export const cases: TrackerCases = {
  tracker: "redmine",
  signsBody: true,
  env: { REDMINE_BASE_URL: "http://tracker.mock", REDMINE_API_TOKEN: "redmine-test-key", REDMINE_URL_LABELS: TRIGGER, REDMINE_URL_SECRET: URL_SECRET },
  sign: async (raw, secret) => ({ headers: { "x-redmine-signature-256": await signature(raw, secret) } }),
  key: (t) => String(t.n),
  created: (t) => deliver(opened(t)),
  labelAdded: (t, name) => deliver(labelAdded(t, name)),
  labelRemoved: (t, name) => deliver(updated(issue(t), { details: [cf(name, null)] })),
  closed: (t) => deliver(updated(issue(t, (i) => (i.status = closed)), { details: [status] })),
  comment: (t, text) => deliver(updated(issue(t), { notes: text })),
  prompt: (t) => [`Ticket #${t.n}: ${t.title}`, "Tracker: Redmine", "Project: Web App", `Ticket URL: http://tracker.mock/issues/${t.n}`, `Reported by: ${t.author}`,
    `To comment, send PUT http://tracker.mock/issues/${t.n}.json with the header "x-redmine-api-key: $TICKET_API_TOKEN" and the JSON body {"issue":{"notes":"<your comment>"}}.`],
  writeBack: (t) => ({
    ...{ method: "PUT", path: `/issues/${t.n}.json`, text: (b: any) => b.issue.notes },
    headers: { "x-redmine-api-key": "redmine-test-key", authorization: null, "content-type": "application/json" },
  }),
  extra: [
    {
      // A key/value list renders each value as its enumeration id (custom_fields_helper.rb, EnumerationFormat): "31", not "devin-autofix".
      name: "a key/value list Tags field: its value ids are labels by REDMINE_LABEL_VALUES, on create",
      env: { REDMINE_LABEL_VALUES: `30=bug, 31=${TRIGGER}, 32=devin-feature` },
      steps: [{ deliver: (t) => deliver(opened({ ...t, labels: ["30", "31"] })), expect: { status: 202, prompt: [/Labels: bug, devin-autofix, checkout\n/], notInPrompt: ["Labels: 30"] } }],
    },
    {
      name: "a key/value list Tags field: an update adding value id 32 takes devin-feature's route",
      env: { REDMINE_LABEL_VALUES: `30=bug, 31=${TRIGGER}, 32=devin-feature` },
      steps: [
        { deliver: (t) => deliver(updated(issue({ ...t, labels: ["30", "32"] }), { details: [cf(null, "32")] })), expect: { status: 202, label: "devin-feature", answer: { playbook: "playbook-feature-0002" } } },
      ],
    },
    {
      name: "without REDMINE_LABEL_VALUES value ids name no trigger",
      steps: [skip(/no trigger label/, (t) => deliver(opened({ ...t, labels: ["30", "31"] })))],
    },
    {
      name: "a malformed REDMINE_LABEL_VALUES is a configuration error that names it",
      env: { REDMINE_LABEL_VALUES: "devin-autofix" },
      steps: [{ deliver: (t) => deliver(opened(t)), expect: { status: 503, reason: /REDMINE_LABEL_VALUES must be id=name pairs/ } }],
    },
    {
      name: "the real issue.created: no route from its Tags and category, routed by ?label=, linked to REDMINE_BASE_URL",
      env: { REDMINE_BASE_URL: "https://redmine.acme.test/" },
      steps: [
        skip(/no trigger label/, (t) => deliver(real(t))),
        start((t) => deliver(real(t), `?label=${TRIGGER}`), [/^Ticket #\d+: Checkout/m, url("redmine.acme.test"), "by: Dana Ops", "Actual: HTTP 500"]),
      ],
    },
    {
      name: "refuses a malformed signature, and another tracker's header even when it is right",
      steps: [
        { deliver: (t) => deliver(opened(t)), override: { "x-redmine-signature-256": "sha256=zz" }, expect: { status: 401 } },
        { deliver: (t) => deliver(opened(t)), sign: async (raw, s) => ({ headers: { "x-hub-signature-256": await signature(raw, s) } }), expect: { status: 401 } },
      ],
    },
    {
      name: "a redelivered label update is a duplicate",
      steps: [start((t) => deliver(labelAdded(bare(t), TRIGGER))), { deliver: (t) => deliver(labelAdded(bare(t), TRIGGER)), expect: { status: 200, answer: duplicate } }],
    },
    {
      name: "skips updates that add no label, other events, closed issues and unknown bodies; removing a value ends the ticket",
      steps: [
        skip(/no trigger label/, (t) => deliver(updated(issue(t), { details: [status] }))),
        skip(/label was removed/, (t) => deliver(updated(issue(t), { details: [status, cf("backend", null)] }))),
        skip(/event issue\.deleted/, (t) => deliver(native("issue.deleted", issue(t)))),
        skip(/wiki_page/, () => deliver({ type: "wiki_page.created", data: { wiki_page: { title: "x" } } })),
        skip(/closed/, (t) => deliver(opened(t, (i) => (i.status = closed)))),
        skip(/not a Redmine/, () => deliver({ hello: "world" })),
      ],
    },
    {
      name: "plugin: only through the path secret; an update adding no label is skipped, one adding it starts the ticket",
      steps: [
        { deliver: (t) => deliver(plugin("opened", t), "/not-the-secret"), secret: false, expect: { status: 401 } },
        { deliver: (t) => deliver(plugin("opened", t)), secret: false, expect: { status: 401 } },
        skip(/no trigger label/, (t) => viaPath(plugin("updated", t, { journal: { id: 10, notes: "", details: [status] } }))),
        start((t) => viaPath(plugin("updated", t, { journal: { id: 9, notes: "", details: [{ id: 1, ...cf(null, TRIGGER) }] } }))),
      ],
    },
    { name: "plugin: links the URL it sent", steps: [start((t) => viaPath(plugin("opened", t)), [url("old-redmine.acme.test"), "Project: web-app", "by: dana"])] },
    {
      name: "plugin: values found by field id; linked to REDMINE_BASE_URL without a URL",
      env: { REDMINE_BASE_URL: "https://redmine.acme.test" },
      steps: [start((t) => viaPath(byFieldId(t)), [url("redmine.acme.test"), "(no description)"])],
    },
    { name: "the category an update just set is a trigger", steps: [start((t) => deliver(category(t)))] },
    { name: "a text field is no label source by default", steps: [skip(/no trigger label/, (t) => deliver(textField(t)))] },
    { name: "REDMINE_LABEL_FIELD names a comma-separated text field", env: { REDMINE_LABEL_FIELD: "labels" }, steps: [start((t) => deliver(textField(t)))] },
    { name: "a label added with notes starts the ticket", steps: [start((t) => deliver(labelAdded(bare(t), TRIGGER, "@devin please take this")))] },
    {
      name: "updates without notes or with blank ones stay ticket events, and notes on a creation are no comment",
      steps: [
        ...[{ notes: "" }, { notes: "  \n " }, undefined].map((j) => skip(/no trigger label/, (t) => deliver(native("issue.updated", issue(t), j)))),
        start((t) => deliver(opened(t, undefined, { notes: "@devin" }))),
      ],
    },
    {
      name: "forwards notes on a closed issue: its session decides",
      steps: [
        start((t) => deliver(opened(t))),
        forwarded((t) => deliver(updated(issue(t, (i) => (i.status = closed)), { notes: "@devin reopen?" })), "@devin reopen?", "Erin Dev"),
      ],
    },
    {
      name: "plugin: forwards notes by the journal's author",
      steps: [
        start((t) => deliver(opened(t))),
        forwarded((t) => viaPath(plugin("updated", t, { journal: { id: 12, notes: "@devin mobile too", author: { login: "erin", firstname: "E" } } })), "@devin mobile too", "erin"),
      ],
    },
  ],
  checks: [
    {
      name: "Tags values and the category are labels, keyed by the global issue id; Redmine 7 reveals no URL",
      actual: () => ticketOf(created),
      expected: { key: "128", id: "#128", labels: ["backend", "checkout"], triggerLabels: ["backend", "checkout"], project: "Web App", author: "Dana Ops" },
    },
    { name: "the category an update set is a new label", actual: () => labelsOf(category(T)), expected: [["bug", TRIGGER], [TRIGGER]] },
    { name: "a named text field is split and diffed", actual: () => labelsOf(textField(T), "labels"), expected: [["backend", TRIGGER, "ui", "checkout"], [TRIGGER, "ui"]] },
    { name: "a text field is not read unless named", actual: () => labelsOf(textField(T)), expected: [["checkout"], []] },
    { name: "write-back authenticates with the API-key header alone", actual: () => apiHeaders("k"), expected: { "x-redmine-api-key": "k" } },
  ],
  sample: () => deliver(native("issue.created", issue({ n: 128, title: created.data.issue.subject } as CaseTicket, (i) => i.custom_fields[0].value.push(TRIGGER), true))),
};
