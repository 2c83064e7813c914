// Gitea and Forgejo `issues` / `issue_comment` deliveries, one table each from one builder. Shape: a real Gitea `opened`
// delivery (./fixtures); headers as services/webhook/deliver.go sets them (X-Gitea-*, on Forgejo X-Forgejo-* too).
import { type CaseTicket, type Delivery, type ExtraCase, type Step, type TrackerCases, URL_SECRET, TRIGGER } from "../case-table";
import { hexHmac } from "../kit/sign";
import { giteaApiBase } from "./api";
import opened from "./fixtures/gitea-issue-opened.json" with { type: "json" };
import { forgejo, gitea } from "./index";

const REPO = "acme/web-app";
// The fixture's exact bytes and the signature Gitea sent with them (test secret): a vector, not a re-signing.
const RAW = `${JSON.stringify(opened, null, 2)}\n`;
const RAW_SIGNATURE = "ddfa349fa70d4220e0d9cf3a2cae99cf7e102f1f62d3749d5f2d543062e75a12";
const label = (name: string) => ({ id: name.length, name, color: "e11d21", description: "", exclusive: false });

function issue(t: CaseTicket, action: string, edit: (p: any) => void = () => {}): any {
  const p = structuredClone(opened) as any;
  Object.assign(p, { action, number: t.n });
  Object.assign(p.issue, { number: t.n, title: t.title, body: t.description, labels: t.labels.map(label), html_url: `https://gitea.acme.test/${REPO}/issues/${t.n}` });
  p.issue.user.login = t.author;
  edit(p);
  return p;
}

/** Gitea's IssueCommentPayload: the issue's fields but `number`, plus `comment` and `is_pull`. */
const commented = (t: CaseTicket, body: string, action = "created", edit: (p: any) => void = () => {}) =>
  issue(t, action, (p) => {
    Object.assign(p, { number: undefined, is_pull: false, comment: { id: 3_000_000 + t.n, user: { id: 7, login: "erin" }, body } });
    edit(p);
  });

function table(id: "gitea" | "forgejo"): TrackerCases {
  const name = id === "gitea" ? "Gitea" : "Forgejo";
  // Every issue sub-type arrives under Event `issues`; the detail is in Event-Type.
  const deliver = (payload: unknown, type = "issues", event = type.startsWith("issue_label") ? "issues" : type): Delivery => ({
    body: typeof payload === "string" ? payload : JSON.stringify(payload),
    headers: { "user-agent": "Go-http-client/1.1", [`x-${id}-delivery`]: crypto.randomUUID(), [`x-${id}-event`]: event, [`x-${id}-event-type`]: type },
  });
  const open = (t: CaseTicket) => deliver(issue(t, "opened"));
  const skips = (reason: RegExp, payload: (t: CaseTicket) => unknown, type?: string, event?: string): Step =>
    ({ deliver: (t) => deliver(payload(t), type, event), expect: { status: 200, answer: { status: "skipped" }, reason } });
  const [pr, hi] = [/pull request/, "@devin hi"];
  const fixture: ExtraCase = {
    name: `the real opened delivery as ${name} signed it is skipped (its only label is bug); routed with ?label= it names ${name} and the issue`,
    steps: [
      { deliver: () => deliver(RAW), secret: false, override: { [`x-${id}-signature`]: RAW_SIGNATURE }, expect: { status: 200, reason: /no trigger label/ } },
      // Re-signed with the case's title, which the session title must carry; all else as delivered.
      { deliver: (t) => ({ ...deliver(RAW.replace(opened.issue.title, t.title)), suffix: "?label=devin-autofix" }), expect: { status: 202, key: `${REPO}#128`,
        prompt: [/^Ticket acme\/web-app#128: Checkout returns 500 when cart is empty \(\d+\)\n/m, `Tracker: ${name}`, `Project: ${REPO}`,
          `Ticket URL: https://gitea.acme.test/${REPO}/issues/128`, "Reported by: dana", "HTTP 500 from `CartTotals#compute`"] } },
    ],
  };
  // Forgejo runs the same code under other headers: its table keeps to the standard checks and the real delivery.
  const assigned = (login: string) => (t: CaseTicket) =>
    deliver(issue({ ...t, labels: ["bug"] }, "assigned", (p) => Object.assign(p, { sender: { id: 7, login: "erin" }, issue: { ...p.issue, assignees: [{ id: 9, login }] } })), "issue_assign", "issues");
  const assignment: ExtraCase = {
    name: "assigning the issue to one of ASSIGNEES starts one session (kind assignment), by whoever assigned; another assignee starts nothing",
    env: { ASSIGNEES: "devin" },
    steps: [
      { deliver: assigned("sam"), expect: { status: 200, answer: { status: "skipped" } } },
      { deliver: assigned("devin"), expect: { status: 202, label: "devin", prompt: ["Assigned to Devin by erin.", `Repository: ${REPO}`] } },
      { deliver: assigned("devin"), expect: { status: 200, answer: { status: "duplicate" } } },
    ],
  };
  const giteaOnly: ExtraCase[] = [
    {
      name: "refuses a malformed native signature and a wrong path secret; accepts X-Hub-Signature-256 alone and the secret in the path",
      steps: [
        { deliver: open, override: { "x-gitea-signature": "not-hex" }, expect: { status: 401 } },
        { deliver: (t) => ({ ...open(t), suffix: "/wrong-secret" }), secret: false, expect: { status: 401 } },
        { deliver: open, override: { "x-gitea-signature": null }, expect: { status: 202 } },
        // Past verification, the same ticket again is a duplicate, not a 401.
        { deliver: (t) => ({ ...open(t), suffix: `/${URL_SECRET}` }), secret: false, expect: { status: 200, answer: { status: "duplicate" } } },
      ],
    },
    {
      name: "skips label updates without the trigger label, edits, closed issues, pull requests and comments on them, comment edits, other events and shapes",
      steps: [
        skips(/no trigger label/, (t) => issue({ ...t, labels: ["bug"] }, "label_updated"), "issue_label"),
        skips(/no trigger label/, (t) => issue(t, "label_cleared", (p) => (p.issue.labels = null)), "issue_label"),
        skips(/no trigger label/, (t) => issue(t, "edited")),
        skips(/closed/, (t) => issue(t, "closed", (p) => (p.issue.state = "closed"))),
        skips(pr, (t) => issue(t, "opened", (p) => (p.issue.pull_request = { merged: false }))),
        skips(/issue_comment/, (t) => issue(t, "opened"), "issue_comment"),
        skips(/push/, (t) => issue(t, "opened"), "push"),
        skips(/not a Gitea issue/, () => ({ action: "opened", issue: { title: 7 } })),
        ...["edited", "deleted"].map((action) => skips(new RegExp(action), (t) => commented(t, hi, action), "issue_comment")),
        skips(pr, (t) => commented(t, hi), "pull_request_comment", "issue_comment"),
        skips(pr, (t) => commented(t, hi, "created", (p) => (p.is_pull = true)), "issue_comment"),
        skips(pr, (t) => commented(t, hi, "created", (p) => (p.issue.pull_request = { merged: false })), "issue_comment"),
      ],
    },
  ];
  // The adapter as the core calls it, for what the answers cannot show.
  const parse = (payload: unknown, event = "issues") => {
    const req = { raw: new Uint8Array(), headers: new Headers({ [`x-${id}-event`]: event }), url: new URL(`https://bridge.test/webhooks/${id}`) };
    return (id === "gitea" ? gitea : forgejo).parse(payload, req, { settings: {} });
  };
  const t9: CaseTicket = { n: 9, title: "t", description: "", labels: [], author: "dana" };
  const apiRoot = (base: string) => giteaApiBase(base);

  return {
    tracker: id,
    signsBody: true,
    // Forgejo's base names the API root: write-back must not add a second /api/v1.
    env: id === "gitea"
      ? { GITEA_BASE_URL: "http://tracker.mock", GITEA_URL_SECRET: URL_SECRET, GITEA_URL_LABELS: TRIGGER }
      : { FORGEJO_BASE_URL: "http://tracker.mock/api/v1/", FORGEJO_URL_SECRET: URL_SECRET, FORGEJO_URL_LABELS: TRIGGER },
    async sign(raw, secret) {
      const hex = await hexHmac("SHA-256", secret, raw);
      return { headers: { [`x-${id}-signature`]: hex, "x-hub-signature-256": `sha256=${hex}` } };
    },
    key: (t) => `${REPO}#${t.n}`,
    created: open,
    labelAdded: (t, name) => deliver(issue({ ...t, labels: [...t.labels, name] }, "label_updated"), "issue_label"),
    labelRemoved: (t, name) => deliver(issue({ ...t, labels: t.labels.filter((l) => l !== name) }, "label_updated"), "issue_label"),
    closed: (t) => deliver(issue(t, "closed", (p) => (p.issue.state = "closed"))),
    comment: (t, text) => deliver(commented(t, text), "issue_comment"),
    mentionStarts: true,
    prompt: (t) => [`Ticket ${REPO}#${t.n}: `, `Tracker: ${name}`, `Project: ${REPO}`, `Ticket URL: https://gitea.acme.test/${REPO}/issues/${t.n}`, `Reported by: ${t.author}`,
      `Repository: ${REPO}`, `To comment, send POST http://tracker.mock/api/v1/repos/${REPO}/issues/${t.n}/comments with the header "authorization: token $TICKET_API_TOKEN" and the JSON body {"body":"<your comment>"}.`],
    writeBack: (t) => ({
      method: "POST",
      path: `/api/v1/repos/${REPO}/issues/${t.n}/comments`,
      headers: { authorization: /^token \S+$/, "content-type": "application/json" },
      text: (body) => body.body,
    }),
    extra: [fixture, assignment, ...(id === "gitea" ? giteaOnly : [])],
    checks: [
      { name: "write-back goes to /api/v1 under the configured base URL", actual: () => apiRoot("https://gitea.acme.test"), expected: "https://gitea.acme.test/api/v1" },
      { name: "… keeping the instance's sub-path", actual: () => apiRoot("https://git.acme.test/forge/"), expected: "https://git.acme.test/forge/api/v1" },
      { name: "a new issue comment is a follow-up keyed like the issue, with its author and id, and carries the issue a mention may start",
        actual: () => {
          const e = parse(commented(t9, hi), "issue_comment") as any;
          return { ...e, comment: { ...e.comment, ticket: { key: e.comment.ticket?.key, project: e.comment.ticket?.project } } };
        },
        expected: { kind: "comment", comment: { key: `${REPO}#9`, id: `${REPO}#9`, text: hi, author: "erin", commentId: "3000009", ticket: { key: `${REPO}#9`, project: REPO } } } },
    ],
    sample: () => deliver(issue({ n: 128, title: opened.issue.title, description: opened.issue.body, labels: ["bug", "devin-autofix"], author: "dana" }, "opened")),
  };
}

export const cases: TrackerCases[] = [table("gitea"), table("forgejo")];
