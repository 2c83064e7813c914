// Herald's "Call webhooks" action (HeraldWebhookWorker): `{object{type, phid}, triggers[{phid}],
// action{test, silent, secure, epoch}, transactions[{phid}]}`, signed as X-Phabricator-Webhook-Signature
// (hex HMAC-SHA256 of the body with the webhook's HMAC key; confirmed by receivers in the wild).
// Conduit answers follow maniphest.search (with the projects attachment) and project.search as
// documented on /conduit/method/…; maniphest.edit takes `{objectIdentifier, transactions[{type:"comment", value}]}`.
// Not confirmed: an `X-Phorge-Webhook-Signature` header (accepted in case Phorge renames it).
// Herald sends PHIDs only, so a task's tags cannot reach the request path: the operator's Herald rule
// ("Tags include devin-autofix") chooses the task and the hook's URL carries `?label=`. `created(t)` models
// that: the delivery the rule for t's trigger tag makes (none of t's tags is a route: the plain URL).
import { skips, starts, TRIGGER, type CaseTicket, type Delivery, type MockRoute, type TrackerCases } from "../case-table";
import { hexHmac } from "../kit/sign";
import { conduitBody, conduitResult, webRoot } from "./api";
import herald from "./fixtures/phorge-herald-task.json" with { type: "json" };
import projects from "./fixtures/phorge-project-search.json" with { type: "json" };
import tasks from "./fixtures/phorge-maniphest-search.json" with { type: "json" };

const TOKEN = "api-7zq3wxm2ybd5hr4kt6lv9gpnc3fa";
const ROUTES = [TRIGGER, "devin-feature"];
const phid = (t: CaseTicket) => `PHID-TASK-t${t.n}`;
const tagPhid = (name: string) => `PHID-PROJ-${name.toLowerCase().replace(/[^a-z0-9]/g, "")}`;
const tags = (t: CaseTicket) => ["Web App", ...t.labels];

function deliver(t: CaseTicket, label = t.labels.find((l) => ROUTES.includes(l)), edit: (p: any) => void = () => {}): Delivery {
  const p = structuredClone(herald) as any;
  p.object.phid = phid(t);
  edit(p);
  return { body: JSON.stringify(p), suffix: label ? `?label=${encodeURIComponent(label)}` : undefined };
}

/** What Conduit answers for task `t.n` and its tags. */
function conduitRoutes(t: CaseTicket): MockRoute[] {
  const task = structuredClone(tasks) as any;
  Object.assign(task.result.data[0], { id: t.n, phid: phid(t) });
  Object.assign(task.result.data[0].fields, { name: t.title, description: { raw: t.description } });
  task.result.data[0].attachments.projects.projectPHIDs = tags(t).map(tagPhid);
  const proj = structuredClone(projects) as any;
  const template = proj.result.data[0];
  // Conduit's own order, not the task's.
  proj.result.data = tags(t).reverse().map((name, i) => ({ ...template, id: i + 1, phid: tagPhid(name), fields: { ...template.fields, name, slug: name } }));
  // maniphest.edit's answer names the task and the transactions it applied.
  const edited = { result: { object: { id: t.n, phid: phid(t) }, transactions: [{ phid: "PHID-XACT-TASK-c0mm3nt" }] }, error_code: null, error_info: null };
  return [
    { method: "POST", path: "/api/maniphest.search", body: task },
    { method: "POST", path: "/api/project.search", body: proj },
    { method: "POST", path: "/api/maniphest.edit", body: edited },
  ];
}

/** The comment `maniphest.edit` carried, when the call named the task and held the API token. */
function editedComment(raw: unknown, t: CaseTicket): unknown {
  const params = JSON.parse(new URLSearchParams(String(raw)).get("params") ?? "{}");
  if (params.__conduit__?.token !== TOKEN || params.objectIdentifier !== phid(t)) return undefined;
  return params.transactions?.find((x: any) => x.type === "comment")?.value;
}

export const cases: TrackerCases = {
  tracker: "phorge",
  // It is signed, but the suite's tampering probe edits the title, which a Herald body never holds:
  // the extra case below changes the PHID instead.
  signsBody: false,
  env: { PHORGE_BASE_URL: "http://tracker.mock", PHORGE_URL_LABELS: "devin-autofix", PHORGE_API_TOKEN: TOKEN },
  sign: async (raw, secret) => ({ headers: { "x-phabricator-webhook-signature": await hexHmac("SHA-256", secret, raw) } }),
  key: phid,
  created: (t) => deliver(t),
  routes: conduitRoutes,
  prompt: (t) => [
    ...[new RegExp(`^Ticket T${t.n}: `, "m"), "Tracker: Phorge", `Ticket URL: http://tracker.mock/T${t.n}\n`, "Project: Web App, bug\n", t.description],
    `To comment, send POST http://tracker.mock/api/maniphest.edit with the header "content-type: application/x-www-form-urlencoded" and the JSON body {"objectIdentifier":"${phid(t)}","transactions":[{"type":"comment","value":"<your comment>"}],"__conduit__":{"token":"$TICKET_API_TOKEN"}}; that JSON is not the body but its form field params, with output=json and __conduit__=1 (curl --data-urlencode params=…); an answer with an error_code did not comment.`,
  ],
  writeBack: (t) => ({
    method: "POST",
    path: "/api/maniphest.edit",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    text: (body) => editedComment(body, t),
  }),
  extra: [
    {
      name: "the URL's label routes (devin-feature); the Phorge header name and any rotated HMAC key are accepted, another key or a changed body is not",
      env: { PHORGE_WEBHOOK_SECRET: "old-hmac-key,devin-bridge-test-secret" },
      steps: [
        { deliver: (t) => deliver(t, "nope-not-a-route"), secret: "another-key", expect: { status: 401 } },
        { deliver: (t) => deliver(t), signOver: (raw) => raw.replace(/PHID-TASK-t\d+/, "PHID-TASK-other"), expect: { status: 401 } },
        {
          deliver: (t) => deliver(t, "devin-feature"),
          secret: "old-hmac-key",
          sign: async (raw, secret) => ({ headers: { "x-phorge-webhook-signature": await hexHmac("SHA-256", secret, raw) } }),
          expect: { status: 202, label: "devin-feature", answer: { playbook: "playbook-feature-0002" }, prompt: ["Project: Web App, bug, devin-autofix\n"] },
        },
      ],
    },
    {
      name: "a task Herald sends again is a duplicate, whatever transactions it names",
      steps: [
        starts((t) => deliver(t)),
        { deliver: (t) => deliver(t, TRIGGER, (p) => (p.transactions = [{ phid: "PHID-XACT-TASK-zzzz" }])), expect: { status: 200, answer: { status: "duplicate" } } },
      ],
    },
    {
      name: "skips test requests, objects that are not tasks and bodies that are not Herald's",
      steps: [
        skips((t) => deliver(t, TRIGGER, (p) => (p.action.test = true)), /Herald test request/),
        skips((t) => deliver(t, TRIGGER, (p) => (p.object = { type: "DREV", phid: "PHID-DREV-abc" })), /DREV object, not a Maniphest task/),
        skips((t) => deliver(t, TRIGGER, (p) => (p.object.phid = "T12")), /not a Herald webhook/),
        skips((t) => ({ body: JSON.stringify({ task: { id: t.n } }), suffix: `?label=${TRIGGER}` }), /not a Herald webhook/),
      ],
    },
  ],
  checks: [
    {
      name: "Conduit gets form fields: params as JSON with the token in __conduit__",
      actual: () => Object.fromEntries(new URLSearchParams(conduitBody("api-x", { objectIdentifier: "PHID-TASK-a" }))),
      expected: { params: '{"objectIdentifier":"PHID-TASK-a","__conduit__":{"token":"api-x"}}', output: "json", __conduit__: "1" },
    },
    {
      name: "a Conduit error (HTTP 200 with error_code) or a body that is no envelope throws, without the token; a result is returned",
      actual: () => {
        const attempt = (body: unknown) => { try { return conduitResult("maniphest.search", body); } catch (err) { return (err as Error).message; } };
        return [attempt({ result: null, error_code: "ERR-INVALID-AUTH", error_info: "API token \"api-x\" has the wrong format." }), attempt("<html>"), attempt({ result: { data: [] }, error_code: null })];
      },
      expected: ["maniphest.search failed: ERR-INVALID-AUTH", "maniphest.search answered no Conduit envelope", { data: [] }],
    },
    {
      name: "the base URL may name the site or its /api/",
      actual: () => [webRoot("https://phorge.acme.test/api/"), webRoot("https://phorge.acme.test/")],
      expected: ["https://phorge.acme.test", "https://phorge.acme.test"],
    },
  ],
  sample: () => ({ body: JSON.stringify(herald), suffix: `?label=${TRIGGER}` }),
};
