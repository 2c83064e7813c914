// GitLab Issue Hook and Note Hook deliveries (docs.gitlab.com user/project/integrations/webhook_events; the fixture
// is an `open`), with X-Gitlab-Token, or for a 19.0+ signing token Standard Webhooks' webhook-id/-timestamp/-signature.
import { skips, TRIGGER, URL_SECRET, type CaseTicket, type Delivery, type Signed, type Step, type TrackerCases } from "../case-table";
import { standardWebhookHeaders } from "../kit/sign";
import { apiRoot, notesPath } from "./api";
import open from "./fixtures/gitlab-issue-open.json" with { type: "json" };

const PATH = "acme/web-app";
const TOKEN = "glpat-test-4f5e6d7c8b9a";
const SECRET = "devin-bridge-test-secret";
// The test signing token, whsec_ + base64(SHA-256 of the test secret), and its signature of the fixture file
// (./fixtures/gitlab-issue-open.json as committed), made on 2026-03-10: stale now, which is the point.
const SIGNING = "whsec_z2lzZvc6J91W3+dHJ9/yic+GDA3+65sR8WhOtpQAS8c=";
const README_SIGNED = { "webhook-id": "0d6b1e9a-7c1f-4a4e-9a3b-5f1e2d3c4b5a", "webhook-timestamp": "1773151331" };
const README_SIGNATURE = { ...README_SIGNED, "webhook-signature": "v1,pXLUB7QufW8AyzTbrUfqUKhhHDSEH2bm7u8d1I2zygs=" };
const label = (title: string) => ({ id: 300 + title.length, title, color: "#dc143c", project_id: 17, type: "ProjectLabel" });
const url = (n: number) => `https://gitlab.acme.test/${PATH}/-/issues/${n}`;
let noteId = 4_000_000;

function issue(t: CaseTicket, edit: (p: any) => void = () => {}): any {
  const p = structuredClone(open) as any;
  const labels = t.labels.map(label);
  Object.assign(p.object_attributes, { iid: t.n, title: t.title, description: t.description, url: url(t.n), labels });
  Object.assign(p, { labels, user: { ...p.user, username: t.author } });
  edit(p);
  return p;
}

/** An `update` whose labels went from `previous` to `current`. */
const update = (t: CaseTicket, previous: string[], current: string[], edit: (p: any) => void = () => {}) =>
  issue({ ...t, labels: current }, (p) => {
    p.object_attributes.action = "update";
    p.changes = { labels: { previous: previous.map(label), current: current.map(label) }, updated_at: { previous: "a", current: "b" } };
    edit(p);
  });

/** A Note Hook on the issue as 16.11+ sends it (with `action`); `edit` gets its object_attributes and the body. */
function note(t: CaseTicket, text: string, edit: (a: any, p: any) => void = () => {}): any {
  const [id, at] = [++noteId, "2026-03-11 09:00:00 UTC"];
  const a = { id, note: text, noteable_type: "Issue", created_at: at, updated_at: at, system: false, action: "create" };
  const issue = { iid: t.n, title: t.title, description: t.description, labels: t.labels.map(label), state: "opened", url: url(t.n) };
  const p = { object_kind: "note", user: { name: "Erin Dev", username: "erin" }, project: open.project, object_attributes: a, issue };
  edit(a, p);
  return p;
}

const deliver = (payload: unknown, event = "Issue Hook", headers: Record<string, string> = {}): Delivery => ({
  body: typeof payload === "string" ? payload : JSON.stringify(payload),
  headers: { "x-gitlab-event": event, "user-agent": "GitLab/18.9.0", ...headers },
});
const refused = (deliver: Step["deliver"], more: Partial<Step> = {}): Step => ({ deliver, ...more, expect: { status: 401 } });
const forwarded = (...message: string[]) => ({ status: 202, answer: { status: "forwarded" }, message });
const onNote = (edit: (a: any, p: any) => void) => (t: CaseTicket) => deliver(note(t, "@devin hi", edit), "Note Hook");
const labelAdded = (t: CaseTicket) => deliver(update(t, ["bug"], ["bug", TRIGGER]));
const tampered = (more: Partial<Step>) => refused(labelAdded, { secret: SIGNING, ...more });
/** Without the label, routed by `?label=` on the URL, under one Idempotency-Key however often it is sent. */
const routed = (t: CaseTicket) => ({
  ...deliver(issue({ ...t, labels: ["bug"] }), "Issue Hook", { "idempotency-key": `idem-${t.n}` }),
  suffix: `?label=${TRIGGER}`,
});
/** The issue as the REST API answers it: an update names its reporter only by `author_id`, the API by username. */
const issueApi = (t: CaseTicket) => ({ method: "GET", path: `/api/v4/projects/${open.project.id}/issues/${t.n}`, body: { iid: t.n, author: { id: 51, username: t.author, name: "Dana Ops" } } });
const by = (username: string) => (p: any) => (p.user = { ...p.user, name: username, username });

const mergeRequest = { object_kind: "merge_request", object_attributes: { iid: 1, title: "x", action: "open" } };

export const cases: TrackerCases = {
  tracker: "gitlab",
  signsBody: false,
  env: { GITLAB_BASE_URL: "http://tracker.mock", GITLAB_API_TOKEN: TOKEN, GITLAB_URL_SECRET: URL_SECRET, GITLAB_URL_LABELS: TRIGGER },
  async sign(raw, secret): Promise<Signed> {
    // A secret token travels as it is; a signing token signs, and several (a rotation) each sign.
    if (!secret.startsWith("whsec_")) return { headers: { "x-gitlab-token": secret } };
    const [timestamp, id] = [Math.floor(Date.now() / 1000), crypto.randomUUID()];
    const all = await Promise.all(secret.split(",").map((key) => standardWebhookHeaders(key.trim(), raw, timestamp, id)));
    return { headers: { ...all[0]!, "webhook-signature": all.map((h) => h["webhook-signature"]).join(" ") } };
  },
  key: (t) => `${PATH}#${t.n}`,
  created: (t) => deliver(issue(t)),
  labelAdded: (t, name) => deliver(update(t, t.labels, [...t.labels, name])),
  labelRemoved: (t, name) => deliver(update(t, [...t.labels, name], t.labels)),
  closed: (t) => deliver(issue(t, (p) => Object.assign(p.object_attributes, { action: "close", state: "closed" }))),
  comment: (t, text) => deliver(note(t, text), "Note Hook"),
  mentionStarts: true,
  // The note's issue names no author.
  mentionPrompt: (t) => cases.prompt(t).filter((line) => !String(line).startsWith("Reported by")),
  prompt: (t) => [
    ...[new RegExp(`^Ticket ${PATH}#${t.n}: `, "m"), "Tracker: GitLab", `Project: ${PATH}`],
    ...[`Ticket URL: ${url(t.n)}`, `Reported by: ${t.author}`, t.description, `Repository: ${PATH}`],
    `To comment, send POST http://tracker.mock/api/v4/projects/${open.project.id}/issues/${t.n}/notes with the header "private-token: $TICKET_API_TOKEN" and the JSON body {"body":"<your comment>"}.`,
  ],
  routes: (t) => [issueApi(t)],
  writeBack: (t) => ({
    method: "POST",
    path: `/api/v4/projects/${open.project.id}/issues/${t.n}/notes`,
    headers: { "private-token": TOKEN, authorization: null, "content-type": "application/json" },
    text: (body) => body.body,
  }),
  extra: [
    {
      // `user` is whoever acted; the payload has the reporter only as `author_id`.
      name: "the allow-list judges who asked (the reporter of a new issue, whoever added the label); the prompt names the reporter, from the API on an update",
      env: { GITLAB_ALLOWED_AUTHORS: "dana,mia" },
      steps: [
        skips((t) => deliver(issue({ ...t, author: "outsider" })), /author "outsider" is not in ALLOWED_AUTHORS/),
        skips((t) => deliver(update(t, ["bug"], ["bug", TRIGGER], by("outsider"))), /author "outsider" is not in ALLOWED_AUTHORS/),
        { deliver: (t) => deliver(update(t, ["bug"], ["bug", TRIGGER], by("mia"))), expect: { status: 202, prompt: ["Reported by: dana"], notInPrompt: ["mia"] } },
      ],
    },
    {
      // GitLab sends tasks, incidents and the other work-item types on the same Issue Hook as `work_item`.
      name: "a work item (object_kind work_item) with the trigger label starts a session like an issue",
      steps: [{ deliver: (t) => deliver(issue(t, (p) => (p.object_kind = "work_item"))), expect: { status: 202, prompt: [`Project: ${PATH}`] } }],
    },
    {
      name: "an update assigning the issue to one of ASSIGNEES starts one session (kind assignment), by whoever assigned; another assignee starts nothing",
      env: { ASSIGNEES: "devin" },
      steps: [
        ...[["sam"], ["sam", "devin"]].map((current) => ({
          deliver: (t: CaseTicket) =>
            deliver(update({ ...t, labels: ["bug"] }, ["bug"], ["bug"], (p) => (p.changes = { assignees: { previous: [{ username: "sam" }].slice(0, current.length - 1), current: current.map((username) => ({ username, name: username })) } }))),
          expect: current.includes("devin") ? { status: 202, label: "devin", prompt: ["Assigned to Devin by dana.", `Repository: ${PATH}`] } : { status: 200, answer: { status: "skipped" } },
        })),
      ],
    },
    {
      name: "a ticket without the label is skipped, started by ?label=, and its redelivery seen by the Idempotency-Key",
      steps: [
        skips((t) => deliver(issue({ ...t, labels: ["bug"] })), /no trigger label/),
        { deliver: routed, expect: { status: 202, answer: { playbook: "playbook-autofix-0001" } } },
        { deliver: routed, expect: { status: 200, answer: { status: "duplicate" }, reason: /already seen/ } },
      ],
    },
    {
      name: "a confidential issue triggers like any other",
      steps: [
        { deliver: (t) => deliver(issue(t, (p) => (p.object_attributes.confidential = true)), "Confidential Issue Hook"), expect: { status: 202 } },
      ],
    },
    {
      name: "an update triggers only on labels it added, not on labels already there; removing one ends the ticket",
      steps: [
        skips((t) => deliver(update(t, ["bug", TRIGGER], ["bug", TRIGGER, "frontend"])), /no trigger label/),
        skips((t) => deliver(update(t, [TRIGGER], [TRIGGER], (p) => (p.changes = { title: {} }))), /no trigger label/),
        skips((t) => deliver(update(t, ["bug", TRIGGER], ["bug"])), /label was removed/),
      ],
    },
    {
      name: "skips a reopen, an update of a closed issue, other events, and other bodies under an issue or note header",
      steps: [
        skips((t) => deliver(issue(t, (p) => (p.object_attributes.action = "reopen"))), /action "reopen"/),
        skips((t) => deliver(update(t, [], [TRIGGER], (p) => (p.object_attributes.state = "closed"))), /closed/),
        skips(() => deliver({ object_kind: "note", object_attributes: { note: "hi", noteable_type: "Issue" } }, "Note Hook"), /Note Hook/),
        skips(() => deliver(mergeRequest, "Merge Request Hook"), /not an issue event/),
        skips(() => deliver(mergeRequest), /not a GitLab issue event/),
      ],
    },
    {
      name: "accepts the secret in the path; refuses a wrong one, an empty token, and a signature when the secret is no signing token",
      steps: [
        refused((t) => ({ ...labelAdded(t), suffix: "/wrong-secret" }), { secret: false }),
        refused(labelAdded, { override: { "x-gitlab-token": "" } }),
        refused(labelAdded, { secret: SIGNING }),
        { deliver: (t) => ({ ...labelAdded(t), suffix: `/${URL_SECRET}` }), secret: false, expect: { status: 202 } },
      ],
    },
    {
      name: "signing token: refuses a stale signature, a changed body, id or timestamp, a bad or missing one; one good of several is enough",
      env: { GITLAB_WEBHOOK_SECRET: `${SECRET},${SIGNING}` },
      steps: [
        // The fixture file's exact bytes, as the README signed them.
        refused(() => deliver(`${JSON.stringify(open, null, 2)}\n`), { secret: false, override: README_SIGNATURE }),
        tampered({ signOver: (raw) => raw.replace("Checkout", "Checkouts") }),
        ...["webhook-id", "webhook-timestamp", "webhook-signature"].map((h) => tampered({ override: { [h]: "v1,no base64!" } })),
        tampered({ override: { "webhook-signature": null } }),
        // The signing key sent in clear as a plain token would skip the signed timestamp: only its own scheme takes it.
        refused(labelAdded, { secret: false, override: { "x-gitlab-token": SIGNING } }),
        { deliver: labelAdded, secret: `whsec_${btoa("another key of thirty-two bytes!")},${SIGNING}`, expect: { status: 202 } },
      ],
    },
    {
      name: "forwards a confidential note with its author, and a pre-16.11 note (no action) without an event header",
      steps: [
        { deliver: (t) => deliver(issue(t)), expect: { status: 202 } },
        { deliver: (t) => deliver(note(t, "@devin the guest checkout too"), "Confidential Note Hook"), expect: forwarded("guest checkout", "erin") },
        { deliver: (t) => deliver(note(t, "@devin mini cart", (a) => delete a.action)), override: { "x-gitlab-event": null }, expect: forwarded() },
      ],
    },
    {
      name: "skips edited notes (with or without `action`), notes on merge requests and system notes",
      steps: [
        skips(onNote((a) => (a.action = "update")), /update/),
        skips(onNote((a) => ((a.updated_at = "2026-03-11 09:05:00 UTC"), delete a.action)), /not created/),
        skips(onNote((a, p) => ((a.noteable_type = "MergeRequest"), delete p.issue)), /MergeRequest/),
        skips(onNote((a) => (a.system = true)), /system/),
        // A mention starts a ticket only from what the note carries: an issue without its title, or a closed one, starts nothing.
        skips(onNote((_, p) => (p.issue = { iid: p.issue.iid })), /no Devin session/),
        skips(onNote((_, p) => (p.issue.state = "closed")), /no Devin session/),
      ],
    },
  ],
  checks: [
    {
      name: "notes go to the numeric project id, else to the URL-encoded path, under a base that may name /api/v4",
      actual: () => [notesPath("a/b#5", { projectId: 17, iid: 5 }), notesPath("a/b#5"), apiRoot("http://gl.test/api/v4/"), apiRoot("http://gl.test")],
      expected: ["/projects/17/issues/5/notes", "/projects/a%2Fb/issues/5/notes", "http://gl.test/api/v4", "http://gl.test/api/v4"],
    },
  ],
  sample: () => deliver(issue({ ...open.object_attributes, n: 128, labels: ["bug", TRIGGER], author: "dana" })),
};
