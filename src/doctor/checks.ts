import { sourceViews } from "../admin/data";
import { parseConfig, secretValues, type Config } from "../config";
import { DevinApiError, DevinClient } from "../devin/client";
import { spendGuard } from "../guards/spend-guard";
import { findTracker } from "../trackers";
import { githubApiBase } from "../trackers/github/api";
import { giteaApiBase } from "../trackers/gitea/api";
import { apiRoot as gitlabApiRoot } from "../trackers/gitlab/api";
import { apiHeaders as redmineHeaders } from "../trackers/redmine/api";
import { envPrefix } from "../trackers/settings";
import { redact } from "../log";

/** One line of `npm run doctor`: what was checked, how it went, and what to do about it. */
export interface Check {
  name: string;
  ok: boolean;
  message: string;
  fix?: string;
}

/**
 * Checks the deployment end to end where its secrets are: settings, bindings,
 * the Devin key (a read that starts nothing), each configured tracker's token
 * (a harmless read where one is known). Messages name settings, never values.
 */
export async function deepChecks(env: Env): Promise<Check[]> {
  const parsed = parseConfig(env);
  const checks: Check[] = parsed.ok
    ? [{ name: "settings", ok: true, message: "every setting is present and valid" }]
    : parsed.error.problems.map((p) => ({
        name: `setting ${p.variable}`,
        ok: false,
        message: p.message,
        fix: `set ${p.variable} (locally in .dev.vars; deployed: npx wrangler secret put ${p.variable}, or [vars] in wrangler.toml)`,
      }));
  checks.push(...(await bindingChecks(env)));
  if (!parsed.ok) return checks;
  const config = parsed.config;
  if (config.dryRun) checks.push({ name: "DRY_RUN", ok: true, message: "DRY_RUN is on: no session is started and no tracker is written to" });
  checks.push(await devinCheck(config));
  for (const source of sourceViews(config).filter((s) => s.configured)) {
    checks.push(...(await sourceChecks(config, source.id)));
  }
  return checks.map((c) => ({ ...c, message: redact(c.message, secretValues(config)) }));
}

async function bindingChecks(env: Env): Promise<Check[]> {
  const fix = "deploy with the repository's wrangler.toml (npm run deploy), which declares it";
  const probe = async (name: string, what: string, run: () => unknown): Promise<Check> => {
    try {
      if ((await run()) === false) return { name: `binding ${name}`, ok: false, message: `${name} (${what}) is not bound`, fix };
      return { name: `binding ${name}`, ok: true, message: `${what} bound and answering` };
    } catch (err) {
      return { name: `binding ${name}`, ok: false, message: `${name} (${what}) failed: ${err instanceof Error ? err.message : String(err)}`, fix };
    }
  };
  return Promise.all([
    probe("TICKETS", "KV namespace", async () => env.TICKETS !== undefined && (await env.TICKETS.get("doctor:probe"), true)),
    probe("TICKET_QUEUE", "Queue producer", () => typeof env.TICKET_QUEUE?.send === "function"),
    probe("TICKET_RUN", "Workflow", () => typeof env.TICKET_RUN?.create === "function"),
    probe("SPEND_GUARD", "Durable Object", async () => env.SPEND_GUARD !== undefined && (await spendGuard(env).usage(), true)),
  ]);
}

async function devinCheck(config: Config): Promise<Check> {
  const name = "Devin API key";
  try {
    // Listing by a tag no session carries: a read, allowed by ViewOrgSessions, starts nothing.
    await new DevinClient({ ...config.devin, timeoutMs: 10_000 }).findSessionsByTag("devin-ticket-bridge:doctor");
    return { name, ok: true, message: `DEVIN_API_KEY may list the sessions of ${config.devin.orgId} at ${config.devin.apiBase}` };
  } catch (err) {
    if (!(err instanceof DevinApiError)) return { name, ok: false, message: `the check failed: ${(err as Error).message}` };
    if (err.status === 401) {
      return { name, ok: false, message: "Devin refused DEVIN_API_KEY (401)", fix: "set DEVIN_API_KEY to a service user's key (cog_…): Devin → Settings → Service users" };
    }
    if (err.status === 403) {
      return {
        name,
        ok: false,
        message: `Devin refused to list sessions with DEVIN_API_KEY (403): ${err.reason}`,
        fix: "give the service user the role Member (ViewOrgSessions and ManageOrgSessions), or check DEVIN_ORG_ID",
      };
    }
    if (err.status === 404) {
      return { name, ok: false, message: "Devin does not know DEVIN_ORG_ID (404)", fix: "set DEVIN_ORG_ID to the org_id GET https://api.devin.ai/v3/self shows" };
    }
    return { name, ok: false, message: err.message, fix: err.status ? "try again; if it persists, check Devin's status page" : "check DEVIN_API_BASE and the network" };
  }
}

/** A harmless authenticated read per tracker, where the tracker has one that needs nothing but the token. */
const PROBES: Record<string, (base: string, token: string) => { url: string; headers: Record<string, string> }> = {
  github: (base, token) => ({
    url: `${githubApiBase(base)}/rate_limit`,
    headers: { authorization: `Bearer ${token}`, accept: "application/vnd.github+json", "user-agent": "devin-ticket-bridge" },
  }),
  gitlab: (base, token) => ({ url: `${gitlabApiRoot(base)}/user`, headers: { "private-token": token } }),
  gitea: (base, token) => ({ url: `${giteaApiBase(base)}/user`, headers: { authorization: `token ${token}` } }),
  forgejo: (base, token) => ({ url: `${giteaApiBase(base)}/user`, headers: { authorization: `token ${token}` } }),
  redmine: (base, token) => ({ url: `${base}/my/account.json`, headers: redmineHeaders(token) }),
  jira: (base, token) => ({ url: `${base}/rest/api/2/myself`, headers: { authorization: `Bearer ${token}` } }),
};

async function sourceChecks(config: Config, id: string): Promise<Check[]> {
  const tracker = findTracker(id)!;
  const settings = config.trackers.get(id);
  const prefix = envPrefix(id);
  const checks: Check[] = [];
  checks.push(
    settings?.secrets.length
      ? { name: `${tracker.name} webhook secret`, ok: true, message: `set (${config.env[`${prefix}_WEBHOOK_SECRET`] ? `${prefix}_WEBHOOK_SECRET` : "the shared WEBHOOK_SECRET"})` }
      : { name: `${tracker.name} webhook secret`, ok: false, message: "no webhook secret", fix: `set ${prefix}_WEBHOOK_SECRET` },
  );
  const probe = PROBES[id];
  const name = `${tracker.name} API token`;
  const tokenVar = config.env[`${prefix}_API_TOKEN`] ? `${prefix}_API_TOKEN` : "TICKET_API_TOKEN";
  if (!settings?.apiToken) {
    checks.push({ name, ok: false, message: "no API token: the bridge cannot write on tickets", fix: `set ${prefix}_API_TOKEN` });
  } else if (!probe || !settings.baseUrl) {
    checks.push({
      name,
      ok: true,
      message: `${tokenVar} is set; not tried (${settings.baseUrl ? "no harmless read known for this tracker" : `no ${prefix}_BASE_URL to try it against`})`,
    });
  } else {
    const { url, headers } = probe(settings.baseUrl, settings.apiToken);
    try {
      const res = await fetch(url, { headers: { accept: "application/json", ...headers }, signal: AbortSignal.timeout(10_000) });
      await res.body?.cancel();
      if (res.ok) checks.push({ name, ok: true, message: `${tokenVar} is accepted by ${settings.baseUrl}` });
      else if (res.status === 401 || res.status === 403) {
        checks.push({
          name,
          ok: false,
          message: `${settings.baseUrl} refused ${tokenVar} (${res.status})`,
          fix: `set ${prefix}_API_TOKEN to a ${tracker.name} token that may read and comment on issues`,
        });
      } else checks.push({ name, ok: false, message: `${settings.baseUrl} answered ${res.status}`, fix: `check ${prefix}_BASE_URL` });
    } catch (err) {
      checks.push({ name, ok: false, message: `${settings.baseUrl} could not be reached (${(err as Error).name})`, fix: `check ${prefix}_BASE_URL` });
    }
  }
  return checks;
}
