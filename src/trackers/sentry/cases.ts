// Sentry's integration platform webhooks, signed with the internal integration's client secret.
// Shapes: docs.sentry.io/integrations/integration-platform/webhooks/ — headers (Request-ID,
// Sentry-Hook-Resource, -Timestamp, -Signature), issue-alerts (`event_alert`: data.event, triggered_rule,
// issue_alert.settings [{name, value}] from the alert-rule-action UI component), issues (`issue`:
// created/resolved/assigned/archived/unresolved), comments (`comment`: comment, comment_id, issue_id).
// The latest-event answer follows GET /api/0/issues/{id}/events/latest/ (sentry's GroupEventDetailsEndpoint,
// EventSerializer: entries[], camelCase frames, release object, tags [{key, value}]). Notes:
// POST /api/0/issues/{id}/comments/ {text} (GroupNotesEndpoint). Not confirmed against a live
// instance: the exact event fields in `event_alert` (taken from the docs' example) and the notes scope.
import { forwards, skips, starts, TRIGGER, type CaseTicket, type Delivery, type Step, type TrackerCases } from "../case-table";
import { hexHmac } from "../kit/sign";
import { apiRoot } from "./api";
import { describeEvent } from "./event-text";
import { issueUrl } from "./events";
import alert from "./fixtures/sentry-event-alert-triggered.json" with { type: "json" };
import comment from "./fixtures/sentry-comment-created.json" with { type: "json" };
import issueCreated from "./fixtures/sentry-issue-created.json" with { type: "json" };
import latest from "./fixtures/sentry-latest-event.json" with { type: "json" };

const TOKEN = "sntrys_test_token_3c4d5e6f";
const SECRET = "devin-bridge-test-secret";
let commentSeq = 0;

const deliver = (resource: string, payload: unknown, suffix?: string): Delivery => ({
  body: JSON.stringify(payload),
  headers: { "sentry-hook-resource": resource, "request-id": crypto.randomUUID(), "sentry-hook-timestamp": String(Math.floor(Date.now() / 1000)) },
  suffix,
});
const webUrl = (t: CaseTicket) => `https://sentry.acme.test/organizations/acme/issues/${t.n}/`;

/** The alert rule fired for issue `t.n`; its action's `label` setting carries `labels`. */
function fired(t: CaseTicket, labels = t.labels, edit: (p: any) => void = () => {}): any {
  const p = structuredClone(alert) as any;
  Object.assign(p.data.event, { issue_id: String(t.n), title: t.title, web_url: `${webUrl(t)}events/${p.data.event.event_id}/` });
  p.data.issue_alert.settings = [{ name: "label", value: labels.join(", ") }];
  edit(p);
  return p;
}

function issue(t: CaseTicket, action: string, actor?: object): any {
  const p = structuredClone(issueCreated) as any;
  Object.assign(p.data.issue, { id: String(t.n), shortId: `WEB-APP-${t.n}`, title: t.title, web_url: webUrl(t) });
  p.action = action;
  if (actor) p.actor = actor;
  return p;
}

const commented = (t: CaseTicket, text: string, action = "created") =>
  deliver("comment", { ...comment, action, data: { ...comment.data, comment: text, issue_id: t.n, comment_id: 900_000 + ++commentSeq }, actor: { type: "user", id: 4190, name: "Erin Dev" } });

/** The issue's latest event: its exception's value is the ticket's description, so the prompt shows enrich ran. */
function latestEvent(t: CaseTicket): any {
  const p = structuredClone(latest) as any;
  Object.assign(p, { groupID: String(t.n), title: t.title });
  p.entries[0].data.values[0].value = t.description;
  return p;
}
const latestPath = (t: CaseTicket) => `/api/0/issues/${t.n}/events/latest/`;

export const cases: TrackerCases = {
  tracker: "sentry",
  signsBody: true,
  env: { SENTRY_BASE_URL: "http://tracker.mock", SENTRY_URL_LABELS: "devin-autofix", SENTRY_API_TOKEN: TOKEN },
  sign: async (raw, secret) => ({ headers: { "sentry-hook-signature": await hexHmac("SHA-256", secret, raw) } }),
  key: (t) => String(t.n),
  created: (t) => deliver("event_alert", fired(t)),
  closed: (t) => deliver("issue", issue(t, "resolved", { type: "user", id: 4190, name: "Erin Dev" })),
  comment: commented,
  routes: (t) => [{ method: "GET", path: latestPath(t), body: latestEvent(t) }],
  prompt: (t) => [
    ...[new RegExp(`^Ticket ${t.n}: `, "m"), "Tracker: Sentry", `Ticket URL: ${webUrl(t)}\n`, t.description, "Culprit: shop.checkout.totals in cart_total"],
    ...["Release: shop@2026.3.1", "Environment: production", "shop/checkout/totals.py:41 in cart_total\n      return subtotal / len(cart.items)"],
    `To comment, send POST http://tracker.mock/api/0/issues/${t.n}/comments/ with the header "authorization: Bearer $TICKET_API_TOKEN" and the JSON body {"text":"<your comment>"}.`,
  ],
  writeBack: (t) => ({
    method: "POST",
    path: `/api/0/issues/${t.n}/comments/`,
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    text: (body) => body.text,
  }),
  extra: [
    {
      name: "a new issue starts a session only when the URL routes it (?label=), described by its latest event; its short id names it",
      steps: [
        skips((t) => deliver("issue", issue(t, "created")), /no trigger label/),
        {
          deliver: (t) => deliver("issue", issue(t, "created"), `?label=${TRIGGER}`),
          expect: { status: 202, prompt: [new RegExp(`^Ticket WEB-APP-\\d+: `, "m"), "Project: Web App", "Exception: ZeroDivisionError: Steps: empty the cart"] },
        },
        forwards((t) => commented(t, "@devin the totals also break for a cart of one"), /by Erin Dev:/, "a cart of one"),
      ],
    },
    {
      name: "without the latest event (no event:read), the alert's own event describes the issue: in-app frames only",
      routes: (t) => [{ method: "GET", path: latestPath(t), status: 403, body: { detail: "You do not have permission to perform this action." } }],
      steps: [
        {
          deliver: (t) => deliver("event_alert", fired(t, ["devin-feature"])),
          expect: {
            status: 202,
            label: "devin-feature",
            answer: { playbook: "playbook-feature-0002" },
            prompt: ["Exception: ZeroDivisionError: division by zero", "shop/views.py:88 in checkout\n      total = cart_total(cart)"],
            notInPrompt: ["django/core/handlers/base.py"],
          },
        },
      ],
    },
    {
      name: "resolved and archived (ignored) end the issue, even on a ?label= URL; the setting's name is read in any case",
      steps: [
        starts((t) => deliver("event_alert", fired(t, [], (p) => (p.data.issue_alert.settings = [{ name: "Label", value: TRIGGER }])))),
        ...["resolved", "archived", "ignored"].map((action) => skips((t) => deliver("issue", issue(t, action), `?label=${TRIGGER}`), /the ticket is closed/)),
      ],
    },
    {
      name: "skips what names no issue for Devin: other actions and resources, an alert without a label setting, comment edits",
      steps: [
        ...["unresolved", "assigned"].map((action) => skips((t) => deliver("issue", issue(t, action), `?label=${TRIGGER}`), new RegExp(`issue ${action}`))),
        skips((t) => deliver("event_alert", fired(t, [], (p) => (p.data.issue_alert.settings = [{ name: "channel", value: TRIGGER }]))), /no trigger label/),
        skips((t) => deliver("event_alert", fired(t, [], (p) => delete p.data.issue_alert)), /no trigger label/),
        skips((t) => commented(t, "@devin hi", "updated"), /comment updated/),
        skips((t) => deliver("metric_alert", { action: "critical", data: { metric_alert: { id: String(t.n) } } }), /metric_alert names no issue/),
        skips((t) => deliver("installation", { action: "created", data: { installation: { uuid: String(t.n) } } }), /installation/),
        skips((t) => ({ ...deliver("event_alert", fired(t)), headers: {} }), /no Sentry-Hook-Resource/),
        skips(() => deliver("event_alert", { action: "triggered", data: { event: { title: "x" } } }), /not a Sentry issue alert/),
      ],
    },
    {
      name: "accepts any of the rotated client secrets, not another",
      env: { SENTRY_WEBHOOK_SECRET: `old-client-secret,${SECRET}` },
      steps: [
        { ...skips((t) => deliver("event_alert", fired(t, ["bug"])), /no trigger label/), secret: "old-client-secret" },
        { deliver: (t) => deliver("event_alert", fired(t)), secret: "another-secret", expect: { status: 401 } },
      ],
    },
  ],
  checks: [
    {
      name: "the webhook's raw event and the API's event read the same",
      actual: () => describeEvent(alert.data.event) === describeEvent(latest) && describeEvent(latest),
      expected: [
        "Error: ZeroDivisionError: division by zero",
        "Culprit: shop.checkout.totals in cart_total",
        "Release: shop@2026.3.1",
        "Environment: production",
        "",
        "Exception: ZeroDivisionError: division by zero",
        "Stack trace (most recent call last):",
        "  shop/views.py:88 in checkout",
        "      total = cart_total(cart)",
        "  shop/checkout/totals.py:41 in cart_total",
        "      return subtotal / len(cart.items)",
      ].join("\n"),
    },
    {
      name: "an event page links to its issue; the API root is the base's /api/0 (given or not)",
      actual: () => [issueUrl(alert.data.event.web_url), issueUrl(undefined), apiRoot("https://sentry.io/"), apiRoot("https://us.sentry.io/api/0")],
      expected: ["https://sentry.acme.test/organizations/acme/issues/1170820242/", undefined, "https://sentry.io/api/0", "https://us.sentry.io/api/0"],
    },
    {
      name: "a message event without an exception keeps its message; a body that is no event gives nothing",
      actual: () => [describeEvent({ title: "Payment failed", entries: [{ type: "message", data: { formatted: "card declined: 51" } }] }), describeEvent("nope")],
      expected: ["Error: Payment failed\n\nMessage:\ncard declined: 51", undefined],
    },
  ],
  sample: () => deliver("event_alert", alert),
};
