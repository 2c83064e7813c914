import type { Tracker } from "./contract";
import { writeBackBase, trimBase } from "./kit/url";

/**
 * A tracker's settings as the core resolves them from env: the common ones
 * every tracker has (falling back to the shared variable where that makes
 * sense) and the tracker's declared own, parsed by its schema.
 */
export interface TrackerConfig<S = Record<string, unknown>> {
  /** `<ID>_WEBHOOK_SECRET`, else `WEBHOOK_SECRET`; comma-separated for rotation. */
  secrets: string[];
  /** `<ID>_BASE_URL` only: a shared base URL cannot name every tracker's host. */
  baseUrl?: string;
  /** `<ID>_API_TOKEN`, else `TICKET_API_TOKEN`. */
  apiToken?: string;
  /** `<ID>_ALLOWED_PROJECTS` (replaces the shared one), else `ALLOWED_PROJECTS`. */
  allowedProjects?: string;
  allowedAuthors?: string;
  /** `<ID>_URL_SECRET` only, comma-separated: the secret a sender that cannot sign puts in the path. Never the signing secret. */
  urlSecrets: string[];
  /** `<ID>_URL_LABELS` only (lower case): the trigger labels `?label=` may choose; empty = the query is ignored. */
  urlLabels: string[];
  /** `<ID>_MAX_SESSIONS_PER_HOUR`/`_PER_DAY`, else `MAX_SESSIONS_PER_SOURCE_PER_*`: this source's share of the global limits. */
  spend: { perHour?: number; perDay?: number };
  own: S;
}

/** Settings every tracker has; anything else under its prefix must be declared by the tracker. */
export const COMMON_SETTINGS = [
  "WEBHOOK_SECRET",
  "BASE_URL",
  "API_TOKEN",
  "ALLOWED_PROJECTS",
  "ALLOWED_AUTHORS",
  "URL_SECRET",
  "URL_LABELS",
  "MAX_SESSIONS_PER_HOUR",
  "MAX_SESSIONS_PER_DAY",
] as const;

export interface SettingProblem {
  variable: string;
  message: string;
}

/** `GITLAB` for tracker `gitlab`: the prefix of a tracker's own variables. */
export function envPrefix(id: string): string {
  return id.toUpperCase().replace(/[^A-Z0-9]+/g, "_");
}

/** Comma-separated lists let an operator rotate a secret without downtime. */
export function splitSecrets(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

function read(env: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const value = env[name];
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

export function resolveTrackerConfig(
  tracker: Tracker<any>,
  env: Readonly<Record<string, unknown>>,
  problems: SettingProblem[],
): TrackerConfig {
  const prefix = envPrefix(tracker.id);
  const own = (name: string) => read(env, `${prefix}_${name}`);
  const shared = (name: string) => own(name) ?? read(env, name);

  const values: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(tracker.settings as Record<string, { schema: { safeParse(v: unknown): any } }>)) {
    const variable = `${prefix}_${name}`;
    const result = spec.schema.safeParse(own(name));
    if (result.success) values[name] = result.data;
    else problems.push({ variable, message: `${variable} ${result.error.issues[0]?.message ?? "is not valid"}` });
  }
  // An undeclared variable under the prefix is a typo or a stale setting: name it rather than ignore it.
  const known = new Set<string>([...COMMON_SETTINGS, ...Object.keys(tracker.settings)].map((n) => `${prefix}_${n}`));
  for (const variable of Object.keys(env)) {
    if (variable.startsWith(`${prefix}_`) && !known.has(variable) && typeof env[variable] === "string") {
      problems.push({
        variable,
        message: `${variable} is not a setting of ${tracker.name} (known: ${[...known].join(", ")})`,
      });
    }
  }

  const secrets = splitSecrets(shared("WEBHOOK_SECRET"));
  if (secrets.length === 0) {
    // `WEBHOOK_SECRET=" , "` passes "is set" but holds no secret: every delivery would be refused in silence.
    const variable = own("WEBHOOK_SECRET") ? `${prefix}_WEBHOOK_SECRET` : "WEBHOOK_SECRET";
    // A shared variable is named once, not once per tracker.
    if (!problems.some((p) => p.variable === variable)) problems.push({ variable, message: `${variable} holds no usable secret` });
  }
  const base = own("BASE_URL");
  // The API token goes wherever this URL points: only the operator names it, and only over https.
  if (base && !writeBackBase(base, allowHttp(env))) {
    problems.push({
      variable: `${prefix}_BASE_URL`,
      message: `${prefix}_BASE_URL must be an https URL (http only for a loopback host or with ALLOW_HTTP_WRITEBACK=true)`,
    });
  }
  return {
    secrets,
    baseUrl: base ? trimBase(base) : undefined,
    apiToken: shared("API_TOKEN") ?? read(env, "TICKET_API_TOKEN"),
    allowedProjects: shared("ALLOWED_PROJECTS"),
    allowedAuthors: shared("ALLOWED_AUTHORS"),
    urlSecrets: splitSecrets(own("URL_SECRET")),
    urlLabels: splitSecrets(own("URL_LABELS")).map((l) => l.toLowerCase()),
    spend: {
      perHour: count(env, `${prefix}_MAX_SESSIONS_PER_HOUR`, "MAX_SESSIONS_PER_SOURCE_PER_HOUR", problems),
      perDay: count(env, `${prefix}_MAX_SESSIONS_PER_DAY`, "MAX_SESSIONS_PER_SOURCE_PER_DAY", problems),
    },
    own: values,
  };
}

/** `ALLOW_HTTP_WRITEBACK=true`: the operator accepts plain http to a non-loopback tracker (a test double, a private network). */
export function allowHttp(env: Readonly<Record<string, unknown>>): boolean {
  return ["true", "1", "yes"].includes((read(env, "ALLOW_HTTP_WRITEBACK") ?? "").toLowerCase());
}

/** A whole number ≥ 1 from `variable`, else from the shared `fallback`; a bad value is a problem, not a silent default. */
function count(env: Readonly<Record<string, unknown>>, variable: string, fallback: string, problems: SettingProblem[]): number | undefined {
  const name = read(env, variable) !== undefined ? variable : fallback;
  const value = read(env, name);
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    if (!problems.some((p) => p.variable === name)) problems.push({ variable: name, message: `${name} must be a whole number ≥ 1` });
    return undefined;
  }
  return n;
}
