// Taiga webhooks (issue, userstory, task: create / change / delete). Shapes: taigaio/taiga-back
// taiga/webhooks/tasks.py, serializers.py; X-TAIGA-WEBHOOK-SIGNATURE: <hex HMAC-SHA1>, X-Hub-Signature: sha1=<same hex>.
import { type CaseTicket, type Delivery, type Expectation, type MockRoute, type TrackerCases, TRIGGER, URL_SECRET } from "../case-table";
import type { StampedTicket } from "../contract";
import { hexHmac } from "../kit/sign";
import { itemPath, type TaigaSettings, writeBack } from "./api";
import { WEB_SEGMENTS } from "./events";
import created from "./fixtures/taiga-issue-created.json" with { type: "json" };

// An application token (a UUID, taiga-back external_apps), sent as `Application <token>`.
const TOKEN = "0f9e0c6a-2f6b-11f1-9a3c-0242ac120002";
// A login token (a JWT), for an operator who set TAIGA_AUTH_SCHEME=Bearer.
const LOGIN_TOKEN = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VyX2lkIjo5fQ.c2lnbmF0dXJl";
// Permalinks on the tracker mock; write-back goes to TAIGA_BASE_URL (the same origin), never to a permalink's host.
const PROJECT = "http://tracker.mock/project/acme-web-app";

/** The fixture as item `t` (its ref and its global id are both `t.n`). */
function item(t: CaseTicket, edit: (p: any) => void = () => {}, type = "issue"): Delivery {
  const p = structuredClone(created) as any;
  p.type = type;
  Object.assign(p.data, { id: t.n, ref: t.n, subject: t.title, description: t.description, tags: t.labels, permalink: `${PROJECT}/${WEB_SEGMENTS.get(type)}/${t.n}` });
  p.data.project.permalink = PROJECT;
  p.data.owner.username = t.author;
  edit(p);
  return { body: JSON.stringify(p) };
}

/** A `change`: its history entry's diff, and a comment when there is one. */
const change = (t: CaseTicket, diff: object, entry: object = {}, edit: (p: any) => void = () => {}) =>
  item(t, (p) => edit(Object.assign(p, { action: "change", change: { comment: "", comment_html: "", delete_comment_date: null, edit_comment_date: null, diff, ...entry } })));
const tags = (from: string[], to: string[]) => ({ tags: { from, to } });
const erin = (p: any) => (p.by = { id: 9, username: "erin", full_name: "Erin Dev" });
const said = (text: string, entry: object = {}) => ({ comment: text, comment_html: `<p>${text}</p>`, ...entry });
const closing = (p: any) => (p.data.status = { id: 12, name: "Done", is_closed: true });
const only = (t: CaseTicket) => item({ ...t, labels: ["backend"] });
const version = (...collections: string[]) => (t: CaseTicket) => collections.map((c) => ({ method: "GET", path: `/api/v1/${c}/${t.n}`, body: { id: t.n, version: 7 } }));
const skip = (reason: RegExp): Expectation => ({ status: 200, reason });

/** The write-back against canned answers of the tracker mock (ids below any test ticket's): what it sent, and how it ended. */
async function writeBackWith(id: number, answers: Omit<MockRoute, "path">[], api: { token?: string; settings?: TaigaSettings } = {}) {
  const path = `/api/v1/issues/${id}`;
  for (const route of answers) await fetch("http://tracker.mock/__mock/routes", { method: "POST", body: JSON.stringify({ ...route, path }) });
  const ticket = { reply: { type: "issue", itemId: id } } as Partial<StampedTicket> as StampedTicket;
  const outcome = await writeBack(ticket, "hello", { baseUrl: "http://tracker.mock", token: api.token ?? TOKEN, settings: api.settings ?? {} }).then(() => "done", (err: Error) => err.message);
  const sent = (await (await fetch(`http://tracker.mock/__mock/requests?path=${path}`)).json()) as { path: string; method: string; headers: Record<string, string> }[];
  return { sent: sent.filter((r) => r.path === path).map((r) => `${r.method} ${r.headers.authorization}`), outcome };
}
const thrown = (f: () => unknown) => { try { return f(); } catch (err) { return (err as Error).message; } };

export const cases: TrackerCases = {
  tracker: "taiga",
  signsBody: true,
  env: { TAIGA_BASE_URL: "http://tracker.mock", TAIGA_API_TOKEN: TOKEN, TAIGA_URL_SECRET: URL_SECRET, TAIGA_URL_LABELS: TRIGGER },
  sign: (raw, secret) => hexHmac("SHA-1", secret, raw).then((hex) => ({ headers: { "x-taiga-webhook-signature": hex, "x-hub-signature": `sha1=${hex}` } })),
  key: (t) => `acme-web-app#${t.n}`,
  created: (t) => item(t),
  labelAdded: (t, name) => change({ ...t, labels: [...t.labels, name] }, tags(t.labels, [...t.labels, name])),
  labelRemoved: (t, name) => change(t, tags([...t.labels, name], t.labels)),
  closed: (t) => change(t, { status: { from: "New", to: "Done" } }, {}, closing),
  comment: (t, text) => change(t, {}, said(text), erin),
  prompt: (t) => [`Ticket #${t.n}: ${t.title}`, "Tracker: Taiga", `Ticket URL: ${PROJECT}/issue/${t.n}`, "Project: Web App", `Reported by: ${t.author}`, t.description,
    `To comment, send PATCH http://tracker.mock/api/v1/issues/${t.n} with the header "authorization: Application $TICKET_API_TOKEN" and the JSON body {"comment":"<your comment>","version":"<version>"}; <version> is the item's current "version": read it first with GET http://tracker.mock/api/v1/issues/${t.n} (same header).`],
  // A comment is a PATCH of the item that must carry the version just read.
  routes: version("issues"),
  writeBack: (t) => ({ method: "PATCH", path: `/api/v1/issues/${t.n}`, text: (body) => body.comment, fixed: { version: 7 },
    headers: { authorization: `Application ${TOKEN}`, "content-type": "application/json" } }),
  extra: [
    {
      name: "refuses a wrong X-Hub-Signature and path secret, takes the right one; ?label= routes an item tagged `backend` only; a comment with other changes is forwarded, by name",
      steps: [
        { deliver: (t) => item(t), secret: "not-the-secret", override: { "x-taiga-webhook-signature": null }, expect: { status: 401 } },
        { deliver: (t) => ({ ...item(t), suffix: "/not-the-secret" }), secret: false, expect: { status: 401 } },
        { deliver: (t) => ({ ...only(t), suffix: `/${URL_SECRET}` }), secret: false, expect: skip(/no trigger label/) },
        { deliver: (t) => ({ ...only(t), suffix: `?label=${TRIGGER}` }), expect: { status: 202, answer: { playbook: "playbook-autofix-0001" } } },
        {
          deliver: (t) => change(t, { status: { from: "New", to: "Done" } }, said("@devin the guest checkout fails too"), (p) => [erin(p), closing(p)]),
          expect: { status: 202, answer: { status: "forwarded" }, message: [/^Comment on ticket #\d+ by erin:\n\n@devin the guest checkout fails too/m] },
        },
      ],
    },
    {
      name: "a user story with [name, color] tags, signed in X-Hub-Signature only, takes its tag's route",
      env: { TAIGA_BASE_URL: "https://taiga.acme.test" },
      routes: version("userstories", "tasks"),
      steps: [
        {
          deliver: (t) => item(t, (p) => (p.data.tags = [["backend", null], ["devin-feature", "#70728F"]]), "userstory"),
          override: { "x-taiga-webhook-signature": null },
          expect: { status: 202, label: "devin-feature", answer: { playbook: "playbook-feature-0002" }, prompt: [/Ticket URL: http:\/\/tracker\.mock\/project\/acme-web-app\/us\/\d+\n/] },
        },
      ],
    },
    {
      // Its own ticket: the same ref with a run on another label would make this that ticket's next run.
      name: "a task without a permalink is linked from TAIGA_BASE_URL",
      env: { TAIGA_BASE_URL: "https://taiga.acme.test" },
      routes: version("userstories", "tasks"),
      steps: [
        { deliver: (t) => item(t, (p) => delete p.data.permalink, "task"), expect: { status: 202, prompt: [/Ticket URL: https:\/\/taiga\.acme\.test\/project\/acme-web-app\/task\/\d+\n/] } },
      ],
    },
    {
      name: "a tag added with a comment is the item's ticket event; changes adding no trigger tag, comment edits and deletions, deleted items and other types are skipped",
      steps: [
        { deliver: (t) => change(t, tags(["bug"], t.labels), said("@devin please")), expect: { status: 202 } },
        { deliver: (t) => change(t, { status: { from: "New", to: "In progress" } }), expect: skip(/no trigger label/) },
        { deliver: (t) => change(t, {}, said("@devin x", { edit_comment_date: "2026-03-11T09:05:00.000Z" }), erin), expect: skip(/comment edited or deleted/) },
        { deliver: (t) => change(t, {}, said("@devin x", { delete_comment_date: "2026-03-11T09:06:00.000Z" }), erin), expect: skip(/comment edited or deleted/) },
        { deliver: (t) => item(t, (p) => (p.action = "delete")), expect: skip(/issue delete/) },
        { deliver: (t) => item(t, (p) => (p.type = "wikipage")), expect: skip(/wikipage is not a ticket/) },
      ],
    },
  ],
  checks: [
    {
      name: "each item type has its REST collection; a ticket without type and id is refused",
      actual: () => [...["issue", "userstory", "task"].map((type) => itemPath({ type, itemId: 7 })), thrown(() => itemPath(undefined))],
      expected: ["/api/v1/issues/7", "/api/v1/userstories/7", "/api/v1/tasks/7", "Taiga ticket without its item type and id: cannot comment"],
    },
    {
      name: "a refused PATCH (stale version) reads the version once more, then fails; both calls carry the token",
      actual: () => writeBackWith(95_505, [{ method: "GET", body: { version: 3 } }, { method: "PATCH", status: 400, body: { _error_message: "The version doesn't match" } }]),
      expected: { sent: ["GET", "PATCH", "GET", "PATCH"].map((m) => `${m} Application ${TOKEN}`), outcome: "PATCH /api/v1/issues/95505 answered 400" },
    },
    {
      name: "a failed read of the version fails at once",
      actual: () => writeBackWith(95_506, [{ method: "GET", status: 404, body: { _error_message: "No Issue matches the given query." } }]),
      expected: { sent: [`GET Application ${TOKEN}`], outcome: "GET /api/v1/issues/95506 answered 404" },
    },
    {
      name: "TAIGA_AUTH_SCHEME=Bearer sends a login token as Bearer",
      actual: () => writeBackWith(95_507, [{ method: "GET", body: { version: 2 } }, { method: "PATCH", body: {} }], { token: LOGIN_TOKEN, settings: { AUTH_SCHEME: "Bearer" } }),
      expected: { sent: [`GET Bearer ${LOGIN_TOKEN}`, `PATCH Bearer ${LOGIN_TOKEN}`], outcome: "done" },
    },
    {
      name: "a 401 says what to change: a login token sent as an application token, or one that expired",
      actual: async () => [
        (await writeBackWith(95_508, [{ method: "GET", status: 401, body: { detail: "Invalid token" } }], { token: LOGIN_TOKEN })).outcome,
        (await writeBackWith(95_509, [{ method: "GET", status: 401, body: { detail: "Invalid token" } }], { token: LOGIN_TOKEN, settings: { AUTH_SCHEME: "Bearer" } })).outcome,
      ],
      expected: [
        "GET /api/v1/issues/95508 answered 401: TAIGA_API_TOKEN is a login token (JWT), not an application token: use an application token, or set TAIGA_AUTH_SCHEME=Bearer",
        "GET /api/v1/issues/95509 answered 401: TAIGA_API_TOKEN is a login token (JWT), which expires after a day: use an application token instead",
      ],
    },
  ],
  sample: () => ({ body: JSON.stringify({ ...created, data: { ...created.data, tags: ["backend", TRIGGER] } }) }),
};
