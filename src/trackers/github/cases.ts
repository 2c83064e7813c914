// GitHub `issues` and `issue_comment` deliveries. Shapes: octokit/webhooks
// payload-examples/api.github.com/issues/{opened,labeled}.payload.json (trimmed);
// headers: docs.github.com/en/webhooks (X-GitHub-Event, X-GitHub-Delivery, X-Hub-Signature-256).
import { forwards, skips, starts, URL_SECRET, type CaseTicket, type Delivery, type TrackerCases } from "../case-table";
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

const opened = (t: CaseTicket) => deliver(issue(t, "opened"));
const comment = (t: CaseTicket, action: string, edit: (p: any) => void = () => {}) =>
  deliver(issue(t, action, (p) => ((p.comment = { id: 3_000_000 + t.n, body: "@devin one more thing", user: { login: "erin" } }), edit(p))), "issue_comment");

export const cases: TrackerCases = {
  tracker: "github",
  signsBody: true,
  env: { GITHUB_BASE_URL: "http://tracker.mock", GITHUB_URL_SECRET: URL_SECRET },
  async sign(raw, secret) {
    return { headers: { "x-hub-signature-256": `sha256=${await hexHmac("SHA-256", secret, raw)}` } };
  },
  key: (t) => `${REPO}#${t.n}`,
  created: opened,
  labelAdded: (t, name) => deliver(issue({ ...t, labels: [...t.labels, name] }, "labeled", (p) => (p.label = label(name)))),
  labelRemoved: (t, name) => deliver(issue(t, "unlabeled", (p) => (p.label = label(name)))),
  closed: (t) => deliver(issue(t, "closed", (p) => (p.issue.state = "closed"))),
  comment: (t, text) =>
    deliver(issue(t, "created", (p) => (p.comment = { id: 2_000_000 + t.n, body: text, user: { login: "erin" } })), "issue_comment"),
  mentionStarts: true,
  prompt: (t) => [
    `Ticket ${REPO}#${t.n}: ${t.title}`,
    "Tracker: GitHub",
    `Project: ${REPO}`,
    `Ticket URL: https://github.com/${REPO}/issues/${t.n}`,
    `Reported by: ${t.author}`,
    t.description,
    `Repository: ${REPO}`,
    `To comment, send POST http://tracker.mock/api/v3/repos/${REPO}/issues/${t.n}/comments with the headers "authorization: Bearer $TICKET_API_TOKEN", "accept: application/vnd.github+json", "x-github-api-version: 2022-11-28", "user-agent: devin-ticket-bridge" and the JSON body {"body":"<your comment>"}.`,
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
      name: "assigning the issue to one of ASSIGNEES starts one session (kind assignment), by whoever assigned; another assignee starts nothing",
      env: { ASSIGNEES: "devin-bot" },
      steps: [
        ...["octocat", "devin-bot"].map((login) => ({
          deliver: (t: CaseTicket) => deliver(issue({ ...t, labels: ["bug"] }, "assigned", (p) => Object.assign(p, { assignee: { login }, sender: { login: "erin" } }))),
          expect: login === "devin-bot" ? { status: 202, label: "devin", prompt: ["Assigned to Devin by erin."] } : { status: 200, answer: { status: "skipped" } },
        })),
        { deliver: (t: CaseTicket) => deliver(issue({ ...t, labels: ["bug"] }, "assigned", (p) => Object.assign(p, { assignee: { login: "devin-bot" } }))), expect: { status: 200, answer: { status: "duplicate" } } },
      ],
    },
    {
      name: "refuses a bare hex signature and a malformed one (GitHub always prefixes sha256=)",
      steps: [
        { deliver: opened, override: { "x-hub-signature-256": "sha256=zz" }, expect: { status: 401 } },
        { deliver: opened, sign: async (raw, secret) => ({ headers: { "x-hub-signature-256": await hexHmac("SHA-256", secret, raw) } }), expect: { status: 401 } },
      ],
    },
    {
      name: "accepts the secret in the path instead of a signature, and refuses a wrong one",
      steps: [
        { deliver: (t) => ({ ...opened(t), suffix: "/wrong-secret" }), secret: false, expect: { status: 401 } },
        { deliver: (t) => ({ ...opened(t), suffix: `/${URL_SECRET}` }), secret: false, expect: { status: 202, answer: { playbook: "playbook-autofix-0001" } } },
      ],
    },
    {
      name: "triggers only on the label just added, not on labels already there; never on an edit",
      steps: [
        skips((t) => deliver(issue({ ...t, labels: ["devin-autofix", "needs-triage"] }, "labeled", (p) => (p.label = label("needs-triage")))), /no trigger label/),
        skips((t) => deliver(issue(t, "edited")), /no trigger label/),
      ],
    },
    {
      name: "skips deleted issues, pull requests, other events and other shapes",
      steps: [
        skips((t) => deliver(issue(t, "deleted")), /deleted/),
        skips((t) => deliver(issue(t, "opened", (p) => (p.issue.pull_request = { url: `https://api.github.com/repos/${REPO}/pulls/${t.n}` }))), /pull request/),
        skips(() => deliver({ zen: "Keep it logically awesome.", hook_id: 1 }, "ping"), /ping/),
        skips(() => deliver({ action: "opened", issue: { number: "x" } }), /not a GitHub issue/),
        skips((t) => deliver(issue(t, "opened"), "issue_comment"), /issue_comment/),
      ],
    },
    {
      name: "skips comment edits, deletions and comments on pull requests",
      steps: [
        skips((t) => comment(t, "edited"), /edited/),
        skips((t) => comment(t, "deleted"), /deleted/),
        skips((t) => comment(t, "created", (p) => (p.issue.pull_request = { url: `https://api.github.com/repos/${REPO}/pulls/${t.n}` })), /pull request/),
      ],
    },
    {
      name: "forwards a comment on a closed issue that has a session: whether a session exists is the bridge's question",
      steps: [starts(opened), forwards((t) => comment(t, "created", (p) => (p.issue.state = "closed")), "one more thing", "erin")],
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
