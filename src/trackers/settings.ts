import type { Tracker } from "./contract";
import { trimBase } from "./kit/url";

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
  own: S;
}

/** Settings every tracker has; anything else under its prefix must be declared by the tracker. */
export const COMMON_SETTINGS = ["WEBHOOK_SECRET", "BASE_URL", "API_TOKEN", "ALLOWED_PROJECTS", "ALLOWED_AUTHORS"] as const;

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

  const base = own("BASE_URL");
  return {
    secrets: splitSecrets(shared("WEBHOOK_SECRET")),
    baseUrl: base ? trimBase(base) : undefined,
    apiToken: shared("API_TOKEN") ?? read(env, "TICKET_API_TOKEN"),
    allowedProjects: shared("ALLOWED_PROJECTS"),
    allowedAuthors: shared("ALLOWED_AUTHORS"),
    own: values,
  };
}
