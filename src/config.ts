import { effectiveRules, parseRoutes, type RouteRule } from "./routing";
import { trackers } from "./trackers";
import { resolveTrackerConfig, type SettingProblem, type TrackerConfig } from "./trackers/settings";
import * as z from "./zod";

/**
 * The bridge's settings, parsed once per `env` object. Secrets are validated
 * but their values never appear in an error: messages name the variable only.
 */
export interface Config {
  devin: { apiBase: string; orgId: string; apiKey: string };
  ticketApiToken: string;
  ticketApiDocsUrl?: string;
  webhookSecrets: string[];
  /** Trigger label (lower case) → Devin playbook id, in the order given. */
  playbooks: Map<string, string>;
  /** `ROUTES` then `PLAYBOOKS`, in the order they are tried (src/routing.ts). */
  routes: RouteRule[];
  /** Comma-separated globs of tracker users; assigning a ticket to one of them starts a session. Unset: assignment starts nothing. */
  assignees?: string;
  /** Bearer token for the status endpoints; unset = they answer 401 to everyone. */
  adminToken?: string;
  /** A comment containing this (case-insensitive) is forwarded to the ticket's session. */
  mention: string;
  /** Comma-separated globs of tracker accounts whose comments are never forwarded (Devin's own tracker user). */
  botAuthors?: string;
  follow: { intervalMs: number; maxMs: number };
  /** New sessions allowed per rolling hour and day; the rest wait, never dropped. */
  spend: {
    perHour: number;
    perDay: number;
    maxAcuLimit?: number;
    /** Optional shares per project and per author (within a source): `MAX_SESSIONS_PER_PROJECT_PER_*`, `MAX_SESSIONS_PER_AUTHOR_PER_*`. */
    perProject: { perHour?: number; perDay?: number };
    perAuthor: { perHour?: number; perDay?: number };
  };
  /** Do everything but start sessions and write to trackers; answer with the would-be Devin request. */
  dryRun: boolean;
  /** Each tracker's resolved settings (secrets, base URL, token, allow-lists, its own), by tracker id. */
  trackers: ReadonlyMap<string, TrackerConfig>;
  /** Raw env, for per-source settings such as `GITLAB_WEBHOOK_SECRET`. */
  env: Readonly<Record<string, unknown>>;
}

export class ConfigError extends Error {
  readonly problems: { variable: string; message: string }[];
  constructor(problems: { variable: string; message: string }[]) {
    super(`bridge is misconfigured: ${problems.map((p) => p.message).join("; ")}`);
    this.name = "ConfigError";
    this.problems = problems;
  }
  get variables(): string[] {
    return [...new Set(this.problems.map((p) => p.variable))];
  }
}

const required = (name: string) =>
  z.string({ error: `${name} is not set` }).check(z.trim(), z.minLength(1, { error: `${name} is empty` }));

const httpUrl = (name: string) =>
  z.pipe(
    z.url({ protocol: /^https?$/, error: `${name} must be an http(s) URL` }),
    z.transform((u) => u.replace(/\/+$/, "")),
  );

/** What `z.preprocess` is in full zod: `fn` runs first, even on a missing value. */
const preprocess = <T extends z.ZodMiniType>(fn: (value: unknown) => unknown, schema: T) => z.pipe(z.transform(fn), schema);

const PLAYBOOKS_SHAPE = 'PLAYBOOKS must be a JSON object of label → playbook id, e.g. {"devin-autofix":"playbook-…"}';
const PlaybookMap = z.record(z.string().check(z.trim(), z.minLength(1)), z.string().check(z.trim(), z.minLength(1)));

/** `[vars]` gives an object; `--var` and `wrangler secret` give a JSON string. */
const playbooks = z.transform((value: unknown, ctx) => {
  const fail = (message: string) => {
    ctx.issues.push({ code: "custom", message, input: value });
    return z.NEVER;
  };
  // With ROUTES, PLAYBOOKS may be left out; parseConfig names it when both are missing.
  if (value === undefined || value === null || value === "") return new Map<string, string>();
  let parsed = value;
  if (typeof value === "string") {
    try {
      parsed = JSON.parse(value);
    } catch {
      return fail(`${PLAYBOOKS_SHAPE} (it is not valid JSON)`);
    }
  }
  const result = PlaybookMap.safeParse(parsed);
  if (!result.success || Object.keys(result.data).length === 0) return fail(PLAYBOOKS_SHAPE);
  return new Map(Object.entries(result.data).map(([label, id]) => [label.trim().toLowerCase(), id.trim()]));
});

const schema = z.object({
  DEVIN_API_KEY: required("DEVIN_API_KEY"),
  DEVIN_ORG_ID: required("DEVIN_ORG_ID"),
  TICKET_API_TOKEN: required("TICKET_API_TOKEN"),
  WEBHOOK_SECRET: required("WEBHOOK_SECRET"),
  DEVIN_API_BASE: preprocess(emptyToUndefined, z._default(httpUrl("DEVIN_API_BASE"), "https://api.devin.ai")),
  PLAYBOOKS: playbooks,
  TICKET_API_DOCS_URL: preprocess(emptyToUndefined, z.optional(httpUrl("TICKET_API_DOCS_URL"))),
  ADMIN_TOKEN: preprocess(
    emptyToUndefined,
    z.optional(z.string().check(z.trim(), z.minLength(16, { error: "ADMIN_TOKEN must be at least 16 characters" }))),
  ),
  BOT_AUTHORS: preprocess(emptyToUndefined, z.optional(z.string())),
  ASSIGNEES: preprocess(emptyToUndefined, z.optional(z.string())),
  DEVIN_MENTION: preprocess(emptyToUndefined, z._default(z.string().check(z.trim(), z.minLength(2), z.maxLength(64)), "@devin")),
  FOLLOW_INTERVAL_SECONDS: positive("FOLLOW_INTERVAL_SECONDS", 180, 10, 86_400),
  FOLLOW_MAX_HOURS: positive("FOLLOW_MAX_HOURS", 24, 0, 24 * 30),
  DRY_RUN: preprocess(
    (v) => (emptyToUndefined(v) === undefined ? "false" : String(v).trim().toLowerCase()),
    z.enum(["true", "false", "1", "0", "yes", "no"], { error: "DRY_RUN must be true or false" }),
  ),
  MAX_SESSIONS_PER_HOUR: positive("MAX_SESSIONS_PER_HOUR", 20, 1, 100_000),
  MAX_SESSIONS_PER_DAY: positive("MAX_SESSIONS_PER_DAY", 100, 1, 1_000_000),
  MAX_SESSIONS_PER_PROJECT_PER_HOUR: share("MAX_SESSIONS_PER_PROJECT_PER_HOUR"),
  MAX_SESSIONS_PER_PROJECT_PER_DAY: share("MAX_SESSIONS_PER_PROJECT_PER_DAY"),
  MAX_SESSIONS_PER_AUTHOR_PER_HOUR: share("MAX_SESSIONS_PER_AUTHOR_PER_HOUR"),
  MAX_SESSIONS_PER_AUTHOR_PER_DAY: share("MAX_SESSIONS_PER_AUTHOR_PER_DAY"),
  MAX_ACU_LIMIT: preprocess(
    (v) => (emptyToUndefined(v) === undefined ? undefined : typeof v === "string" ? Number(v) : v),
    z.optional(
      z.number({ error: "MAX_ACU_LIMIT must be a whole number" }).check(z.int({ error: "MAX_ACU_LIMIT must be a whole number" }), z.gte(1)),
    ),
  ),
});

/** An optional whole number ≥ 1: a share of the session limits, unset = none. */
function share(name: string) {
  return preprocess(
    (v) => (emptyToUndefined(v) === undefined ? undefined : typeof v === "string" ? Number(v) : v),
    z.optional(z.number({ error: `${name} must be a whole number` }).check(z.int({ error: `${name} must be a whole number` }), z.gte(1, { error: `${name} must be ≥ 1` }))),
  );
}

/** A number in `[min, max]`, given as a number or a string (`--var` gives strings). */
function positive(name: string, fallback: number, min: number, max: number) {
  return preprocess(
    (v) => (emptyToUndefined(v) === undefined ? fallback : typeof v === "string" ? Number(v) : v),
    z
      .number({ error: `${name} must be a number` })
      .check(z.gte(min, { error: `${name} must be ≥ ${min}` }), z.lte(max, { error: `${name} must be ≤ ${max}` })),
  );
}

function emptyToUndefined(value: unknown) {
  return typeof value === "string" && value.trim() === "" ? undefined : value;
}

export { splitSecrets } from "./trackers/settings";
import { splitSecrets } from "./trackers/settings";

type Parsed = { ok: true; config: Config } | { ok: false; error: ConfigError };
const cache = new WeakMap<object, Parsed>();

export function parseConfig(env: object): Parsed {
  const hit = cache.get(env);
  if (hit) return hit;
  const result = schema.safeParse(env);
  const problems: SettingProblem[] = result.success
    ? []
    : result.error.issues.map((issue) => ({ variable: String(issue.path[0] ?? "env"), message: issue.message }));
  const vars = env as Record<string, unknown>;
  const routes = parseRoutes(vars.ROUTES);
  if (!routes.ok) problems.push(...routes.problems.map((message) => ({ variable: "ROUTES", message })));
  else if (result.success && result.data.PLAYBOOKS.size === 0 && routes.rules.length === 0) {
    problems.push({ variable: "PLAYBOOKS", message: "PLAYBOOKS is not set (nor ROUTES)" });
  }
  const resolved = new Map(trackers.map((t) => [t.id, resolveTrackerConfig(t, vars, problems)]));
  const parsed: Parsed =
    result.success && problems.length === 0
      ? {
          ok: true,
          config: {
            devin: {
              apiBase: result.data.DEVIN_API_BASE,
              orgId: result.data.DEVIN_ORG_ID,
              apiKey: result.data.DEVIN_API_KEY,
            },
            ticketApiToken: result.data.TICKET_API_TOKEN,
            ticketApiDocsUrl: result.data.TICKET_API_DOCS_URL,
            webhookSecrets: splitSecrets(result.data.WEBHOOK_SECRET),
            playbooks: result.data.PLAYBOOKS,
            routes: effectiveRules(routes.ok ? routes.rules : [], result.data.PLAYBOOKS),
            assignees: result.data.ASSIGNEES,
            adminToken: result.data.ADMIN_TOKEN,
            dryRun: ["true", "1", "yes"].includes(result.data.DRY_RUN),
            mention: result.data.DEVIN_MENTION.toLowerCase(),
            botAuthors: result.data.BOT_AUTHORS,
            follow: { intervalMs: result.data.FOLLOW_INTERVAL_SECONDS * 1000, maxMs: result.data.FOLLOW_MAX_HOURS * 3_600_000 },
            spend: {
              perHour: Math.floor(result.data.MAX_SESSIONS_PER_HOUR),
              perDay: Math.floor(result.data.MAX_SESSIONS_PER_DAY),
              maxAcuLimit: result.data.MAX_ACU_LIMIT,
              perProject: { perHour: result.data.MAX_SESSIONS_PER_PROJECT_PER_HOUR, perDay: result.data.MAX_SESSIONS_PER_PROJECT_PER_DAY },
              perAuthor: { perHour: result.data.MAX_SESSIONS_PER_AUTHOR_PER_HOUR, perDay: result.data.MAX_SESSIONS_PER_AUTHOR_PER_DAY },
            },
            trackers: resolved,
            env: vars,
          },
        }
      : { ok: false, error: new ConfigError(problems) };
  cache.set(env, parsed);
  return parsed;
}

/** Throws {@link ConfigError}; for code paths where a bad config is fatal. */
export function loadConfig(env: object): Config {
  const parsed = parseConfig(env);
  if (!parsed.ok) throw parsed.error;
  return parsed.config;
}

/** The values that must never reach a log line or an answer. */
export function secretValues(config: Config): string[] {
  const perTracker = [...config.trackers.values()].flatMap((t) => [...t.secrets, ...t.urlSecrets, ...(t.apiToken ? [t.apiToken] : [])]);
  return [...new Set([config.devin.apiKey, config.ticketApiToken, ...config.webhookSecrets, ...perTracker, ...(config.adminToken ? [config.adminToken] : [])])];
}
