// Jira issue and comment webhooks: a Data Center 9 `jira:issue_created` delivery (fixtures/), Cloud's ADF bodies and
// `comment_created` (developer.atlassian.com/cloud/jira/platform/webhooks). Cloud signs with `X-Hub-Signature: sha256=<hex>`;
// Data Center signs nothing and puts the secret in the path.
import { type CaseTicket, type Delivery, type Step, type TrackerCases, URL_SECRET, TRIGGER } from "../case-table";
import { hexHmac } from "../kit/sign";
import { bodyText, textToAdf } from "./adf";
import { commentUrl, instanceRoot, writeBack } from "./api";
import { parseJira } from "./events";
import created from "./fixtures/jira-dc-issue-created.json" with { type: "json" };

const key = (t: CaseTicket) => `WEB-${t.n}`;
const bare = (t: CaseTicket) => ({ ...t, labels: ["bug"] });

/** The Data Center fixture as ticket `t`; with `real`, its own description, labels and reporter stay. */
function issue(t: CaseTicket, edit: (p: any) => void = () => {}, real = false): any {
  const p = structuredClone(created) as any;
  p.issue.key = key(t);
  Object.assign(p.issue.fields, { summary: t.title }, !real && { description: t.description, labels: t.labels, reporter: { name: t.author } });
  edit(p);
  return p;
}
const updated = (t: CaseTicket, items: object[] | null, edit: (p: any) => void = () => {}) =>
  issue(t, (p) => {
    Object.assign(p, { webhookEvent: "jira:issue_updated", issue_event_type_name: "issue_generic" }, items && { changelog: { id: "10977", items } });
    edit(p);
  });
const labels = (from: string[], to: string[]) => ({ field: "labels", fieldtype: "jira", fromString: from.join(" "), toString: to.join(" ") });
const closed = [{ field: "resolution", toString: "Done" }, { field: "status", fromString: "In Progress", toString: "Done" }];

let comments = 31_000;
const note = (body: unknown, author: object = { name: "erin", key: "JIRAUSER105", displayName: "Erin Dev" }) => ({ id: String(comments++), author, body });
/** Data Center's `issue_commented` update: the issue and the new comment. */
const commented = (t: CaseTicket, body: string, items: object[] | null = null) =>
  updated(t, items, (p) => Object.assign(p, { issue_event_type_name: "issue_commented", comment: note(body) }));
/** `comment_created` as Cloud (and newer Data Center) sends it: the comment and a slim issue, or none from older Jira. */
const commentCreated = (t: CaseTicket | null, comment: object, webhookEvent = "comment_created") =>
  ({ timestamp: 1773219600000, webhookEvent, comment, ...(t && { issue: { id: "10482", key: key(t), fields: { summary: t.title } } }) });

const deliver = (payload: unknown, suffix?: string): Delivery =>
  ({ body: JSON.stringify(payload), headers: { "x-atlassian-webhook-identifier": crypto.randomUUID() }, ...(suffix && { suffix }) });
/** Data Center: the fixture as sent, the secret in the registered URL, no signature. */
const dc = (query = ""): Step["deliver"] => (t) => deliver(issue(t, undefined, true), `/${URL_SECRET}${query}`);
const skip = (reason: RegExp, d: Step["deliver"]): Step => ({ deliver: d, expect: { status: 200, reason } });
const start = (d: Step["deliver"], prompt?: (string | RegExp)[], notInPrompt?: string[]): Step => ({ deliver: d, expect: { status: 202, prompt, notInPrompt } });
const forwarded = (d: Step["deliver"], ...message: string[]): Step => ({ deliver: d, expect: { status: 202, answer: { status: "forwarded" }, message } });
const url = (site: string) => new RegExp(`Ticket URL: https://${site.replace(/\./g, "\\.")}/browse/WEB-\\d+\\n`);

const [para, text] = [(...content: object[]) => ({ type: "paragraph", content }), (text: string) => ({ type: "text", text })];
const adf = (...content: object[]) => ({ type: "doc", version: 1, content });
const atDevin = { type: "mention", attrs: { id: "5b10", text: "@Devin" } };
/** Cloud: an ADF description, a REST link on api.atlassian.com, a reporter known by account id and display name. */
const cloud = (t: CaseTicket) =>
  issue(t, ({ issue }) => {
    const items = ["Open /checkout", "Click Pay"].map((s) => ({ type: "listItem", content: [para(text(s))] }));
    const [mention, code] = [{ type: "mention", attrs: { id: "x", text: "@Sam" } }, { ...text("CartTotals#compute"), marks: [{ type: "code" }] }];
    issue.fields.description = adf(para(text("Steps:")), { type: "orderedList", content: items }, para(text("Actual: 500, see "), mention, { type: "hardBreak" }, code));
    issue.self = "https://api.atlassian.com/ex/jira/1234/rest/api/3/issue/10482";
    issue.fields.reporter = { accountId: "5b10a2844c20165700ede21g", displayName: "Dana Ops" };
  });

const LABELS_WITH_REQUEST_TYPE = ["backend", "checkout", "Report a bug"];
/** A payload as a Jira Service Management request (project type and a request-type field, as JSM sends them). */
const asRequest = (p: any) => {
  p.issue.fields.project.projectTypeKey = "service_desk";
  p.issue.fields.customfield_10010 = { _links: {}, requestType: { id: "12", name: "Report a bug" }, currentStatus: { status: "Waiting for support" } };
  return p;
};
const serviceDesk = () => asRequest(structuredClone(created));
/** An internal comment on the request, whatever the auth. */
const internalNote = (t: CaseTicket, authorization: string) => ({
  ...{ method: "POST", path: `/rest/servicedeskapi/request/${key(t)}/comment`, text: (b: any) => b.body, fixed: { public: false } },
  headers: { authorization, "content-type": "application/json" },
});

const dataCenter: TrackerCases = {
  tracker: "jira",
  signsBody: true,
  env: { JIRA_BASE_URL: "http://tracker.mock", JIRA_API_TOKEN: "jira-test-pat", JIRA_URL_SECRET: URL_SECRET, JIRA_URL_LABELS: TRIGGER },
  sign: async (raw, secret) => ({ headers: { "x-hub-signature": `sha256=${await hexHmac("SHA-256", secret, raw)}` } }),
  key,
  created: (t) => deliver(issue(t)),
  labelAdded: (t, name) => deliver(updated({ ...t, labels: [...t.labels, name] }, [labels(t.labels, [...t.labels, name])])),
  labelRemoved: (t, name) => deliver(updated(t, [labels([...t.labels, name], t.labels)])),
  closed: (t) => deliver(updated(t, closed, (p) => (p.issue.fields.status = { name: "Done", statusCategory: { id: 3, key: "done", name: "Done" } }))),
  comment: (t, text) => deliver(commentCreated(t, note(text))),
  mentionStarts: true,
  // Cloud's comment_created carries a slim issue: its summary, no description or reporter.
  mentionPrompt: (t) => dataCenter.prompt(t).filter((line) => !String(line).startsWith("Reported by")),
  prompt: (t) => [`Ticket ${key(t)}: ${t.title}`, "Tracker: Jira", "Project: WEB", `Ticket URL: http://tracker.mock/browse/${key(t)}`, `Reported by: ${t.author}`,
    `To comment, send POST http://tracker.mock/rest/api/2/issue/${key(t)}/comment with the header "authorization: Bearer $TICKET_API_TOKEN" and the JSON body {"body":"<your comment>"}.`],
  writeBack: (t) => ({
    ...{ method: "POST", path: `/rest/api/2/issue/${key(t)}/comment`, text: (b: any) => b.body },
    headers: { authorization: "Bearer jira-test-pat", "content-type": "application/json" },
  }),
  extra: [
    {
      name: "assigning the issue to one of ASSIGNEES starts one session (kind assignment); the allow-list judges who assigned, not the reporter",
      env: { ASSIGNEES: "devin", JIRA_ALLOWED_AUTHORS: "dana" },
      steps: [
        ...[["sam", "devin"], ["dana", "sam"], ["dana", "devin"]].map(([by, to]) => ({
          deliver: (t: CaseTicket) =>
            deliver(updated({ ...t, labels: ["bug"] }, [{ field: "assignee", fieldtype: "jira", from: null, fromString: null, to, toString: to!.toUpperCase() }], (p) => (p.user = { name: by, displayName: by }))),
          expect:
            by === "dana" && to === "devin"
              ? { status: 202, label: "devin", prompt: ["Assigned to Devin by dana."] }
              : { status: 200, answer: { status: "skipped" }, reason: by === "sam" ? /author "sam" is not in ALLOWED_AUTHORS/ : /no trigger label/ },
        })),
      ],
    },
    {
      name: "Data Center: the real delivery through the path secret, routed by ?label=, linked from issue.self",
      env: { JIRA_BASE_URL: "" },
      steps: [
        // Its labels are `backend` and component `checkout`: no route without the query.
        { ...skip(/no trigger label/, dc()), secret: false },
        { ...start(dc(`?label=${TRIGGER}`), [/^Ticket WEB-\d+: Checkout/m, url("jira.acme.test"), "by: dana", "from {{CartTotals#compute}}"]), secret: false },
        { deliver: dc(`?label=${TRIGGER}`), secret: false, expect: { status: 200, answer: { status: "duplicate" } } },
      ],
    },
    {
      name: "refuses a wrong path secret and a SHA-256 labelled sha1=; takes the SHA-1 a Data Center admin may choose",
      steps: [
        { deliver: (t) => deliver(issue(t), "/not-the-secret"), secret: false, expect: { status: 401 } },
        { deliver: (t) => deliver(issue(t)), sign: async (raw, s) => ({ headers: { "x-hub-signature": `sha1=${await hexHmac("SHA-256", s, raw)}` } }), expect: { status: 401 } },
        { deliver: (t) => deliver(issue(t)), sign: async (raw, s) => ({ headers: { "x-hub-signature": `sha1=${await hexHmac("SHA-1", s, raw)}` } }), expect: { status: 202 } },
      ],
    },
    {
      name: "Cloud: an ADF description as text, linked to JIRA_BASE_URL, reported by the display name",
      env: { JIRA_BASE_URL: "https://acme.atlassian.net/" },
      steps: [
        start((t) => deliver(cloud(t)), ["Steps:\n- Open /checkout\n- Click Pay\nActual: 500, see @Sam\nCartTotals#compute", url("acme.atlassian.net"), "by: Dana Ops"], ['"type"']),
      ],
    },
    {
      name: "only what an update adds triggers, a component too; a removal ends the ticket",
      steps: [
        // Without `toString` a change adds nothing (and Object.prototype.toString is not mistaken for it).
        ...[[{ field: "summary", fromString: "Old", toString: "New" }], [labels([TRIGGER], [TRIGGER, "ui"])], [{ field: "labels", fromString: "" }], null].map((items) =>
          skip(/no trigger label/, (t) => deliver(updated(t, items))),
        ),
        skip(/label was removed/, (t) => deliver(updated(bare(t), [labels(["bug", TRIGGER], ["bug"])]))),
        start((t) => deliver(updated(bare(t), [{ field: "Component", fromString: null, toString: TRIGGER }]))),
      ],
    },
    {
      name: "skips deleted issues, comment edits and deletions, a comment without its issue, and other events",
      steps: [
        skip(/jira:issue_deleted/, (t) => deliver(issue(t, (p) => (p.webhookEvent = "jira:issue_deleted")))),
        skip(/comment_updated/, (t) => deliver(issue(t, (p) => Object.assign(p, { webhookEvent: "comment_updated", comment: note("fix") })))),
        skip(/comment_deleted/, (t) => deliver(commentCreated(t, note("@devin x"), "comment_deleted"))),
        skip(/without its issue/, () => deliver(commentCreated(null, note("@devin x")))),
        skip(/no trigger label/, (t) => deliver(updated(t, null, (p) => Object.assign(p, { issue_event_type_name: "issue_comment_edited", comment: note("@devin x") })))),
        skip(/not a Jira issue event/, () => deliver({ webhookEvent: "jira:version_released", version: {} })),
      ],
    },
    {
      name: "a component counts as a label at creation; Data Center's issue_commented is forwarded, [~name] read as @name",
      steps: [
        start((t) => deliver(issue(bare(t), (p) => (p.issue.fields.components = [{ name: TRIGGER }])))),
        forwarded((t) => deliver(commented(t, "[~devin] the guest checkout fails too")), "@devin the guest checkout fails too", "erin"),
      ],
    },
    {
      name: "forwards Cloud's ADF comment by its author's display name",
      steps: [
        start((t) => deliver(issue(t))),
        forwarded((t) => deliver(commentCreated(t, note(adf(para(atDevin, text(" also mobile"))), { accountId: "5b10", displayName: "Erin Dev" }))), "@Devin also mobile", "Erin Dev"),
      ],
    },
    {
      name: "a Jira Service Management request is acknowledged by an internal comment (servicedeskapi, public: false), never a reply to the customer",
      steps: [{ deliver: (t) => deliver(issue(t, asRequest)), expect: { status: 202, writeBack: (t) => internalNote(t, "Bearer jira-test-pat") } }],
    },
    {
      name: "a trigger label added with a comment starts the ticket instead",
      steps: [start((t) => deliver(commented(t, "[~devin] please take this", [labels(["bug"], t.labels)])))],
    },
  ],
  checks: [
    {
      name: "a Jira Service Management request: its request type counts as a label, and its notes are internal comments",
      actual: async () => {
        const ticket = (parseJira(serviceDesk(), undefined) as any).ticket;
        const key = `SD-${Date.now() % 1_000_000}`;
        await writeBack({ ...ticket, key, source: "jira", tracker: "Jira" }, "noted", { baseUrl: "http://tracker.mock", token: "t", settings: {} });
        const [sent] = (await (await fetch(`http://tracker.mock/__mock/requests?path=/rest/servicedeskapi/request/${key}/comment`)).json()) as { body: unknown }[];
        return { labels: ticket.labels, reply: ticket.reply, sent: sent?.body };
      },
      expected: { labels: LABELS_WITH_REQUEST_TYPE, reply: { serviceDesk: 1 }, sent: { body: "noted", public: false } },
    },
    { name: "without JIRA_BASE_URL the link comes from issue.self", actual: () => (parseJira(created, undefined) as any).ticket.url, expected: "https://jira.acme.test/browse/WEB-128" },
    { name: "the instance root keeps a context path", actual: () => instanceRoot("https://corp.acme.test/jira/rest/api/2/issue/1"), expected: "https://corp.acme.test/jira" },
    { name: "a base naming the REST API posts to the same place", actual: () => commentUrl("http://h/rest/api/2/", "WEB-1"), expected: "http://h/rest/api/2/issue/WEB-1/comment" },
    { name: "a base with a context path keeps it", actual: () => commentUrl("https://h/jira/", "WEB-1"), expected: "https://h/jira/rest/api/2/issue/WEB-1/comment" },
  ],
  sample: () => deliver(issue({ n: 128, title: created.issue.fields.summary } as CaseTicket, (p) => p.issue.fields.labels.push(TRIGGER), true)),
};


const EMAIL = "devin-bridge@acme.test";
const BASIC = `Basic ${btoa(`${EMAIL}:jira-test-pat`)}`;
const CLOUD_USER = { accountId: "5b10a2844c20165700ede21g", displayName: "erin" };
/** Cloud's shape of ticket `t`: an ADF description, a reporter known by account id and display name. */
const onCloud = (p: any, t: CaseTicket) => {
  p.issue.fields.description = textToAdf(t.description);
  p.issue.fields.reporter = { accountId: "5b10a2844c20165700ede21f", displayName: t.author };
  p.issue.self = "https://api.atlassian.com/ex/jira/1234/rest/api/2/issue/10482";
  return p;
};

/**
 * Jira Cloud (`JIRA_API_EMAIL` set): the same webhooks, answered through REST v3 with an ADF body and
 * Basic `email:api_token` (developer.atlassian.com/cloud/jira/platform/basic-auth-for-rest-apis).
 */
const jiraCloud: TrackerCases = {
  ...dataCenter,
  variant: "cloud",
  env: { JIRA_API_EMAIL: EMAIL },
  created: (t) => deliver(issue(t, (p) => onCloud(p, t))),
  comment: (t, words) => deliver(commentCreated(t, note(adf(para(text(words))), CLOUD_USER))),
  mentionPrompt: (t) => jiraCloud.prompt(t).filter((line) => !String(line).startsWith("Reported by") && line !== t.description),
  prompt: (t) => [`Ticket ${key(t)}: ${t.title}`, "Tracker: Jira", "Project: WEB", `Ticket URL: http://tracker.mock/browse/${key(t)}`, `Reported by: ${t.author}`, t.description,
    `To comment, send POST http://tracker.mock/rest/api/3/issue/${key(t)}/comment with the header "authorization: Basic $(printf '%s' \"${EMAIL}:$TICKET_API_TOKEN\" | base64 -w0)" and the JSON body {"body":{"type":"doc","version":1,"content":[{"type":"paragraph","content":[{"type":"text","text":"<your comment>"}]}]}}; the body is an Atlassian Document Format document`],
  writeBack: (t) => ({
    ...{ method: "POST", path: `/rest/api/3/issue/${key(t)}/comment`, text: (b: any) => bodyText(b.body), fixed: { body: { type: "doc", version: 1 } } },
    headers: { authorization: BASIC, "content-type": "application/json" },
  }),
  extra: [
    {
      name: "a Jira Service Management request on Cloud: an internal comment, plain text, with Basic auth",
      steps: [{ deliver: (t) => deliver(issue(t, (p) => asRequest(onCloud(p, t)))), expect: { status: 202, writeBack: (t) => internalNote(t, BASIC) } }],
    },
  ],
  checks: [
    {
      name: "a note as ADF: paragraphs at blank lines, hard breaks within, URLs as links without the sentence's full stop",
      actual: () => textToAdf("Devin is working on this ticket.\nSession: https://app.devin.ai/sessions/abc.\n\nDone"),
      expected: adf(
        para(text("Devin is working on this ticket."), { type: "hardBreak" }, text("Session: "),
          { type: "text", text: "https://app.devin.ai/sessions/abc", marks: [{ type: "link", attrs: { href: "https://app.devin.ai/sessions/abc" } }] }, text(".")),
        para(text("Done")),
      ),
    },
  ],
};

export const cases: TrackerCases[] = [dataCenter, jiraCloud];
