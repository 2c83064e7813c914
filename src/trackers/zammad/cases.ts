// A Zammad trigger's webhook: ticket + the article the update added, HMAC-SHA1 in X-Hub-Signature.
// Tags are in a custom payload only, so a real trigger usually selects tickets and posts to `?label=`.
import { type CaseTicket, type Delivery, type Step, type TrackerCases, TRIGGER, URL_SECRET } from "../case-table";
import { hexHmac } from "../kit/sign";
import { noteFor } from "./api";
import { zammad } from "./index";
import fixture from "./fixtures/zammad-ticket-created.json" with { type: "json" };

const SELECTED = "?label=devin-autofix";
// The fixture's bytes, and what Zammad itself sent for them (fixtures/README.md).
const FIXTURE_RAW = `${JSON.stringify(fixture, null, 2)}\n`;
const FIXTURE_SIGNATURE = "sha1=222f733e2a5ade044a0aabb7bdda09c7eeee1df3";
let articleSeq = 611;

const deliver = (p: unknown, suffix?: string): Delivery => ({
  body: typeof p === "string" ? p : JSON.stringify(p),
  headers: { "user-agent": "Zammad User Agent", "x-zammad-trigger": "Devin: autofix tag added", "x-zammad-delivery": crypto.randomUUID() },
  suffix,
});

type Over = { ticket?: object; article?: object };
/** The fixture as ticket `t.n`, its opening article (504) carrying the description as HTML. */
function ticket(t: CaseTicket, over: Over = {}): any {
  const p = structuredClone(fixture) as any;
  Object.assign(p.ticket, { id: t.n, number: `3${t.n}`, title: t.title, tags: t.labels, customer: { login: t.author } }, over.ticket);
  Object.assign(p.article, { ticket_id: t.n, body: t.description.replace(/\n/g, "<br>") }, over.article);
  return p;
}

/** The trigger's delivery for an update that added Erin's note. */
function reply(t: CaseTicket, html: string, over: Over = {}): any {
  const id = ++articleSeq;
  return ticket(t, {
    ticket: { article_ids: [504, id], article_count: 2, ...over.ticket },
    article: { id, body: `<p>${html}</p>`, sender: "Agent", type: "note", internal: true, from: "Erin Dev", created_by: { login: "erin@acme.test" }, ...over.article },
  });
}

/** The ticket's articles as `GET /api/v1/ticket_articles/by_ticket/{id}` answers: the opening one as HTML, then a reply. */
const articlesApi = (t: CaseTicket) => ({
  method: "GET",
  path: `/api/v1/ticket_articles/by_ticket/${t.n}`,
  body: [
    { id: 504, ticket_id: t.n, sender_id: 2, type_id: 1, content_type: "text/html", body: t.description.replace(/\n/g, "<br>"), internal: false },
    { id: 612, ticket_id: t.n, sender_id: 1, type_id: 10, content_type: "text/html", body: "<p>Thanks, we are on it.</p>", internal: true },
  ],
});

// The case tickets' description, as the opening article holds it (with <br> for line breaks) and Devin must read it.
const REQUEST = /Steps: empty the cart, press Checkout\.\nExpected: a message\. Actual: HTTP 500/;

const skip = (payload: (t: CaseTicket) => unknown, reason: RegExp, suffix?: string): Step => ({ deliver: (t) => deliver(payload(t), suffix), expect: { status: 200, answer: { status: "skipped" }, reason } });
const untagged = (t: CaseTicket): CaseTicket => ({ ...t, labels: ["bug"] });

export const cases: TrackerCases = {
  tracker: "zammad",
  signsBody: true,
  env: { ZAMMAD_BASE_URL: "http://tracker.mock", ZAMMAD_URL_LABELS: TRIGGER, ZAMMAD_URL_SECRET: URL_SECRET },
  sign: async (raw, secret) => ({ headers: { "x-hub-signature": `sha1=${await hexHmac("SHA-1", secret, raw)}` } }),
  key: (t) => String(t.n),
  routes: (t) => [articlesApi(t)],
  created: (t) => deliver(ticket(t)),
  closed: (t) => deliver(ticket(t, { ticket: { state: "closed" } })),
  comment: (t, text) => deliver(reply(t, text)),
  // The opening article is HTML: Devin gets its text.
  prompt: (t) => [new RegExp(`^Ticket 3${t.n}: `, "m"), "Tracker: Zammad", `Ticket URL: http://tracker.mock/#ticket/zoom/${t.n}`, "Project: Engineering", `Reported by: ${t.author}`, t.description,
    `To comment, send POST http://tracker.mock/api/v1/ticket_articles with the header "authorization: Token token=$TICKET_API_TOKEN" and the JSON body {"ticket_id":${t.n},"body":"<your comment>","content_type":"text/plain","type":"note","internal":true}.`],
  writeBack: (t) => ({
    method: "POST",
    path: "/api/v1/ticket_articles",
    headers: { authorization: /^Token token=\S+$/, "content-type": "application/json" },
    // One path for every ticket: the ticket id tells this ticket's notes apart.
    text: (body) => (body.ticket_id === t.n ? body.body : undefined),
    fixed: { ticket_id: t.n, content_type: "text/plain", type: "note", internal: true },
  }),
  extra: [
    {
      // The README's trigger: "tags contains devin-autofix" fires on the tag alone, with `article: {}`.
      name: "a tag-only update (article: {}) starts the ticket with its opening article, fetched from the API and read as text",
      steps: [
        { deliver: (t) => deliver({ ...ticket(t, { ticket: { article_ids: [504, 612], article_count: 2 } }), article: {} }), expect: { status: 202, prompt: [REQUEST], notInPrompt: ["<br>", "(no description)", "on it"] } },
      ],
    },
    {
      name: "Zammad's own signature of the fixture holds, a malformed one or a wrong path secret does not, the path secret does; the fixture reads as written",
      env: { ZAMMAD_BASE_URL: "https://zammad.acme.test/" },
      steps: [
        // Untagged: authenticated, then skipped.
        { ...skip(() => FIXTURE_RAW, /no trigger label/), secret: false, override: { "x-hub-signature": FIXTURE_SIGNATURE } },
        { deliver: () => deliver(FIXTURE_RAW), override: { "x-hub-signature": "sha1=not-hex" }, expect: { status: 401 } },
        { deliver: () => deliver(FIXTURE_RAW, "/not-the-secret"), secret: false, expect: { status: 401 } },
        { ...skip(() => FIXTURE_RAW, /no trigger label/, `/${URL_SECRET}`), secret: false },
        {
          deliver: (t) => deliver({ ...fixture, ticket: { ...fixture.ticket, id: t.n, title: t.title } }, SELECTED),
          expect: {
            status: 202,
            prompt: [`Ticket ${fixture.ticket.number}: `, "Reported by: emily@example.com", /Ticket URL: https:\/\/zammad\.acme\.test\/#ticket\/zoom\/\d+\n/, "2. Click Pay\n\nExpected: validation error."],
            notInPrompt: ["<br>", "<b>"],
          },
        },
      ],
    },
    {
      name: "tags may be a comma-separated string",
      steps: [
        {
          deliver: (t) => deliver(ticket(t, { ticket: { tags: "bug, devin-feature" }, article: { content_type: "text/plain", body: "Plain <b>text</b> stays." } })),
          expect: { status: 202, label: "devin-feature", answer: { playbook: "playbook-feature-0002" }, prompt: ["Plain <b>text</b> stays."] },
        },
      ],
    },
    {
      // A ticket of its own: one with a run on another label would take this one as its next run.
      name: "no article, the opening one or a ?label= URL make a ticket event; a reply is a comment",
      steps: [
        skip((t) => ticket(untagged(t), { ticket: { article_ids: undefined } }), /no trigger label/),
        skip((t) => ({ ...reply(untagged(t), "x"), article: {} }), /no trigger label/),
        // The reply is not the request: the description is the opening article, read from the API.
        { deliver: (t) => deliver(reply(t, "@devin the guest checkout fails too"), SELECTED), expect: { status: 202, prompt: [REQUEST], notInPrompt: ["guest checkout", "on it"] } },
        {
          // Without the id list, the article count tells a reply.
          deliver: (t) => deliver(reply(t, "@devin and the mini cart", { ticket: { article_ids: undefined }, article: { sender: "Customer" } })),
          expect: { status: 202, answer: { status: "forwarded" }, message: [/^Comment on ticket 3\d+ by Erin Dev:/m, "and the mini cart"] },
        },
      ],
    },
    {
      name: "skips closed and merged tickets even on a ?label= URL, the system's and empty articles, and other payloads",
      steps: [
        skip((t) => ticket(t, { ticket: { state: "closed" } }), /ticket is closed/, SELECTED),
        skip((t) => ticket(t, { ticket: { state: { name: "merged" } } }), /ticket is closed/, SELECTED),
        skip((t) => reply(t, "@devin hi", { article: { sender: "System" } }), /system/),
        skip((t) => reply(t, "@devin hi", { article: { body: "<p> </p>" } }), /^empty article$/),
        skip(() => ({ user: { id: 8, login: "emily" } }), /not a Zammad ticket/, SELECTED),
      ],
    },
  ],
  checks: [
    { name: "a note is internal by default", actual: () => noteFor("92001", "hello"), expected: { ticket_id: 92001, body: "hello", content_type: "text/plain", type: "note", internal: true } },
    { name: "ZAMMAD_COMMENT_INTERNAL=false makes it public", actual: () => noteFor("9", "hi", zammad.settings.COMMENT_INTERNAL!.schema.parse("false")).internal, expected: false },
  ],
  sample: () => deliver(FIXTURE_RAW, SELECTED),
};
