// Two senders: JetBrains' Webhook Triggers app (JetBrains/youtrack-apps packages/webhook-triggers-app: `{event, timestamp,
// id, summary, project, …}`, the token in X-YouTrack-Token), and on older YouTrack the bridge's own workflow rule
// (README "YouTrack"), with a Bearer token. The table's own deliveries are the workflow rule's.
import { skips, TRIGGER, URL_SECRET, type CaseTicket, type Delivery, type Step, type TrackerCases } from "../case-table";
import { apiRoot, webRoot } from "./api";
import appUpdated from "./fixtures/youtrack-app-issue-updated.json" with { type: "json" };
import created from "./fixtures/youtrack-workflow-issue-created.json" with { type: "json" };

const TOKEN = "perm:YnJpZGdl.dGVzdA==.0a1b2c3d4e5f";
const SECRET = "devin-bridge-test-secret";
const key = (t: CaseTicket) => `WEB-${t.n}`;
const url = (t: CaseTicket) => `https://youtrack.acme.test/issue/${key(t)}`;

function issue(t: CaseTicket, edit: (p: any) => void = () => {}): any {
  const p = structuredClone(created) as any;
  Object.assign(p, { idReadable: key(t), summary: t.title, description: t.description, url: url(t), tagsAdded: t.labels });
  Object.assign(p, { tags: t.labels.map((name) => ({ name })), reporter: { ...p.reporter, login: t.author } });
  edit(p);
  return p;
}

/** `issue.updated` carrying `tags`, and `tagsAdded` when given. */
const updated = (t: CaseTicket, tags: string[], tagsAdded?: string[], edit: (p: any) => void = () => {}) =>
  deliver(issue({ ...t, labels: tags }, (p) => edit(Object.assign(p, { event: "issue.updated", tagsAdded }))));

const deliver = (payload: unknown): Delivery => ({ body: JSON.stringify(payload) });
const comment = (t: CaseTicket, text: string, event = "comment.created") =>
  deliver({ event, idReadable: key(t), url: url(t), comment: { text, author: { login: "erin" } } });
/** The Webhook Triggers app's body for issue `t`: `issueUpdated` with the changes given, `issueCreated` without. */
function app(t: CaseTicket, event = "issueUpdated", changedFields: object[] = appUpdated.changedFields, by = "mia"): Delivery {
  const p: any = { ...structuredClone(appUpdated), event, id: key(t), summary: t.title, description: t.description };
  if (event === "issueUpdated") Object.assign(p, { changedFields, updatedBy: { ...p.updatedBy, login: by } });
  else {
    delete p.changedFields, delete p.updatedBy, delete p.updated;
    Object.assign(p, { created: 1773220443512, reporter: { login: t.author, fullName: "Dana Ops", email: "dana@acme.test" } });
  }
  return deliver(p);
}
const appComment = (t: CaseTicket, text: string): Delivery =>
  deliver({ event: "commentAdded", timestamp: "2026-03-11T09:20:00.000Z", id: key(t), summary: t.title, project: appUpdated.project,
    comments: [{ id: "4-17", text, textPreview: text, created: 1773220800000, updated: null, author: { login: "erin", fullName: "Erin Dev", email: "erin@acme.test" } }] });
/** The app's token header (its default name, or the one the operator chose). */
const appToken = (header = "x-youtrack-token") => async (_raw: string, secret: string) => ({ headers: { [header]: secret } });
const devinField = (value: string | null, oldValue: string | null = null) => [{ name: "Devin", oldValue: oldValue && { name: oldValue, presentation: oldValue }, value: value && { name: value, presentation: value } }];

const refused = (more: Partial<Step>): Step => ({ deliver: (t) => deliver(issue(t)), ...more, expect: { status: 401 } });

export const cases: TrackerCases = {
  tracker: "youtrack",
  signsBody: false,
  env: { YOUTRACK_BASE_URL: "http://tracker.mock", YOUTRACK_API_TOKEN: TOKEN, YOUTRACK_URL_SECRET: URL_SECRET, YOUTRACK_URL_LABELS: TRIGGER },
  sign: async (_raw, secret) => ({ headers: { authorization: `Bearer ${secret}` } }),
  key,
  // The REST API's answer for an issue's reporter (`?fields=reporter(login,fullName)`), which an app update lacks.
  routes: (t) => [{ method: "GET", path: `/api/issues/${key(t)}`, body: { reporter: { login: t.author, fullName: "Dana Ops", $type: "User" }, $type: "Issue" } }],
  created: (t) => deliver(issue(t)),
  labelAdded: (t, name) => updated(t, [...t.labels, name], [name]),
  comment,
  prompt: (t) => [
    ...[new RegExp(`^Ticket ${key(t)}: `, "m"), "Tracker: YouTrack", "Project: WEB"],
    ...[`Ticket URL: ${url(t)}`, `Reported by: ${t.author}`, t.description],
    `To comment, send POST http://tracker.mock/api/issues/${key(t)}/comments with the header "authorization: Bearer $TICKET_API_TOKEN" and the JSON body {"text":"<your comment>"}.`,
  ],
  writeBack: (t) => ({
    method: "POST",
    path: `/api/issues/${key(t)}/comments`,
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    text: (body) => body.text,
  }),
  extra: [
    {
      name: "Webhook Triggers app: an update setting the field Devin to devin-autofix starts a session; the token in X-YouTrack-Token; the allow-list judges who changed it",
      env: { YOUTRACK_ALLOWED_AUTHORS: "mia" },
      steps: [
        { deliver: (t) => app(t, "issueUpdated", devinField(TRIGGER), "outsider"), sign: appToken(), expect: { status: 200, reason: /author "outsider" is not in ALLOWED_AUTHORS/ } },
        { deliver: (t) => app(t), sign: appToken(), override: { "x-youtrack-token": "not-the-token" }, expect: { status: 401 } },
        { deliver: (t) => app(t), sign: appToken(), expect: { status: 202, prompt: ["Project: WEB", "Reported by: dana", "Ticket URL: http://tracker.mock/issue/WEB-"], notInPrompt: ["mia"] } },
      ],
    },
    {
      name: "Webhook Triggers app: a new issue starts only through ?label= (YOUTRACK_URL_LABELS); commentAdded is forwarded; other fields, values taken away and other events are skipped",
      steps: [
        { deliver: (t) => app(t, "issueCreated"), sign: appToken(), expect: { status: 200, reason: /no trigger label/ } },
        { deliver: (t) => app(t, "issueUpdated", [{ name: "Priority", oldValue: { name: "Normal" }, value: { name: "Critical" } }]), sign: appToken(), expect: { status: 200, reason: /no trigger label/ } },
        { deliver: (t) => app(t, "issueUpdated", devinField(null, TRIGGER)), sign: appToken(), expect: { status: 200, reason: /no trigger label/ } },
        { deliver: (t) => ({ ...app(t, "issueCreated"), suffix: `?label=${TRIGGER}` }), sign: appToken(), expect: { status: 202, prompt: ["Reported by: dana"] } },
        { deliver: (t) => appComment(t, "@devin guests too"), sign: appToken(), expect: { status: 202, answer: { status: "forwarded" }, message: ["guests too", "erin"] } },
        ...["issueDeleted", "workItemAdded", "commentUpdated"].map((event) => ({
          deliver: (t: CaseTicket) => deliver({ event, timestamp: "2026-03-11T09:30:00.000Z", id: key(t), summary: t.title }),
          sign: appToken(),
          expect: { status: 200, reason: new RegExp(`YouTrack event "${event.toLowerCase()}"`) },
        })),
      ],
    },
    {
      name: "Webhook Triggers app: YOUTRACK_TOKEN_HEADER names a renamed header, and the default one no longer counts",
      env: { YOUTRACK_TOKEN_HEADER: "X-Hook-Token" },
      steps: [
        { deliver: (t) => app(t), sign: appToken(), expect: { status: 401 } },
        { deliver: (t) => app(t), sign: appToken("x-hook-token"), expect: { status: 202 } },
      ],
    },
    {
      name: "refuses a token without the Bearer scheme, in another scheme or empty; accepts the secret in the path, not a wrong one",
      steps: [
        ...[SECRET, `Basic ${SECRET}`, "Bearer "].map((authorization) => refused({ override: { authorization } })),
        refused({ deliver: (t) => ({ ...deliver(issue(t)), suffix: "/wrong-secret" }), secret: false }),
        { deliver: (t) => ({ ...deliver(issue(t)), suffix: `/${URL_SECRET}` }), secret: false, expect: { status: 202 } },
      ],
    },
    {
      name: "takes addedTags for tagsAdded, and forwards a comment with its author",
      steps: [
        { deliver: (t) => updated(t, ["devin-feature", TRIGGER], undefined, (p) => (p.addedTags = [TRIGGER])), expect: { status: 202 } },
        { deliver: (t) => comment(t, "@devin and guests"), expect: { status: 202, answer: { status: "forwarded" }, message: ["guests", "erin"] } },
      ],
    },
    {
      name: "without tagsAdded (nor event) every current tag may trigger, and YOUTRACK_BASE_URL builds the link",
      env: { YOUTRACK_BASE_URL: "https://youtrack.example.test/" },
      steps: [
        {
          deliver: (t) => updated(t, ["devin-feature"], undefined, (p) => (delete p.url, delete p.event)),
          expect: { status: 202, label: "devin-feature", answer: { playbook: "playbook-feature-0002" }, prompt: ["example.test/issue/WEB-"] },
        },
      ],
    },
    {
      name: "skips updates that add no trigger tag (though the issue has one), other events, comment edits, bodies not the workflow's",
      steps: [
        skips((t) => updated(t, [TRIGGER, "ui"], ["ui"]), /no trigger label/),
        skips((t) => updated(t, [TRIGGER], []), /no trigger label/),
        skips((t) => deliver(issue(t, (p) => (p.event = "issue.deleted"))), /issue\.deleted/),
        skips((t) => deliver(issue(t, (p) => (p.action = p.event = "comment.added"))), /comment\.added/),
        skips(() => deliver({ idReadable: "WEB-1" }), /not a YouTrack issue/),
        ...["comment.updated", "comment.deleted"].map((event) => skips((t) => comment(t, "@devin hi", event), /not a YouTrack issue/)),
        skips(() => deliver({ event: "comment.created", comment: { text: "@devin hi" } }), /not a YouTrack comment/),
      ],
    },
  ],
  checks: [
    {
      name: "a base may end in /api: the API root keeps it, links drop it",
      actual: () => [apiRoot("http://y.test/api/"), webRoot("http://y.test/api")],
      expected: ["http://y.test/api", "http://y.test"],
    },
  ],
  sample: () => deliver(created),
};
