// Gogs `issues` / `issue_comment` deliveries. Shapes: go-gogs-client repo_hook.go (IssuesPayload, IssueCommentPayload,
// the actions opened/closed/label_updated/label_cleared/…), issue.go, issue_label.go, user.go, repo.go; headers and signing as
// gogs/gogs internal/database/webhook.go sets them (X-Gogs-Delivery, X-Gogs-Event, X-Gogs-Signature = bare hex HMAC-SHA256
// of the JSON the hook task stores, plus X-Github-Delivery/X-Github-Event). The fixture is written from those structs
// (Go's MarshalIndent, two spaces, no trailing newline), not captured from a running Gogs: field order and the newer
// Repository fields (name, size, stars_count, …) are unconfirmed; the bridge reads none of them.
import type { CaseTicket, Delivery, ExtraCase, TrackerCases } from "../case-table";
import { skips, starts } from "../case-table";
import { hexHmac } from "../kit/sign";
import { gogsApiBase } from "./api";
import opened from "./fixtures/gogs-issue-opened.json" with { type: "json" };
import { gogs } from "./index";

const REPO = "acme/web-app";
const RAW = JSON.stringify(opened, null, 2);
// HMAC-SHA256 of RAW with the test secret, computed with `openssl dgst -sha256 -hmac` apart from the bridge's code.
const RAW_SIGNATURE = "91ae3cc80a9066f5f401865c1b98a7ecdd54595498eb1d4382913c02c6f7c522";
const label = (name: string) => ({ id: name.length, name, color: "#ee0701", url: `https://gogs.acme.test/api/v1/repos/${REPO}/labels/${name.length}` });

function issue(t: CaseTicket, action: string, edit: (p: any) => void = () => {}): any {
  const p = structuredClone(opened) as any;
  Object.assign(p, { action, number: t.n });
  Object.assign(p.issue, { number: t.n, title: t.title, body: t.description, labels: t.labels.map(label) });
  p.issue.user.login = p.issue.user.username = t.author;
  edit(p);
  return p;
}

/** IssueCommentPayload: no top-level `number`, the comment beside the issue. */
const commented = (t: CaseTicket, body: string, action = "created", edit: (p: any) => void = () => {}) =>
  issue(t, action, (p) => {
    delete p.number;
    p.comment = { id: 4_000_000 + t.n, user: { id: 7, username: "erin", login: "erin" }, body, created_at: "2026-03-10T15:00:00Z", updated_at: "2026-03-10T15:00:00Z" };
    edit(p);
  });

const deliver = (payload: unknown, event = "issues"): Delivery => {
  const id = crypto.randomUUID();
  const body = typeof payload === "string" ? payload : JSON.stringify(payload, null, 2);
  return { body, headers: { "user-agent": "GogsServer", "x-gogs-delivery": id, "x-gogs-event": event, "x-github-delivery": id, "x-github-event": event } };
};
const open = (t: CaseTicket) => deliver(issue(t, "opened"));
const hi = "@devin hi";

const extra: ExtraCase[] = [
  {
    name: "the fixture with an independently computed signature is skipped (its only label is bug); routed with ?label= it names Gogs and links the issue on GOGS_BASE_URL",
    steps: [
      { deliver: () => deliver(RAW), secret: false, override: { "x-gogs-signature": RAW_SIGNATURE }, expect: { status: 200, reason: /no trigger label/ } },
      { deliver: () => deliver(RAW), secret: false, override: { "x-gogs-signature": RAW_SIGNATURE.replace(/^9/, "8") }, expect: { status: 401 } },
      { deliver: (t) => ({ ...deliver(RAW.replace(opened.issue.title, t.title)), suffix: "?label=devin-autofix" }), expect: { status: 202, key: `${REPO}#128`,
        prompt: [/^Ticket acme\/web-app#128: Checkout returns 500 when cart is empty \(\d+\)\n/m, "Tracker: Gogs", `Project: ${REPO}`,
          `Ticket URL: http://tracker.mock/${REPO}/issues/128`, "Reported by: dana", "HTTP 500 from `CartTotals#compute`"] } },
    ],
  },
  {
    name: "refuses a malformed signature; accepts a sha256= prefix",
    steps: [
      { deliver: open, override: { "x-gogs-signature": "not-hex" }, expect: { status: 401 } },
      { deliver: open, sign: async (raw, secret) => ({ headers: { "x-gogs-signature": `sha256=${await hexHmac("SHA-256", secret, raw)}` } }), expect: { status: 202 } },
    ],
  },
  {
    name: "skips label changes without the trigger label, cleared labels, edits, pull requests, comment edits and deletions, other events and shapes",
    steps: [
      skips((t) => deliver(issue({ ...t, labels: ["bug"] }, "label_updated")), /no trigger label/),
      skips((t) => deliver(issue({ ...t, labels: [] }, "label_cleared")), /no trigger label/),
      skips((t) => deliver(issue(t, "edited")), /no trigger label/),
      skips((t) => deliver(issue(t, "opened", (p) => (p.issue.pull_request = { merged: false, merged_at: null }))), /pull request/),
      skips((t) => deliver(issue(t, "opened"), "push"), /push/),
      skips(() => deliver({ action: "opened", issue: { title: 7 } }), /not a Gogs issue/),
      skips(() => deliver({ action: "created" }, "issue_comment"), /not a Gogs issue_comment/),
      ...["edited", "deleted"].map((action) => skips((t) => deliver(commented(t, hi, action), "issue_comment"), new RegExp(action))),
    ],
  },
  {
    name: "a label change that keeps the trigger label after the session started is a duplicate, not a second session",
    steps: [
      starts(open),
      { deliver: (t) => deliver(issue({ ...t, labels: [...t.labels, "urgent"] }, "label_updated")), expect: { status: 200, answer: { status: "duplicate" } } },
    ],
  },
];

const parse = (payload: unknown, event = "issues", baseUrl?: string) => {
  const req = { raw: new Uint8Array(), headers: new Headers({ "x-gogs-event": event }), url: new URL("https://bridge.test/webhooks/gogs") };
  return gogs.parse(payload, req, { settings: {}, baseUrl });
};
const t9: CaseTicket = { n: 9, title: "t", description: "", labels: ["devin-autofix"], author: "dana" };
const ticketOf = (payload: unknown, baseUrl?: string) => {
  const event = parse(payload, "issues", baseUrl);
  return event.kind === "ticket" ? { url: event.ticket.url, api: gogsApiBase(baseUrl ?? "https://gogs.acme.test") } : event;
};

export const cases: TrackerCases = {
  tracker: "gogs",
  signsBody: true,
  env: { GOGS_BASE_URL: "http://tracker.mock", GOGS_URL_LABELS: "devin-autofix" },
  async sign(raw, secret) {
    return { headers: { "x-gogs-signature": await hexHmac("SHA-256", secret, raw) } };
  },
  key: (t) => `${REPO}#${t.n}`,
  created: open,
  labelAdded: (t, name) => deliver(issue({ ...t, labels: [...t.labels, name] }, "label_updated")),
  labelRemoved: (t, name) => deliver(issue({ ...t, labels: t.labels.filter((l) => l !== name) }, "label_updated")),
  closed: (t) => deliver(issue(t, "closed", (p) => (p.issue.state = "closed"))),
  comment: (t, text) => deliver(commented(t, text), "issue_comment"),
  // GOGS_BASE_URL is the mock: the link is built on it.
  prompt: (t) => [`Ticket ${REPO}#${t.n}: `, "Tracker: Gogs", `Project: ${REPO}`, `Ticket URL: http://tracker.mock/${REPO}/issues/${t.n}`, `Reported by: ${t.author}`,
    `To comment, send POST http://tracker.mock/api/v1/repos/${REPO}/issues/${t.n}/comments with the header "authorization: token $TICKET_API_TOKEN" and the JSON body {"body":"<your comment>"}.`],
  writeBack: (t) => ({
    method: "POST",
    path: `/api/v1/repos/${REPO}/issues/${t.n}/comments`,
    headers: { authorization: /^token \S+$/, "content-type": "application/json" },
    text: (body) => body.body,
  }),
  extra,
  checks: [
    { name: "without GOGS_BASE_URL the link comes from the repository's page, keeping a sub-path",
      actual: () => (ticketOf(issue(t9, "opened", (p) => (p.repository.html_url = `https://git.acme.test/gogs/${REPO}`))) as { url?: string }).url,
      expected: `https://git.acme.test/gogs/${REPO}/issues/9` },
    { name: "GOGS_BASE_URL names the link's instance and the API root", actual: () => ticketOf(issue(t9, "opened"), "https://gogs.internal/"),
      expected: { url: `https://gogs.internal/${REPO}/issues/9`, api: "https://gogs.internal/api/v1" } },
    { name: "a new issue comment is a follow-up keyed like the issue, with its author and id", actual: () => parse(commented(t9, hi), "issue_comment"),
      expected: { kind: "comment", comment: { key: `${REPO}#9`, id: `${REPO}#9`, text: hi, author: "erin", commentId: "4000009" } } },
    { name: "closing the issue ends its run", actual: () => parse(issue(t9, "closed", (p) => (p.issue.state = "closed"))),
      expected: { kind: "ended", ended: { key: `${REPO}#9`, id: `${REPO}#9`, reason: "closed", author: "dana" } } },
  ],
  sample: () => deliver(issue({ n: 128, title: opened.issue.title, description: opened.issue.body, labels: ["bug", "devin-autofix"], author: "dana" }, "opened")),
};
