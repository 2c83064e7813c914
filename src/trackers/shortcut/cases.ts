// Shortcut outgoing webhooks (v1). Shapes: Shortcut's help centre "Outgoing Webhooks" and API reference (Payload-Signature =
// hex HMAC-SHA256 of the body with the webhook's secret; the envelope id/changed_at/version/primary_id/member_id/actions/
// references; `changes` as {new, old} or {adds, removes}; POST /api/v3/stories/{id}/comments {text} with Shortcut-Token),
// and deliveries captured in mikaelvesavuori/dorametrix testdata/webhook-events/shortcut (story create with label_ids,
// update with label_ids.adds / .removes, completed {new: true}), which carry label ids with no label reference.
// The fixtures follow those captures; the `label` reference in shortcut-story-create.json and the story-comment action in
// shortcut-comment-create.json are written from the docs, not captured, and are unconfirmed.
import type { CaseTicket, Delivery, ExtraCase, TrackerCases } from "../case-table";
import { skips, starts } from "../case-table";
import { hexHmac } from "../kit/sign";
import commentFixture from "./fixtures/shortcut-comment-create.json" with { type: "json" };
import created from "./fixtures/shortcut-story-create.json" with { type: "json" };
import { shortcut } from "./index";
import { labelIdsSetting } from "./labels";

const KNOWN: Record<string, number> = { bug: 2805, "devin-autofix": 2806, urgent: 2807 };
const labelId = (name: string) => KNOWN[name] ?? 3000 + [...name].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 100_000, 0);
const labelRef = (name: string) => ({ id: labelId(name), entity_type: "label", name, app_url: `https://app.shortcut.com/acme/label/${labelId(name)}` });
const appUrl = (t: CaseTicket) => `https://app.shortcut.com/acme/story/${t.n}`;

function story(t: CaseTicket, edit: (p: any, action: any) => void = () => {}): any {
  const p = structuredClone(created) as any;
  p.id = crypto.randomUUID();
  p.primary_id = t.n;
  Object.assign(p.actions[0], { id: t.n, name: t.title, description: t.description, app_url: appUrl(t), label_ids: t.labels.map(labelId) });
  p.references = [...p.references.filter((r: any) => r.entity_type !== "label"), ...t.labels.map(labelRef)];
  edit(p, p.actions[0]);
  return p;
}

/** An update action as Shortcut sends it: name, type, URL and `changes`; `references` only for what the changes name. */
const update = (t: CaseTicket, changes: Record<string, unknown>, references: unknown[] = []) =>
  story(t, (p) => {
    p.actions = [{ id: t.n, entity_type: "story", action: "update", name: t.title, story_type: "bug", app_url: appUrl(t), changes }];
    p.references = references;
  });

function commented(t: CaseTicket, text: string): any {
  const p = structuredClone(commentFixture) as any;
  const commentId = 5_000_000 + t.n;
  p.id = crypto.randomUUID();
  p.primary_id = commentId;
  Object.assign(p.actions[0], { id: commentId, text, app_url: `${appUrl(t)}/comment/${commentId}` });
  Object.assign(p.actions[1], { id: t.n, name: t.title, app_url: appUrl(t), changes: { comment_ids: { adds: [commentId] } } });
  return p;
}

const deliver = (payload: unknown): Delivery => ({ body: JSON.stringify(payload), headers: { "user-agent": "Shortcut-Webhook" } });
const added = (t: CaseTicket, name: string, named = true) => deliver(update({ ...t, labels: [...t.labels, name] }, { label_ids: { adds: [labelId(name)] } }, named ? [labelRef(name)] : []));

const extra: ExtraCase[] = [
  {
    name: "the fixture's story (labelled bug) is skipped; routed with ?label= it names Shortcut, the story and its group, with the story's description as it is now",
    routes: () => [{ method: "GET", path: "/api/v3/stories/128", body: { id: 128, description: created.actions[0]!.description, app_url: appUrl({ n: 128 } as CaseTicket), labels: [{ id: 2805, name: "bug" }] } }],
    steps: [
      skips(() => deliver(created), /no trigger label/),
      { deliver: (t) => ({ ...deliver(story({ ...t, n: 128, labels: ["bug"] })), suffix: "?label=devin-autofix" }),
        expect: { status: 202, key: "128", prompt: [/^Ticket sc-128: Checkout returns 500 when cart is empty \(\d+\)\n/m, "Tracker: Shortcut", "Project: Web", "Ticket URL: https://app.shortcut.com/acme/story/128", "HTTP 500 from `CartTotals#compute`"], notInPrompt: ["Steps: empty the cart"] } },
    ],
  },
  {
    name: "a label added by id only is skipped unless SHORTCUT_LABEL_IDS names it; the workflow reads the story's description",
    env: { SHORTCUT_LABEL_IDS: "2806=devin-autofix, 2805=bug" },
    steps: [starts((t) => added({ ...t, labels: ["bug"] }, "devin-autofix", false), [/Steps: empty the cart/])],
  },
  {
    name: "skips ids nobody names, other labels, other entities, finished stories and shapes",
    steps: [
      skips((t) => added({ ...t, labels: ["bug"] }, "devin-autofix", false), /no trigger label/),
      skips((t) => added({ ...t, labels: ["bug"] }, "urgent"), /no trigger label/),
      skips((t) => deliver(update(t, { position: { new: 2, old: 1 } })), /no trigger label/),
      skips(() => deliver({ id: "e", version: "v1", actions: [{ id: 9, entity_type: "epic", action: "create", name: "E" }] }), /no story/),
      skips((t) => deliver(story(t, (_p, a) => (a.completed = true))), /done/),
      skips(() => deliver({ id: "e", version: "v1", actions: "nope" }), /not a Shortcut webhook/),
    ],
  },
];

const parse = (payload: unknown, settings = {}) => shortcut.parse(payload, null as never, { settings });
const t9: CaseTicket = { n: 9, title: "t", description: "", labels: ["bug"], author: "dana" };

export const cases: TrackerCases = {
  tracker: "shortcut",
  signsBody: true,
  env: { SHORTCUT_BASE_URL: "http://tracker.mock", SHORTCUT_URL_LABELS: "devin-autofix" },
  async sign(raw, secret) {
    return { headers: { "payload-signature": await hexHmac("SHA-256", secret, raw) } };
  },
  key: (t) => String(t.n),
  created: (t) => deliver(story(t)),
  labelAdded: (t, name) => added(t, name),
  labelRemoved: (t, name) => deliver(update({ ...t, labels: t.labels.filter((l) => l !== name) }, { label_ids: { removes: [labelId(name)] } }, [labelRef(name)])),
  closed: (t) => deliver(update(t, { completed: { new: true, old: false } })),
  comment: (t, text) => deliver(commented(t, text)),
  prompt: (t) => [`Ticket sc-${t.n}: `, "Tracker: Shortcut", `Ticket URL: ${appUrl(t)}`,
    `To comment, send POST http://tracker.mock/api/v3/stories/${t.n}/comments with the header "shortcut-token: $TICKET_API_TOKEN" and the JSON body {"text":"<your comment>"}.`],
  routes: (t) => [{ method: "GET", path: `/api/v3/stories/${t.n}`, body: { id: t.n, name: t.title, description: t.description, app_url: appUrl(t), labels: t.labels.map((n) => ({ id: labelId(n), name: n })) } }],
  writeBack: (t) => ({
    method: "POST",
    path: `/api/v3/stories/${t.n}/comments`,
    headers: { "shortcut-token": /^\S+$/, "content-type": "application/json" },
    text: (body) => body.text,
  }),
  extra,
  checks: [
    { name: "a new comment is a follow-up on the story whose comment_ids it joined, with its author and id", actual: () => parse(commented(t9, "@devin hi")),
      expected: { kind: "comment", comment: { key: "9", id: "sc-9", text: "@devin hi", author: "7a1c3e5f-2b4d-4f6a-8c0e-1d3f5b7d9f1b", commentId: "5000009" } } },
    { name: "a trigger label removed ends the run by its name; completing, archiving or deleting the story closes it",
      actual: () => [
        parse(update(t9, { label_ids: { removes: [2806] } }), { LABEL_IDS: { "2806": "devin-autofix" } }),
        parse(update(t9, { archived: { new: true, old: false } })),
        parse(story(t9, (_p, a) => (a.action = "delete"))),
      ],
      expected: [
        { kind: "ended", ended: { key: "9", id: "sc-9", reason: "label_removed", labels: ["devin-autofix"] } },
        { kind: "ended", ended: { key: "9", id: "sc-9", reason: "closed" } },
        { kind: "ended", ended: { key: "9", id: "sc-9", reason: "closed" } },
      ] },
    { name: "the real capture shape (label ids, no label references) names no label", actual: () => {
      const event = parse(story({ ...t9, labels: ["devin-autofix"] }, (p) => (p.references = [])));
      return event.kind === "ticket" ? event.ticket.triggerLabels : event;
    }, expected: [] },
    { name: "SHORTCUT_LABEL_IDS parses id=name pairs and refuses anything else",
      actual: () => [labelIdsSetting().safeParse(" 2805 = bug ,2806=devin-autofix").data, labelIdsSetting().safeParse("bug").success],
      expected: [{ "2805": "bug", "2806": "devin-autofix" }, false] },
  ],
  sample: () => deliver(story({ n: 128, title: created.actions[0]!.name, description: created.actions[0]!.description, labels: ["bug", "devin-autofix"], author: "dana" })),
};
