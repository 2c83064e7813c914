// BMO's Webhooks extension: bug.create / bug.modify:<fields> / comment.create, the
// hook's static key in a header of the owner's choosing. Shapes: the fixture
// (mozilla-bteam/bmo extensions/Push), a comment moved into `bug.comment`.
import { type CaseTicket, type Delivery, type Step, type TrackerCases, URL_SECRET, TRIGGER } from "../case-table";
import { commentsCall } from "./api";
import created from "./fixtures/bugzilla-bmo-bug-create.json" with { type: "json" };

const SECRET = "devin-bridge-test-secret";
const ERIN = { id: 4190, login: "erin@acme.test", real_name: "Erin Dev" };
const change = (field: string, removed: string, added: string) => ({ field, removed, added });
let commentSeq = 0;

const deliver = (payload: unknown, suffix?: string): Delivery => ({ body: JSON.stringify(payload), headers: { accept: "application/json" }, suffix });

/** The fixture as bug `t.n`; `changes` make it a `bug.modify`. */
function bug(t: CaseTicket, changes?: ReturnType<typeof change>[], edit: (p: any) => void = () => {}): any {
  const p = structuredClone(created) as any;
  Object.assign(p.bug, { id: t.n, summary: t.title, keywords: t.labels });
  p.bug.creator_detail.real_name = t.author;
  if (changes) Object.assign(p.event, { action: "modify", routing_key: `bug.modify:${changes.map((c) => c.field)}`, changes });
  edit(p);
  return p;
}

function comment(t: CaseTicket, fields: Record<string, unknown>, user: object = ERIN): any {
  return bug(t, undefined, (p) => {
    p.bug.comment = { id: 5_000_000 + ++commentSeq, creation_time: "2026-03-11T09:00:00", is_private: false, number: 3, ...fields };
    p.event = { action: "create", target: "comment", routing_key: "comment.create", time: "2026-03-11T09:00:00", user };
  });
}

const resolved = (p: any) => Object.assign(p.bug, { status: "RESOLVED", resolution: "FIXED" });
const skip = (payload: (t: CaseTicket) => unknown, reason: RegExp): Step => ({ deliver: (t) => deliver(payload(t)), expect: { status: 200, answer: { status: "skipped" }, reason } });
const comments = (t: CaseTicket) => `/rest/bug/${t.n}/comment`;
const api = (settings: { API_KEY?: string }) => ({ baseUrl: "http://tracker.mock", token: "tok-123", settings });

export const cases: TrackerCases = {
  tracker: "bugzilla",
  signsBody: false,
  // No BUGZILLA_API_TOKEN: write-back takes the shared TICKET_API_TOKEN, reads the key below.
  env: { BUGZILLA_BASE_URL: "http://tracker.mock", BUGZILLA_API_KEY: "bz-test-key-5e6f", BUGZILLA_URL_SECRET: URL_SECRET, BUGZILLA_URL_LABELS: TRIGGER },
  sign: async (_raw, secret) => ({ headers: { "x-devin-bridge-key": secret } }),
  key: (t) => String(t.n),
  created: (t) => deliver(bug(t)),
  // The change lists keywords as typed: one string, comma-separated.
  labelAdded: (t, name) => deliver(bug({ ...t, labels: [...t.labels, "perf", name] }, [change("keywords", "", `perf, ${name}`)])),
  labelRemoved: (t, name) => deliver(bug(t, [change("keywords", name, "")])),
  closed: (t) => deliver(bug(t, [change("status", "NEW", "RESOLVED"), change("resolution", "", "FIXED")], resolved)),
  comment: (t, text) => deliver(comment(t, { body: text })),
  // Comment 0, not a later one, is the description the webhook lacks.
  routes: (t) => [{ method: "GET", path: comments(t), body: { bugs: { [t.n]: { comments: [{ text: t.description }, { text: "me too" }] } } } }],
  prompt: (t) => [new RegExp(`^Ticket #${t.n}: `, "m"), "Tracker: Bugzilla", `Ticket URL: http://tracker.mock/show_bug.cgi?id=${t.n}`, "Project: Web App", `Reported by: ${t.author}`, t.description,
    `To comment, send POST http://tracker.mock${comments(t)} with the header "X-BUGZILLA-API-KEY: $TICKET_API_TOKEN" and the JSON body {"comment":"<your comment>"}.`],
  writeBack: (t) => ({
    method: "POST",
    path: comments(t),
    // TICKET_API_TOKEN of the test bindings, not the read key.
    headers: { "x-bugzilla-api-key": "tkt_test_token_9a8b7c6d", authorization: null, "content-type": "application/json" },
    text: (body) => body.comment,
  }),
  extra: [
    {
      name: "the real bug.create: names the reporter and product, links the bug; without comment 0 (or a writable bug) the summary stands in",
      env: { BUGZILLA_BASE_URL: "https://bugzilla.acme.test" },
      routes: (t) => ["GET", "POST"].map((method) => ({ method, path: comments(t), status: 401, body: { error: true, code: 410 } })),
      steps: [
        {
          deliver: (t) => deliver({ ...created, bug: { ...created.bug, id: t.n, summary: t.title } }, "?label=devin-autofix"),
          expect: {
            status: 202,
            answer: { playbook: "playbook-autofix-0001" },
            // The description is one line, the summary: comment 0 could not be read.
            prompt: [/^Ticket #\d+: /m, "Ticket URL: https://bugzilla.acme.test/show_bug.cgi?id=", "Project: Web App", "Reported by: Dana Ops", /reporter's words\):\n[^\n]+\n```/],
          },
        },
        {
          deliver: (t) => deliver(comment(t, { body: "@devin the guest checkout fails too" })),
          expect: { status: 202, answer: { status: "forwarded" }, message: [/^Comment on ticket #\d+ by Erin Dev:/m, "the guest checkout fails too"] },
        },
      ],
    },
    {
      name: "accepts the key in the path, not a wrong one; forwards a comment in REST's `text` by a user without a real name under the login",
      steps: [
        { deliver: (t) => deliver(bug(t), "/not-the-secret"), secret: false, expect: { status: 401 } },
        { deliver: (t) => deliver(bug(t), `/${URL_SECRET}`), secret: false, expect: { status: 202 } },
        {
          deliver: (t) => deliver(comment(t, { text: "@devin see comment 2" }, { login: "erin@acme.test", real_name: "" })),
          expect: { status: 202, answer: { status: "forwarded" }, message: ["by erin@acme.test:", "@devin see comment 2"] },
        },
      ],
    },
    {
      name: "skips what is not a public bug's ticket or comment",
      steps: [
        skip((t) => bug(t, [change("status", "NEW", "ASSIGNED")]), /no trigger label/),
        skip((t) => comment(t, { number: 0 }), /description/),
        // What BMO sends for a private comment, or any comment on a private bug: ids and the flag, no text.
        ...[true, false].map((onBug) =>
          skip((t) => ({ bug: { id: t.n, is_private: onBug, comment: { id: 5_001_011, is_private: !onBug } }, event: { routing_key: "comment.create" } }), /^private comment$/),
        ),
        skip((t) => comment(t, { body: "  " }), /^empty comment$/),
        // Push's internal shape (comment at the top), and a comment event without its comment.
        skip((t) => ({ comment: { id: 1, bug: { id: t.n, summary: "x" }, number: 1, body: "x" }, event: { routing_key: "comment.create" } }), /comment\.create without/),
        skip((t) => bug(t, undefined, (p) => (p.event.routing_key = "comment.create")), /comment\.create without/),
        skip((t) => ({ bug: { id: t.n, is_private: true }, event: { routing_key: "bug.modify:is_private", changes: [change("is_private", "0", "1")] } }), /private/),
        skip((t) => bug(t, [change("keywords", "", "devin-autofix")], resolved), /resolved/),
        skip((t) => ({ bug: { id: t.n } }), /not a Bugzilla webhook/),
        skip((t) => ({ bug: { id: t.n }, event: { routing_key: "bug.create" } }), /without a summary/),
      ],
    },
    {
      name: "reads the header BUGZILLA_AUTH_HEADER names (not the default one), with any of the rotated secrets",
      env: { BUGZILLA_AUTH_HEADER: "X-Bmo-Token", BUGZILLA_WEBHOOK_SECRET: `old,${SECRET}` },
      steps: [
        { ...skip((t) => bug({ ...t, labels: ["bug"] }), /no trigger label/), override: { "x-devin-bridge-key": null, "x-bmo-token": "old" } },
        { deliver: (t) => deliver(bug(t)), expect: { status: 401 } },
      ],
    },
    {
      name: "refuses to start with a BUGZILLA_AUTH_HEADER that is no header name",
      env: { BUGZILLA_AUTH_HEADER: "bad header" },
      steps: [{ deliver: (t) => deliver(bug(t)), expect: { status: 503, reason: /BUGZILLA_AUTH_HEADER must be a header name/ } }],
    },
  ],
  checks: [
    {
      name: "reads comment 0 with BUGZILLA_API_KEY in X-BUGZILLA-API-KEY",
      actual: () => commentsCall("1912360", api({ API_KEY: "bz-key" }), true),
      expected: ["http://tracker.mock/rest/bug/1912360/comment", { "X-BUGZILLA-API-KEY": "bz-key" }],
    },
    {
      name: "writes (and reads, without BUGZILLA_API_KEY) with the API token",
      actual: () => [commentsCall("7", api({ API_KEY: "bz-key" }), false)[1], commentsCall("7", api({}), true)[1]],
      expected: [{ "X-BUGZILLA-API-KEY": "tok-123" }, { "X-BUGZILLA-API-KEY": "tok-123" }],
    },
  ],
  sample: () => deliver({ ...created, bug: { ...created.bug, keywords: ["devin-autofix"] } }),
};
