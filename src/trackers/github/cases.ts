// GitHub `issues` and `issue_comment` deliveries. Shapes: octokit/webhooks
// payload-examples/api.github.com/issues/{opened,labeled}.payload.json (trimmed);
// headers: docs.github.com/en/webhooks (X-GitHub-Event, X-GitHub-Delivery, X-Hub-Signature-256).
import { type CaseTicket, type Delivery, type TrackerCases, URL_SECRET } from "../case-table";
import { hexHmac } from "../kit/sign";
import { instanceOf } from "../kit/github-style";
import { githubApiBase } from "./api";
import labeled from "./fixtures/github-issue-labeled.json" with { type: "json" };

const REPO = "acme/web-app";
const label = (name: string, id = name.length * 1_000_003) => ({ id, name, color: "6699cc", default: false });

function issue(t: CaseTicket, action: string, edit: (p: any) => void = () => {}): any {
  const p = structuredClone(labeled) as any;
  p.action = action;
  p.issue.number = t.n;
  p.issue.title = t.title;
  p.issue.body = t.description;
  p.issue.user.login = t.author;
  p.issue.labels = t.labels.map((l) => label(l));
  p.issue.html_url = `https://github.com/${REPO}/issues/${t.n}`;
  if (action !== "labeled" && action !== "unlabeled") delete p.label;
  edit(p);
  return p;
}

const deliver = (payload: unknown, event = "issues"): Delivery => ({
  body: JSON.stringify(payload),
  headers: { "x-github-event": event, "x-github-delivery": crypto.randomUUID(), "user-agent": "GitHub-Hookshot/7b9d2e1" },
});

export const cases: TrackerCases = {
  tracker: "github",
  signsBody: true,
  env: { GITHUB_BASE_URL: "http://tracker.mock", GITHUB_URL_SECRET: URL_SECRET },
  async sign(raw, secret) {
    return { headers: { "x-hub-signature-256": `sha256=${await hexHmac("SHA-256", secret, raw)}` } };
  },
  key: (t) => `${REPO}#${t.n}`,
  created: (t) => deliver(issue(t, "opened")),
  labelAdded: (t, name) => deliver(issue({ ...t, labels: [...t.labels, name] }, "labeled", (p) => (p.label = label(name)))),
  labelRemoved: (t, name) => deliver(issue(t, "unlabeled", (p) => (p.label = label(name)))),
  closed: (t) => deliver(issue(t, "closed", (p) => (p.issue.state = "closed"))),
  comment: (t, text) =>
    deliver(issue(t, "created", (p) => (p.comment = { id: 2_000_000 + t.n, body: text, user: { login: "erin" } })), "issue_comment"),
  prompt: (t) => [
    `Ticket ${REPO}#${t.n}: ${t.title}`,
    "Tracker: GitHub",
    `Project: ${REPO}`,
    `Ticket URL: https://github.com/${REPO}/issues/${t.n}`,
    `Reported by: ${t.author}`,
    t.description,
  ],
  writeBack: (t) => ({
    method: "POST",
    path: `/api/v3/repos/${REPO}/issues/${t.n}/comments`,
    headers: {
      authorization: /^Bearer \S+$/,
      accept: "application/vnd.github+json",
      "x-github-api-version": "2022-11-28",
      // GitHub refuses API calls without a User-Agent.
      "user-agent": "devin-ticket-bridge",
      "content-type": "application/json",
    },
    text: (body) => body.body,
  }),
  extra: [
    {
      name: "refuses a bare hex signature and a malformed one (GitHub always prefixes sha256=)",
      steps: [
        { deliver: (t) => deliver(issue(t, "opened")), override: { "x-hub-signature-256": "sha256=zz" }, expect: { status: 401 } },
        {
          deliver: (t) => deliver(issue(t, "opened")),
          sign: async (raw, secret) => ({ headers: { "x-hub-signature-256": await hexHmac("SHA-256", secret, raw) } }),
          expect: { status: 401 },
        },
      ],
    },
    {
      name: "accepts the secret in the path instead of a signature, and refuses a wrong one",
      steps: [
        { deliver: (t) => ({ ...deliver(issue(t, "opened")), suffix: "/wrong-secret" }), secret: false, expect: { status: 401 } },
        {
          deliver: (t) => ({ ...deliver(issue(t, "opened")), suffix: `/${URL_SECRET}` }),
          secret: false,
          expect: { status: 202, answer: { playbook: "playbook-autofix-0001" } },
        },
      ],
    },
    {
      name: "triggers only on the label just added, not on labels already there",
      steps: [
        {
          deliver: (t) => deliver(issue({ ...t, labels: ["devin-autofix", "needs-triage"] }, "labeled", (p) => (p.label = label("needs-triage")))),
          expect: { status: 200, reason: /no trigger label/ },
        },
      ],
    },
    {
      name: "skips an edit of an issue that carries the trigger label",
      steps: [{ deliver: (t) => deliver(issue(t, "edited")), expect: { status: 200, reason: /no trigger label/ } }],
    },
    {
      name: "skips deleted issues, pull requests, other events and other shapes",
      steps: [
        { deliver: (t) => deliver(issue(t, "deleted")), expect: { status: 200, reason: /deleted/ } },
        {
          deliver: (t) => deliver(issue(t, "opened", (p) => (p.issue.pull_request = { url: `https://api.github.com/repos/${REPO}/pulls/${t.n}` }))),
          expect: { status: 200, reason: /pull request/ },
        },
        { deliver: () => deliver({ zen: "Keep it logically awesome.", hook_id: 1 }, "ping"), expect: { status: 200, reason: /ping/ } },
        { deliver: () => deliver({ action: "opened", issue: { number: "x" } }), expect: { status: 200, reason: /not a GitHub issue/ } },
        { deliver: (t) => deliver(issue(t, "opened"), "issue_comment"), expect: { status: 200, answer: { status: "skipped" } } },
      ],
    },
    {
      name: "skips comment edits, deletions and comments on pull requests",
      steps: ["edited", "deleted"].map((action) => ({
        deliver: (t: CaseTicket) =>
          deliver(issue(t, action, (p) => (p.comment = { id: 1, body: "@devin hi", user: { login: "erin" } })), "issue_comment"),
        expect: { status: 200, reason: new RegExp(action) },
      })).concat([
        {
          deliver: (t: CaseTicket) =>
            deliver(
              issue(t, "created", (p) => {
                p.comment = { id: 1, body: "@devin hi", user: { login: "erin" } };
                p.issue.pull_request = { url: `https://api.github.com/repos/${REPO}/pulls/${t.n}` };
              }),
              "issue_comment",
            ),
          expect: { status: 200, reason: /pull request/ },
        },
      ]),
    },
    {
      name: "forwards a comment on a closed issue that has a session: whether a session exists is the bridge's question",
      steps: [
        { deliver: (t) => deliver(issue(t, "opened")), expect: { status: 202 } },
        {
          deliver: (t) =>
            deliver(
              issue(t, "created", (p) => {
                p.issue.state = "closed";
                p.comment = { id: 3, body: "@devin one more thing", user: { login: "erin" } };
              }),
              "issue_comment",
            ),
          expect: { status: 202, answer: { status: "forwarded" }, message: ["one more thing", "erin"] },
        },
      ],
    },
  ],
  checks: [
    { name: "github.com maps to api.github.com", actual: () => githubApiBase("https://github.com"), expected: "https://api.github.com" },
    { name: "an API address stays as it is", actual: () => githubApiBase("https://api.github.com/"), expected: "https://api.github.com" },
    { name: "Enterprise Server gets /api/v3", actual: () => githubApiBase("https://ghe.acme.test"), expected: "https://ghe.acme.test/api/v3" },
    { name: "an Enterprise Server API root stays", actual: () => githubApiBase("https://ghe.acme.test/api/v3/"), expected: "https://ghe.acme.test/api/v3" },
    { name: "GHE.com maps to api.<sub>.ghe.com", actual: () => githubApiBase("https://acme.ghe.com"), expected: "https://api.acme.ghe.com" },
    { name: "a base that names the API root stays", actual: () => githubApiBase("http://tracker.mock/api/v3"), expected: "http://tracker.mock/api/v3" },
    {
      name: "the instance a repository page reveals maps to its API",
      actual: () => [instanceOf(`https://github.com/${REPO}`), githubApiBase(instanceOf(`https://ghe.acme.test/${REPO}`)!)],
      expected: ["https://github.com", "https://ghe.acme.test/api/v3"],
    },
  ],
  sample: () => deliver(labeled),
};
