// OpenProject work package and comment webhooks. Shapes: opf/openproject modules/webhooks
// (represented_webhook_job.rb, work_package_webhook_job.rb); header X-OP-Signature: sha1=<hex>.
import { type CaseTicket, type Delivery, type TrackerCases, URL_SECRET, TRIGGER } from "../case-table";
import { hexHmac } from "../kit/sign";
import { asMarkdownParagraphs } from "./api";
import created from "./fixtures/openproject-work-package-created.json" with { type: "json" };

const TOKEN = "op-test-token";
const SECRET = "devin-bridge-test-secret";
const UPDATED = "work_package:updated";

/** The fixture as work package `t.n`; OpenProject has no tags: the first label is the type, the second the category. */
function wp(t: CaseTicket, action = "work_package:created", labels = t.labels, edit: (w: any) => void = () => {}): Delivery {
  const p = structuredClone(created) as any;
  const w = Object.assign(p, { action }).work_package;
  Object.assign(w, { id: t.n, subject: t.title, description: { format: "markdown", raw: t.description } });
  w._embedded.author.login = t.author;
  w._embedded.type.name = labels[0];
  if (labels[1]) w._embedded.category = { _type: "Category", id: 2, name: labels[1] };
  edit(w);
  return { body: JSON.stringify(p) };
}

/** `work_package_comment:comment`: the API v3 Activity of the new journal. */
function comment(t: CaseTicket, text: string, edit: (p: any) => void = () => {}): Delivery {
  const links = { workPackage: { href: `/api/v3/work_packages/${t.n}` }, user: { href: "/api/v3/users/9", title: "Erin Dev" } };
  const p = { action: "work_package_comment:comment", activity: { _type: "Activity::Comment", id: t.n * 100 + (text.length % 100), comment: { format: "markdown", raw: text }, _links: links } };
  edit(p);
  return { body: JSON.stringify(p) };
}

const skip = (reason: RegExp) => ({ status: 200, reason });
const forwarded = (message: RegExp) => ({ status: 202, answer: { status: "forwarded" }, message: [message] });
const bug = (t: CaseTicket) => wp({ ...t, labels: ["Bug"] });
const fixture = JSON.stringify(created);
// A SHA-256 signature under the right secret is still not OpenProject's scheme.
const sha256 = await hexHmac("SHA-256", SECRET, fixture);

export const cases: TrackerCases = {
  tracker: "openproject",
  signsBody: true,
  env: { OPENPROJECT_BASE_URL: "http://tracker.mock", OPENPROJECT_API_TOKEN: TOKEN, OPENPROJECT_URL_SECRET: URL_SECRET, OPENPROJECT_URL_LABELS: TRIGGER },
  sign: async (raw, secret) => ({ headers: { "x-op-signature": `sha1=${await hexHmac("SHA-1", secret, raw)}` } }),
  key: (t) => String(t.n),
  created: (t) => wp(t),
  labelAdded: (t, name) => wp(t, UPDATED, [...t.labels, name]),
  closed: (t) => wp(t, UPDATED, t.labels, (w) => (w._embedded.status = { _type: "Status", id: 12, name: "Closed", isClosed: true })),
  comment: (t, text) => comment(t, text),
  prompt: (t) => [`Ticket #${t.n}: ${t.title}`, "Tracker: OpenProject", `Ticket URL: http://tracker.mock/work_packages/${t.n}`, "Project: web-app", `Reported by: ${t.author}`, t.description,
    `To comment, send POST http://tracker.mock/api/v3/work_packages/${t.n}/activities with the header "authorization: Basic $(printf '%s' "apikey:$TICKET_API_TOKEN" | base64 -w0)" and the JSON body {"comment":{"raw":"<your comment>"}}.`],
  writeBack: (t) => ({ method: "POST", path: `/api/v3/work_packages/${t.n}/activities`, text: (body) => body.comment.raw,
    headers: { authorization: `Basic ${btoa(`apikey:${TOKEN}`)}`, "content-type": "application/json" } }),
  extra: [
    {
      name: "refuses a SHA-256 signature and a wrong path secret, takes the right one; ?label= routes what the type alone would not; comments are forwarded by name",
      steps: [
        { deliver: () => ({ body: fixture }), override: { "x-op-signature": `sha1=${sha256}` }, expect: { status: 401 } },
        { deliver: (t) => ({ ...wp(t), suffix: "/not-the-secret" }), secret: false, expect: { status: 401 } },
        { deliver: (t) => ({ ...bug(t), suffix: `/${URL_SECRET}` }), secret: false, expect: skip(/no trigger label/) },
        { deliver: (t) => ({ ...bug(t), suffix: "?label=devin-autofix" }), expect: { status: 202, answer: { playbook: "playbook-autofix-0001" } } },
        { deliver: (t) => comment(t, "@devin the guest checkout fails too"), expect: forwarded(/^Comment on ticket #\d+ by Erin Dev:/m) },
      ],
    },
    {
      name: "skips updates to another category, other actions, and comment events without an activity, a work package or text",
      steps: [
        { deliver: (t) => wp(t, UPDATED, ["Bug", "backend"]), expect: skip(/no trigger label/) },
        { deliver: () => ({ body: JSON.stringify({ action: "project:created", project: { id: 9 } }) }), expect: skip(/action project:created/) },
        { deliver: (t) => comment(t, "@devin x", (p) => delete p.activity), expect: skip(/without an activity/) },
        { deliver: (t) => comment(t, "@devin x", (p) => (p.activity._links.workPackage.href = "/api/v3/meetings/4")), expect: skip(/not on a work package/) },
        { deliver: (t) => comment(t, " "), expect: skip(/empty comment/) },
      ],
    },
    {
      name: "forwards an internal comment under a relative URL root, without an author when the link has no title",
      steps: [
        { deliver: (t) => wp(t), expect: { status: 202 } },
        {
          deliver: (t) =>
            comment(t, "@devin the guest checkout fails too", (p) => {
              p.action = "work_package_comment:internal_comment";
              p.activity._links = { workPackage: { href: `/openproject/api/v3/work_packages/${t.n}` }, user: { href: "/openproject/api/v3/users/9" } };
            }),
          expect: forwarded(/^Comment on ticket #\d+:\n/m),
        },
      ],
    },
  ],
  checks: [{ name: "one markdown paragraph per line", actual: () => asMarkdownParagraphs("hello\nsecond line\n\n— footer"), expected: "hello\n\nsecond line\n\n— footer" }],
  sample: () => wp({ n: 128, title: created.work_package.subject, description: created.work_package.description.raw, labels: ["Bug", "devin-autofix"], author: "dana" }),
};
