// Azure DevOps service hooks (Web Hooks consumer, resource version 1.0) on work item events.
// Shapes: Microsoft's "Service hooks event reference" (learn.microsoft.com/azure/devops/service-hooks/events:
// workitem.created / workitem.updated / workitem.commented samples) for the envelope, `resource.fields`,
// an update's `{oldValue, newValue}` changes with `workItemId` and `revision`, and the comment in
// `System.History`; identity objects in System.CreatedBy/ChangedBy and `revisedBy` as current
// Services sends them (the docs' samples still show `Name <mail>` strings, which are also read).
// Tags and ReproSteps were added to the samples by hand; `_links.html` and `resourceContainers.*.baseUrl`
// follow Services payloads seen in the wild and could not be confirmed in the docs.
// Write-back: "Comments - Add Comment" (wit/workItems/{id}/comments, HTML `text`).
import type { CaseTicket, Delivery, Step, TrackerCases } from "../case-table";
import { forwards, skips, starts } from "../case-table";
import { htmlToText } from "../kit/html";
import { commentHtml, commentsUrl, patAuth } from "./api";
import { originOf } from "./events";
import created from "./fixtures/azure-devops-workitem-created.json" with { type: "json" };
import commented from "./fixtures/azure-devops-workitem-commented.json" with { type: "json" };
import updated from "./fixtures/azure-devops-workitem-updated.json" with { type: "json" };

const SECRET = "devin-bridge-test-secret";
let revSeq = 10;

const deliver = (payload: unknown, suffix?: string): Delivery => ({ body: JSON.stringify(payload), suffix });
const html = (text: string) => text.split("\n").map((line) => `<div>${line}</div>`).join("");
const link = (t: CaseTicket) => `https://dev.azure.com/fabrikam/web/_workitems/edit/${t.n}`;
const tags = (labels: string[]) => labels.join("; ");

/** The fields of work item `t.n` as the fixtures hold them, with the ticket's title, tags, reporter and description. */
function fields(t: CaseTicket, base: Record<string, unknown>): any {
  const out: Record<string, unknown> = { ...base, "System.Title": t.title, "System.Tags": tags(t.labels), "System.Description": html(t.description) };
  out["System.CreatedBy"] = { ...(base["System.CreatedBy"] as object), displayName: t.author };
  delete out["Microsoft.VSTS.TCM.ReproSteps"];
  return out;
}

function workItem(t: CaseTicket, edit: (fields: any) => void = () => {}): any {
  const p = structuredClone(created) as any;
  Object.assign(p.resource, { id: t.n, fields: fields(t, p.resource.fields), url: `https://dev.azure.com/fabrikam/_apis/wit/workItems/${t.n}` });
  p.resource._links.html.href = link(t);
  edit(p.resource.fields);
  return p;
}

/** An update of work item `t.n` whose `changes` are `{field: [old, new]}`; the revision carries `t`'s fields and `now`. */
function update(t: CaseTicket, changes: Record<string, [unknown, unknown]>, now: Record<string, unknown> = {}): any {
  const p = structuredClone(updated) as any;
  const rev = ++revSeq;
  p.resource.workItemId = t.n;
  Object.assign(p.resource.fields, { "System.Rev": { oldValue: rev - 1, newValue: rev } });
  delete p.resource.fields["System.Tags"];
  for (const [name, [oldValue, newValue]] of Object.entries(changes)) p.resource.fields[name] = { oldValue, newValue };
  Object.assign(p.resource.revision, { id: t.n, rev, fields: { ...fields(t, p.resource.revision.fields), ...now } });
  p.resource.revision._links.html.href = link(t);
  return p;
}

function comment(t: CaseTicket, history: string): any {
  const p = structuredClone(commented) as any;
  Object.assign(p.resource, { id: t.n, rev: ++revSeq });
  Object.assign(p.resource.fields, { "System.Title": t.title, "System.History": history });
  return p;
}

const basic = (user: string) => async (_raw: string, secret: string) => ({ headers: { authorization: `Basic ${btoa(`${user}:${secret}`)}` } });
const skip = (payload: (t: CaseTicket) => unknown, reason: RegExp): Step => skips((t) => deliver(payload(t)), reason);
const untagged = (t: CaseTicket): CaseTicket => ({ ...t, labels: ["bug"] });

export const cases: TrackerCases = {
  tracker: "azure-devops",
  signsBody: false,
  env: { AZURE_DEVOPS_BASE_URL: "http://tracker.mock" },
  sign: async (_raw, secret) => ({ headers: { "x-devin-bridge-key": secret } }),
  key: (t) => String(t.n),
  created: (t) => deliver(workItem(t)),
  labelAdded: (t, name) => deliver(update({ ...t, labels: [...t.labels, name] }, { "System.Tags": [tags(t.labels), tags([...t.labels, name])] })),
  labelRemoved: (t, name) => deliver(update(t, { "System.Tags": [tags([...t.labels, name]), tags(t.labels)] })),
  closed: (t) => deliver(update(t, { "System.State": ["Active", "Closed"] }, { "System.State": "Closed" })),
  comment: (t, text) => deliver(comment(t, html(text))),
  prompt: (t) => [
    ...[new RegExp(`^Ticket #${t.n}: `, "m"), "Tracker: Azure DevOps", `Ticket URL: ${link(t)}`, "Project: Web", `Reported by: ${t.author}`, t.description],
    `To comment, send POST http://tracker.mock/Web/_apis/wit/workItems/${t.n}/comments?api-version=7.0-preview.3 with the header "authorization: Basic $(printf '%s' ":$TICKET_API_TOKEN" | base64 -w0)" and the JSON body {"text":"<div>your comment</div>"}; text is HTML: escape &, < and >, links as <a href>, line breaks as <br>.`,
  ],
  writeBack: (t) => ({
    method: "POST",
    path: `/Web/_apis/wit/workItems/${t.n}/comments`,
    // The shared TICKET_API_TOKEN of the test bindings, as a PAT.
    headers: { authorization: `Basic ${btoa(":tkt_test_token_9a8b7c6d")}`, "content-type": "application/json" },
    // The note goes as HTML; its text must still read as the note.
    text: (body) => htmlToText(body.text),
  }),
  extra: [
    {
      name: "the real payloads: repro steps and the description as text, the older `Name <mail>` identity, a tag added by update, a comment by its author",
      steps: [
        starts(
          (t) => {
            const p = structuredClone(created) as any;
            Object.assign(p.resource, { id: t.n });
            Object.assign(p.resource.fields, { "System.Title": t.title, "System.Tags": "checkout; Devin-Autofix", "System.CreatedBy": "Jamal Hartnett <jamal@fabrikam.test>" });
            return deliver(p);
          },
          ["Reported by: Jamal Hartnett\n", "Ticket URL: https://dev.azure.com/fabrikam/web/_workitems/edit/5", "1. Empty the cart\n2. Press Checkout\n\nExpected: a message. Actual: HTTP 500."],
        ),
        {
          deliver: (t) => {
            const p = structuredClone(updated) as any;
            Object.assign(p.resource, { workItemId: t.n });
            Object.assign(p.resource.revision.fields, { "System.Title": t.title });
            return deliver(p);
          },
          expect: { status: 200, answer: { status: "duplicate" } },
        },
        forwards((t) => deliver({ ...commented, resource: { ...commented.resource, id: t.n } }), /^Comment on ticket #\d+ by Erin Dev:/m, "@devin the guest checkout fails too"),
      ],
    },
    {
      name: "an HTML description and repro steps reach Devin as text, converted in the workflow; an HTML comment is forwarded as text",
      steps: [
        starts(
          (t) =>
            deliver(
              workItem(t, (f) =>
                Object.assign(f, {
                  "System.Description": "<div>Totals &amp; taxes are <b>wrong</b></div><div><br></div><!-- internal: ignore -->",
                  "Microsoft.VSTS.TCM.ReproSteps": "<ol><li>Add two items</li><li>Pay</li></ol>",
                }),
              ),
            ),
          ["Description (reporter's words):\nTotals & taxes are wrong\n\nRepro steps:\n- Add two items\n- Pay\n```"],
        ),
        forwards((t) => deliver(comment(t, "<div><b>@devin</b> and the <i>mini</i> cart &amp; its total</div>")), "@devin and the mini cart & its total"),
        skips((t) => deliver(comment(t, "<div><br></div><p>&nbsp;</p>")), /empty comment/),
      ],
    },
    {
      name: "accepts the secret as the Basic auth password (any user name), not a wrong one",
      steps: [
        { deliver: (t) => deliver(workItem(t)), sign: basic("azure-devops"), secret: "not-the-secret", expect: { status: 401 } },
        { deliver: (t) => deliver(workItem(t)), sign: async () => ({ headers: { authorization: `Basic ${btoa(SECRET)}` } }), expect: { status: 401 } },
        { deliver: (t) => deliver(workItem(t)), sign: basic("azure-devops"), expect: { status: 202 } },
      ],
    },
    {
      name: "reads the header AZURE_DEVOPS_AUTH_HEADER names (not the default one), with any of the rotated secrets",
      env: { AZURE_DEVOPS_AUTH_HEADER: "X-Ado-Token", AZURE_DEVOPS_WEBHOOK_SECRET: `old,${SECRET}` },
      steps: [
        { ...skip((t) => workItem(untagged(t)), /no trigger label/), override: { "x-devin-bridge-key": null, "x-ado-token": "old" } },
        { deliver: (t) => deliver(workItem(t)), expect: { status: 401 } },
      ],
    },
    {
      name: "refuses to start with an AZURE_DEVOPS_AUTH_HEADER that is no header name",
      env: { AZURE_DEVOPS_AUTH_HEADER: "bad header" },
      steps: [{ deliver: (t) => deliver(workItem(t)), expect: { status: 503, reason: /AZURE_DEVOPS_AUTH_HEADER must be a header name/ } }],
    },
    {
      name: "AZURE_DEVOPS_CLOSED_STATES replaces the closed states: a move to one ends the run, Done then does not",
      env: { AZURE_DEVOPS_CLOSED_STATES: "Shipped, Cancelled" },
      steps: [
        skip((t) => update(t, { "System.State": ["Active", "Shipped"] }, { "System.State": "Shipped" }), /the ticket is closed/),
        skip((t) => update(t, { "System.Tags": ["bug", tags(t.labels)] }, { "System.State": "Cancelled" }), /^work item is closed$/),
        starts((t) => deliver(update(t, { "System.Tags": ["bug", tags(t.labels)], "System.State": ["Active", "Done"] }, { "System.State": "Done" }))),
      ],
    },
    {
      name: "skips what is not a new or newly tagged open work item, or a comment with text",
      steps: [
        skip((t) => update(t, { "System.Title": ["Old title", t.title] }), /no trigger label/),
        skip((t) => update(t, { "System.Tags": [tags(t.labels), tags(t.labels)] }), /no trigger label/),
        skip((t) => update(t, { "System.Tags": [tags(t.labels), tags([...t.labels, "perf"])] }, { "System.State": "Done" }), /^work item is closed$/),
        skip((t) => workItem(t, (f) => (f["System.State"] = "Removed")), /^work item is closed$/),
        skip((t) => workItem(t, (f) => (f["System.Title"] = " ")), /without a title/),
        skip((t) => comment(t, "<div> </div>"), /^empty comment$/),
        skip((t) => ({ ...workItem(t), eventType: "workitem.deleted" }), /event workitem\.deleted/),
        skip((t) => ({ ...update(t, {}), resource: { workItemId: t.n, fields: {} } }), /without its revision/),
        skip((t) => ({ eventType: "workitem.created", resource: { id: t.n } }), /without a work item/),
        skip((t) => ({ id: t.n, title: t.title }), /not an Azure DevOps service hook/),
      ],
    },
  ],
  checks: [
    {
      name: "a note is HTML: escaped, links made links, line breaks kept",
      actual: () => commentHtml('Devin <bot> & co: https://app.devin.ai/sessions/a?x=1&y=2.\n"done"'),
      expected: 'Devin &lt;bot&gt; &amp; co: <a href="https://app.devin.ai/sessions/a?x=1&amp;y=2">https://app.devin.ai/sessions/a?x=1&amp;y=2</a>.<br>&quot;done&quot;',
    },
    {
      name: "comments go to the collection's project, with AZURE_DEVOPS_API_VERSION when set",
      actual: () => [
        commentsUrl("5", "Web Shop", { baseUrl: "https://tfs.acme.test/tfs/DefaultCollection", settings: { API_VERSION: "6.0-preview.3" } }),
        commentsUrl("7", "Web", { baseUrl: "https://dev.azure.com/fabrikam", settings: {} }),
      ],
      expected: [
        "https://tfs.acme.test/tfs/DefaultCollection/Web%20Shop/_apis/wit/workItems/5/comments?api-version=6.0-preview.3",
        "https://dev.azure.com/fabrikam/Web/_apis/wit/workItems/7/comments?api-version=7.0-preview.3",
      ],
    },
    { name: "a PAT is the Basic auth password with an empty user", actual: () => patAuth("tok"), expected: { authorization: "Basic OnRvaw==" } },
    {
      name: "the organization or collection is read from a work item's API URL, a project id dropped",
      actual: () => [
        originOf("https://dev.azure.com/fabrikam/_apis/wit/workItems/5"),
        originOf("https://dev.azure.com/fabrikam/be9b3917-87e6-42a4-a549-2bc06a7a878f/_apis/wit/workItems/5/revisions/2"),
        originOf("https://tfs.acme.test/tfs/DefaultCollection/_apis/wit/workItems/5"),
        originOf("not a url/_apis/x"),
      ],
      expected: ["https://dev.azure.com/fabrikam", "https://dev.azure.com/fabrikam", "https://tfs.acme.test/tfs/DefaultCollection", undefined],
    },
  ],
  sample: () => deliver({ ...created, resource: { ...created.resource, fields: { ...created.resource.fields, "System.Tags": "checkout; devin-autofix; regression" } } }),
};
