// Plane v1 webhooks (`issue`, `issue_comment`). Shapes: makeplane/plane apps/api/plane/bgtasks/webhook_task.py,
// api/serializers/issue.py (IssueExpandSerializer); headers X-Plane-Event, X-Plane-Delivery, X-Plane-Signature (bare hex).
import { type CaseTicket, type Delivery, type Expectation, type TrackerCases, URL_SECRET, TRIGGER } from "../case-table";
import { htmlToText } from "../kit/html";
import { hexHmac } from "../kit/sign";
import { commentsUrl, textToHtml } from "./api";
import created from "./fixtures/plane-issue-created.json" with { type: "json" };

const PROJECT = created.data.project;
const TOKEN = "plane-test-key";
const uuid = (prefix: string, n: number) => `${prefix}-5c6d-4e7f-8a9b-${String(n).padStart(12, "0")}`;
const issueId = (t: CaseTicket) => uuid("e3f1a2b4", t.n);
// Ids derived from names, so a change can name the label it touched.
const labelId = (name: string) => uuid("1abe1000", [...name].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 1e12, 7));

const send = (p: unknown, event = "issue"): Delivery => ({ body: JSON.stringify(p), headers: { "x-plane-event": event, "x-plane-delivery": crypto.randomUUID() } });

/** The fixture as work item `t`; with a change, an `updated` delivery: Plane sends one per changed field. */
function issue(t: CaseTicket, change?: { field: string; old?: unknown; new?: unknown }, edit: (p: any) => void = () => {}): Delivery {
  const p = structuredClone(created) as any;
  const labels = t.labels.map((name) => ({ id: labelId(name), name, color: "#3e63dd" }));
  Object.assign(p.data, { id: issueId(t), sequence_id: t.n, name: t.title, description_stripped: t.description, description_html: `<p>${t.description}</p>`, labels });
  p.activity.actor.display_name = t.author;
  if (change) Object.assign(p, { action: "updated", activity: { ...p.activity, field: change.field, old_value: change.old ?? null, new_value: change.new ?? null } });
  edit(p);
  return send(p);
}

/** `issue_comment`: IssueCommentSerializer's fields, HTML only (no `comment_stripped`). */
function comment(t: CaseTicket, text: string, edit: (p: any) => void = () => {}): Delivery {
  const data = { id: uuid("c0ffee00", t.n * 100 + (text.length % 100)), comment_html: `<p>${text.replace("@devin", "<strong>@devin</strong>")}</p>`, project: PROJECT, issue: issueId(t) };
  const p = { event: "issue_comment", action: "created", data, activity: { field: null, actor: { id: "6bb20d1c", display_name: "erin" } } };
  edit(p);
  return send(p, "issue_comment");
}

const added = (name: string, field = "label_ids") => ({ field, new: labelId(name) });
/** The project as the REST API answers it (ProjectSerializer): the identifier the webhook lacks. */
const projectApi = { method: "GET", path: `/api/v1/workspaces/acme/projects/${PROJECT}/`, body: { id: PROJECT, identifier: "WEB", name: "Web App" } };
const by = (display_name: string) => (p: any) => (p.activity.actor = { ...p.activity.actor, id: uuid("6bb20d1c", display_name.length), display_name });
const bug = (t: CaseTicket) => issue({ ...t, labels: ["bug"] });
const skip = (reason: RegExp): Expectation => ({ status: 200, reason });
/** Where the comment goes, or why it cannot. */
const url = (baseUrl: string, settings = {}, reply: Record<string, string> = { projectId: "P" }) => {
  try {
    return commentsUrl({ key: "K", reply }, { baseUrl, settings });
  } catch (err) {
    return (err as Error).message;
  }
};

export const cases: TrackerCases = {
  tracker: "plane",
  signsBody: true,
  // PLANE_BASE_URL is the workspace URL: the payload names no workspace.
  env: { PLANE_BASE_URL: "http://tracker.mock/acme", PLANE_API_TOKEN: TOKEN, PLANE_URL_SECRET: URL_SECRET, PLANE_URL_LABELS: TRIGGER },
  sign: async (raw, secret) => ({ headers: { "x-plane-signature": await hexHmac("SHA-256", secret, raw) } }),
  key: issueId,
  created: (t) => issue(t),
  labelAdded: (t, name) => issue({ ...t, labels: [...t.labels, name] }, added(name)),
  // A removal, in the list form some clients send.
  labelRemoved: (t, name) => issue(t, { field: "label_ids", old: [...t.labels, name].map(labelId), new: t.labels.map(labelId) }),
  closed: (t) => issue(t, { field: "state_id" }, (p) => (p.data.state.group = "completed")),
  comment: (t, text) => comment(t, text),
  // No "Reported by" here: an update's actor is whoever changed it, so only a create names the reporter (see below).
  // The identifier (WEB) comes from the project API: the webhook names the project by UUID.
  prompt: (t) => [`Ticket WEB-${t.n}: ${t.title}`, "Tracker: Plane", "Project: WEB", `Ticket URL: http://tracker.mock/acme/projects/${PROJECT}/issues/${issueId(t)}`, t.description,
    `To comment, send POST http://tracker.mock/api/v1/workspaces/acme/projects/${PROJECT}/issues/${issueId(t)}/comments/ with the header "x-api-key: $TICKET_API_TOKEN" and the JSON body {"comment_html":"<p>your comment</p>"}; comment_html is HTML`],
  routes: () => [projectApi],
  writeBack: (t) => ({ method: "POST", path: `/api/v1/workspaces/acme/projects/${PROJECT}/issues/${issueId(t)}/comments/`,
    headers: { "x-api-key": TOKEN, authorization: null, "content-type": "application/json" },
    // Links become anchors: what a reader sees is the text.
    text: (body) => htmlToText(body.comment_html) }),
  extra: [
    {
      // The payload's `project` is a bare UUID and `created_by` another: the allow-lists match the UUID and the actor's display name.
      name: "PLANE_ALLOWED_PROJECTS takes project UUIDs; PLANE_ALLOWED_AUTHORS judges whoever added the label, on an update too",
      env: { PLANE_ALLOWED_PROJECTS: PROJECT, PLANE_ALLOWED_AUTHORS: "dana,mia" },
      steps: [
        { deliver: (t) => issue(t, added(TRIGGER), (p) => (p.data.project = uuid("0ther000", 1))), expect: skip(/project "0ther000-5c6d-4e7f-8a9b-000000000001" is not in ALLOWED_PROJECTS/) },
        { deliver: (t) => issue(t, added(TRIGGER), by("outsider")), expect: skip(/author "outsider" is not in ALLOWED_AUTHORS/) },
        { deliver: (t) => issue(t, added(TRIGGER), by("mia")), expect: { status: 202, prompt: [/^Ticket WEB-\d+: /m, "Project: WEB"], notInPrompt: ["Reported by"] } },
      ],
    },
    {
      name: "refuses a wrong path secret; takes the right one; ?label= routes a work item carrying only `bug`, naming its reporter",
      steps: [
        { deliver: (t) => ({ ...issue(t), suffix: "/not-the-secret" }), secret: false, expect: { status: 401 } },
        { deliver: (t) => ({ ...bug(t), suffix: `/${URL_SECRET}` }), secret: false, expect: skip(/no trigger label/) },
        { deliver: (t) => ({ ...bug(t), suffix: `?label=${TRIGGER}` }), expect: { status: 202, answer: { playbook: "playbook-autofix-0001" }, prompt: ["Reported by: dana"] } },
      ],
    },
    {
      name: "an added label named by UUID starts a session (HTML read when there is no stripped text); an unlisted one is any current label; a comment named by the header alone is forwarded",
      steps: [
        {
          // Queued as HTML, turned into text in the workflow: no tag or entity reaches Devin.
          deliver: (t) => issue(t, added(TRIGGER), (p) => Object.assign(p.data, { description_stripped: null, description_html: "<p>Totals &amp; taxes<br/>are <em>wrong</em></p><style>p{}</style>" })),
          expect: { status: 202, prompt: ["Totals & taxes\nare wrong"], notInPrompt: ["<p>Totals", "<em>", "<br", "&amp;", "p{}"] },
        },
        { deliver: (t) => issue(t, { field: "labels", new: "99999999-0000-4000-8000-000000000000" }), expect: { status: 200, answer: { status: "duplicate" } } },
        {
          deliver: (t) => comment(t, "@devin the guest checkout fails too", (p) => delete p.event),
          expect: { status: 202, answer: { status: "forwarded" }, message: [/^Comment on ticket e3f1a2b4-5c6d-4e7f-8a9b-\d{12} by erin:\n\n@devin the guest checkout fails too/m] },
        },
      ],
    },
    {
      name: "skips other label changes and fields, deleted work items, other events and comment edits, deletions, blanks and odd shapes",
      steps: [
        { deliver: (t) => issue(t, added("bug", "labels")), expect: skip(/no trigger label/) },
        { deliver: (t) => issue(t, { field: "priority", old: "low", new: "high" }), expect: skip(/no trigger label/) },
        { deliver: (t) => issue(t, added(TRIGGER), (p) => (p.action = "deleted")), expect: skip(/issue deleted/) },
        { deliver: () => send({ event: "project", action: "created", data: { id: PROJECT, name: "Web" }, activity: {} }, "project"), expect: skip(/not an issue event/) },
        { deliver: (t) => comment(t, "@devin y", (p) => (p.action = "updated")), expect: skip(/comment updated/) },
        { deliver: (t) => comment(t, "@devin y", (p) => Object.assign(p, { action: "deleted", data: { id: p.data.id } })), expect: skip(/comment deleted/) },
        { deliver: (t) => comment(t, "", (p) => (p.data.comment_html = "<p></p>")), expect: skip(/empty comment/) },
        { deliver: (t) => comment(t, "@devin y", (p) => delete p.data.issue), expect: skip(/not a Plane comment/) },
      ],
    },
  ],
  checks: [
    {
      name: "the API is the instance root, the slug PLANE_WORKSPACE_SLUG or the URL's last segment; no slug or no project id is refused",
      actual: () => [url("http://tracker.mock/acme"), url("http://tracker.mock", { WORKSPACE_SLUG: "team-x" }), url("http://tracker.mock"), url("http://tracker.mock/acme", {}, {})],
      expected: [
        "http://tracker.mock/api/v1/workspaces/acme/projects/P/issues/K/comments/",
        "http://tracker.mock/api/v1/workspaces/team-x/projects/P/issues/K/comments/",
        "Plane workspace unknown: set PLANE_BASE_URL to the workspace URL or PLANE_WORKSPACE_SLUG",
        "Plane ticket without its project id: cannot comment",
      ],
    },
    {
      name: "comments become HTML: paragraphs, line breaks, escaped text, bare URLs as links",
      actual: () => [textToHtml("hello"), textToHtml('Devin opened a pull request: https://git.acme.test/pr/7.\nA <b> & "q"\n\n— posted by devin-ticket-bridge')],
      expected: ["<p>hello</p>", '<p>Devin opened a pull request: <a href="https://git.acme.test/pr/7">https://git.acme.test/pr/7</a>.<br>A &lt;b&gt; &amp; &quot;q&quot;</p><p>— posted by devin-ticket-bridge</p>'],
    },
  ],
  sample: () => issue({ n: created.data.sequence_id, title: created.data.name, description: created.data.description_stripped, labels: ["bug", TRIGGER], author: "dana" }),
};
