// The bridge's own format (README "The generic webhook"): `{id, title, description, labels[], url?, project?, author?}`,
// signed `X-Hub-Signature-256: sha256=<hex>` (or `X-Signature-256`). No comment, label or close events.
import { type CaseTicket, type Delivery, type Step, type TrackerCases, URL_SECRET } from "../case-table";
import { hexHmac } from "../kit/sign";
import { tickets } from "./index";

const PROJECT = "shop";
const NUMERIC_ID = 9_100_042;
const ticket = ({ n, title, description, labels, author }: CaseTicket, edit: Record<string, unknown> = {}) =>
  ({ id: `T-${n}`, title, description, labels, url: `https://tickets.acme.test/T-${n}`, project: PROJECT, author, ...edit });
const deliver = (body: unknown, headers: Record<string, string> = {}): Delivery => ({
  body: typeof body === "string" ? body : JSON.stringify(body),
  headers: { "x-github-delivery": crypto.randomUUID(), ...headers },
});
const signAs = (header: string) => async (raw: string, secret: string) => ({ headers: { [header]: `sha256=${await hexHmac("SHA-256", secret, raw)}` } });
const invalid = (body: (t: CaseTicket) => unknown, field: RegExp): Step =>
  ({ deliver: (t) => deliver(body(t)), expect: { status: 400, answer: { error: { code: "invalid_payload" } }, reason: field } });
const commentUrl = (value: string) => tickets.settings.COMMENT_URL.schema.safeParse(value).success;

export const cases: TrackerCases = {
  tracker: "tickets",
  signsBody: true,
  env: { TICKETS_COMMENT_URL: "http://tracker.mock/api/tickets/{id}/comments", TICKETS_URL_SECRET: URL_SECRET },
  sign: signAs("x-hub-signature-256"),
  key: (t) => `${PROJECT}/T-${t.n}`,
  created: (t) => deliver(ticket(t)),
  prompt: (t) => [`Ticket T-${t.n}: `, "Tracker: ticketing system", `Project: ${PROJECT}`, `Ticket URL: https://tickets.acme.test/T-${t.n}`, `Reported by: ${t.author}`,
    `To comment, send POST http://tracker.mock/api/tickets/T-${t.n}/comments with the header "authorization: Bearer $TICKET_API_TOKEN" and the JSON body {"body":"<your comment>"}.`],
  // TICKETS_COMMENT_URL with the id in place of {id}; no TICKETS_BASE_URL needed.
  writeBack: (t) => ({ method: "POST", path: `/api/tickets/T-${t.n}/comments`, headers: { authorization: /^Bearer \S+$/, "content-type": "application/json" }, text: (b) => b.body }),
  extra: [
    {
      name: "accepts X-Signature-256, a numeric id (the key without a project) and an author object",
      steps: [
        {
          // The key is the bare id, so it cannot vary with the case: one id kept for this case alone.
          deliver: (t) => deliver(ticket(t, { id: NUMERIC_ID, project: null, author: { name: "Erin Ops", login: "erin" } }), { "content-type": "application/json; charset=utf-8" }),
          sign: signAs("x-signature-256"),
          expect: { status: 202, key: String(NUMERIC_ID), prompt: [`Ticket ${NUMERIC_ID}: `, "Reported by: erin"], notInPrompt: ["Project:"] },
        },
      ],
    },
    {
      name: "names the tracker after TICKETS_TRACKER_NAME",
      env: { TICKETS_TRACKER_NAME: "Acme Desk" },
      steps: [{ deliver: (t) => deliver(ticket(t)), expect: { status: 202, prompt: ["Tracker: Acme Desk"] } }],
    },
    {
      name: "answers 400 naming the field for a wrong shape: the format is ours, so it is not a skip",
      steps: [
        invalid((t) => ticket(t, { labels: "devin-autofix" }), /labels/),
        invalid((t) => ticket(t, { title: undefined }), /title/),
        invalid((t) => ticket(t, { id: { x: 1 } }), /id/),
        invalid((t) => ticket(t, { id: 1.5 }), /id/),
        ...["[]", "null", '"ticket"', "42"].map((raw) => invalid(() => raw, /body/)),
      ],
    },
  ],
  checks: [
    { name: "COMMENT_URL takes an http(s) URL with {id}", actual: () => commentUrl("https://desk.acme.test/api/tickets/{id}/comments"), expected: true },
    { name: "COMMENT_URL without {id} is refused at start-up", actual: () => commentUrl("https://desk.acme.test/api/comments"), expected: false },
    { name: "COMMENT_URL that is not http(s) is refused at start-up", actual: () => commentUrl("ftp://desk.acme.test/{id}"), expected: false },
  ],
  sample: () =>
    deliver(ticket({ n: 1042, title: "Checkout returns 500 when cart is empty", description: "Steps: empty the cart, press Checkout.\nExpected: a message. Actual: HTTP 500.", labels: ["bug", "devin-autofix"], author: "dana" })),
};
