import { describe, expect, it } from "vitest";
import type { CaseTicket, Delivery, TrackerCases } from "../../src/trackers/case-table";
import { cases as gitlab } from "../../src/trackers/gitlab/cases";
import { cases as jiraTables } from "../../src/trackers/jira/cases";
import { runInstanceId } from "../../src/ticket";
import { TEST_BINDINGS } from "../support/bindings";
import { callWorker, devin, idsForKey, SECRET, watchRun } from "./helpers";

// Data Center's table; Cloud's is the variant.
const jira = jiraTables.find((t) => !t.variant)!;

/**
 * Routing rules (ROUTES, with PLAYBOOKS as the shorthand): which rule a ticket
 * takes, what its create call then carries, and how a bad rule is reported.
 * Deliveries come from the trackers' case tables, so they are real-shaped.
 */
let counter = 0;
function newTicket(labels: string[] = ["bug", "devin-autofix"]): CaseTicket {
  const n = 200_000 + ((Date.now() % 700_000) * 100 + counter++) % 899_999_999;
  return { n, title: `Routing case ${n}`, description: `Steps for case ${n}.`, labels, author: "dana" };
}

async function send(table: TrackerCases, delivery: Delivery, env?: Record<string, unknown>, path = ""): Promise<Response> {
  const signed = await table.sign(delivery.body, SECRET);
  const headers = { "content-type": "application/json", ...delivery.headers, ...signed.headers };
  const url = `https://bridge.test/webhooks/${table.tracker}${signed.suffix ?? ""}${delivery.suffix ?? ""}${path}`;
  return callWorker(new Request(url, { method: "POST", headers, body: delivery.body }), env);
}

/** Sends, expects it accepted under `label`, waits for its run and returns Devin's single create body. */
async function oneSession(table: TrackerCases, t: CaseTicket, delivery: Delivery, env?: Record<string, unknown>, label = "devin-autofix") {
  const ids = await idsForKey(table.tracker, table.key(t), label);
  await using run = await watchRun(ids.instanceId);
  const res = await send(table, delivery, env);
  const text = await res.text();
  expect(res.status, text).toBe(202);
  expect(JSON.parse(text)).toMatchObject({ status: "accepted", ticket_key: ids.key, label });
  await run.waitForStatus("complete");
  const creates = await devin.creates(ids.tag);
  expect(creates).toHaveLength(1);
  return creates[0]!.body;
}

const WEB_RULE = {
  name: "web",
  source: "jira",
  project: "WE*",
  label: "devin-autofix",
  playbook: "playbook-web-0003",
  repos: ["acme/web-app", "acme/design-system"],
  max_acu_limit: 7,
  tags: ["team:web"],
  knowledge_ids: ["note-1"],
  preamble: "Run `npm test` before opening a pull request.",
};

describe("routing rules", () => {
  it("a GitLab ticket in acme/web-app works in that repository, named in repos and in the prompt", async () => {
    const t = newTicket();
    const body = await oneSession(gitlab, t, gitlab.created(t));
    expect(body.repos).toEqual(["acme/web-app"]);
    expect(body.prompt).toContain("Repository: acme/web-app");
    expect(body.playbook_id).toBe("playbook-autofix-0001");
  });

  it("a Jira ticket matched by a project glob gets that rule's playbook, repos, ACU cap, tags, knowledge and preamble", async () => {
    const t = newTicket();
    const env = { ROUTES: JSON.stringify([{ name: "ops", project: "OPS-*", playbook: "playbook-ops" }, WEB_RULE]) };
    const body = await oneSession(jira, t, jira.created(t), env);
    expect(body).toMatchObject({ playbook_id: "playbook-web-0003", repos: WEB_RULE.repos, max_acu_limit: 7, knowledge_ids: ["note-1"] });
    expect(body.tags).toEqual(expect.arrayContaining(["devin-ticket-bridge", "source:jira", "team:web"]));
    expect(body.prompt).toContain(WEB_RULE.preamble);
    expect(body.prompt).toContain("Repository: acme/web-app, acme/design-system");
  });

  it("`@devin retry` starts run 2 on the rule the run started from, even once ROUTES no longer names it", async () => {
    const t = newTicket();
    await oneSession(jira, t, jira.created(t), { ROUTES: JSON.stringify([WEB_RULE]) });
    const ids = await idsForKey("jira", jira.key(t));
    const second = await runInstanceId(ids.key, 2);
    await using run2 = await watchRun(second);
    const res = await send(jira, jira.comment!(t, "@devin retry"));
    expect(res.status, await res.clone().text()).toBe(202);
    await run2.waitForStatus("complete");
    const creates = await devin.creates(`ticket:${second}`);
    expect(creates).toHaveLength(1);
    expect(creates[0]!.body).toMatchObject({ playbook_id: "playbook-web-0003", repos: WEB_RULE.repos, max_acu_limit: 7 });
  });

  it("a rule that does not match leaves the ticket to PLAYBOOKS, which behaves as before", async () => {
    const t = newTicket();
    const env = { ROUTES: JSON.stringify([{ ...WEB_RULE, project: "OPS" }]) };
    const body = await oneSession(jira, t, jira.created(t), env);
    expect(body.playbook_id).toBe("playbook-autofix-0001");
    expect(body).not.toHaveProperty("repos");
    expect(body).not.toHaveProperty("max_acu_limit");
  });

  it("each session carries its own source's token: GITLAB_API_TOKEN for GitLab, JIRA_API_TOKEN for Jira", async () => {
    const [a, b] = [newTicket(), newTicket()];
    const fromGitlab = await oneSession(gitlab, a, gitlab.created(a));
    const fromJira = await oneSession(jira, b, jira.created(b));
    expect(fromGitlab.session_secrets).toEqual([{ key: "TICKET_API_TOKEN", value: "glpat-test-4f5e6d7c8b9a", sensitive: true }]);
    expect(fromJira.session_secrets).toEqual([{ key: "TICKET_API_TOKEN", value: "jira-test-pat", sensitive: true }]);
    for (const body of [fromGitlab, fromJira]) expect(body.prompt).not.toContain(TEST_BINDINGS.TICKET_API_TOKEN);
  });

  it("a mention on an unlabelled ticket takes the rule for mentions: its playbook, and the rule's name as the run's identity", async () => {
    const t = newTicket(["bug"]);
    const env = { ROUTES: JSON.stringify([{ name: "web-triage", kind: "mention", project: "acme/*", playbook: "playbook-triage-0004", max_acu_limit: 3 }]) };
    const body = await oneSession(gitlab, t, gitlab.comment!(t, `@devin please fix (${t.n})`), env, "web-triage");
    expect(body).toMatchObject({ playbook_id: "playbook-triage-0004", max_acu_limit: 3, repos: ["acme/web-app"] });
    expect(body.prompt).toContain(`@devin please fix (${t.n})`);
  });

  it("a dry run shows which rule matched and why, and the would-be create call with the secret redacted", async () => {
    const t = newTicket();
    const res = await send(jira, jira.created(t), { DRY_RUN: "true", ROUTES: JSON.stringify([WEB_RULE]) });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as any;
    expect(answer).toMatchObject({ status: "dry_run", route: { rule: "web", kind: "label" }, devin_request: { playbook_id: "playbook-web-0003" } });
    expect(answer.route.why).toMatch(/rule web: source jira, project WEB matches WE\*, label devin-autofix/);
    expect(answer.devin_request.session_secrets[0].value).toBe("[redacted]");
  });

  it("TICKET_API_DOCS_URL, when set, replaces the tracker's comment instruction", async () => {
    const t = newTicket();
    const res = await send(gitlab, gitlab.created(t), { DRY_RUN: "true", TICKET_API_DOCS_URL: "https://docs.acme.test/api" });
    const prompt = String(((await res.json()) as any).devin_request.prompt);
    expect(prompt).toContain("Use the ticketing API documented at https://docs.acme.test/api to post the comment.");
    expect(prompt).not.toContain("To comment, send");
  });

  it.each([
    ["a bad field", [{ name: "web", playbook: "p", max_acu_limit: 0 }], /ROUTES rule "web" \(#1\) field max_acu_limit/],
    ["an unknown field", [{ playbook: "p" }, { name: "ops", playbok: "p" }], /ROUTES rule "ops" \(#2\).*playbok/],
    ["a bad trigger kind", [{ kind: "label" }, { kind: ["comment"] }], /ROUTES rule #2 field kind/],
    ["two rules of one name", [{ name: "a" }, { name: "a" }], /ROUTES rule "a" \(#2\) field name/],
    ["no array", { name: "web" }, /ROUTES must be a JSON array/],
  ])("a bad rule (%s) is a 503 naming the rule and field, on /health and on webhooks; Devin is not called", async (_, routes, message) => {
    const env = { ROUTES: JSON.stringify(routes) };
    const t = newTicket();
    for (const res of [await callWorker(new Request("https://bridge.test/health"), env), await send(jira, jira.created(t), env)]) {
      expect(res.status).toBe(503);
      const body = (await res.json()) as { error: { code: string; message: string; variables: string[] } };
      expect(body.error.code).toBe("misconfigured");
      expect(body.error.message).toMatch(message);
      expect(body.error.variables).toContain("ROUTES");
    }
    expect(await devin.creates((await idsForKey("jira", jira.key(t))).tag)).toHaveLength(0);
  });

  it("/health with the admin token shows the effective rules (ROUTES, then PLAYBOOKS), without secrets; without it, only the status", async () => {
    const env = { ROUTES: JSON.stringify([WEB_RULE]) };
    const health = (token?: string) =>
      callWorker(new Request("https://bridge.test/health", { headers: token ? { authorization: `Bearer ${token}` } : {} }), env);
    // Without the token: the status (and which trackers are written back to), never the rules.
    for (const answer of [await health(), await health("wrong-token-0123456789")]) {
      const body = (await answer.json()) as Record<string, unknown>;
      expect(body.status).toBe("ok");
      expect(body).not.toHaveProperty("routes");
    }
    const res = await health(TEST_BINDINGS.ADMIN_TOKEN);
    const text = await res.text();
    const body = JSON.parse(text);
    expect(body.routes[0]).toMatchObject({ name: "web", match: { source: ["jira"], project: ["WE*"] }, playbook: "playbook-web-0003", preamble_chars: WEB_RULE.preamble.length });
    expect(body.routes[1]).toMatchObject({ name: "PLAYBOOKS", playbooks: JSON.parse(TEST_BINDINGS.PLAYBOOKS) });
    for (const secret of [TEST_BINDINGS.DEVIN_API_KEY, TEST_BINDINGS.TICKET_API_TOKEN, TEST_BINDINGS.WEBHOOK_SECRET, TEST_BINDINGS.ADMIN_TOKEN, "jira-test-pat"]) {
      expect(text).not.toContain(secret);
    }
  });
});
