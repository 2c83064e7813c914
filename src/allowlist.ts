import type { TrackerConfig } from "./trackers/settings";

/**
 * Optional allow-lists: `ALLOWED_PROJECTS` and `ALLOWED_AUTHORS` (or per source,
 * `GITHUB_ALLOWED_PROJECTS`, which replaces the shared one), comma-separated
 * globs matched case-insensitively against the whole value: `*` is any run
 * of characters (slashes included, so `acme/*` covers subgroups), `?` one.
 * Unset means everyone.
 */
export interface AllowList {
  readonly variable: string;
  readonly patterns: readonly string[];
  allows(value: string | undefined): boolean;
}

export function parseAllowList(variable: string, spec: string | undefined): AllowList | null {
  if (spec === undefined || spec.trim() === "") return null;
  const patterns = spec
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
  const compiled = patterns.map(globToRegExp);
  return {
    variable,
    patterns,
    // A list that is set but names nothing (`","`) admits nobody: a guard that fails open is no guard.
    allows: (value) => value !== undefined && compiled.some((re) => re.test(value.trim())),
  };
}

export function globToRegExp(glob: string): RegExp {
  const body = [...glob.replace(/\*+/g, "*")]
    .map((ch) => (ch === "*" ? "[\\s\\S]*" : ch === "?" ? "[\\s\\S]" : ch.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")))
    .join("");
  return new RegExp(`^${body}$`, "iu");
}

export interface AllowListSubject {
  project?: string;
  author?: string;
}

/** Why the ticket is outside the allow-lists, or `null` when it may go to Devin. */
export function allowListVerdict(subject: AllowListSubject, settings: Pick<TrackerConfig, "allowedProjects" | "allowedAuthors">): string | null {
  const checks: [AllowList | null, string | undefined, string][] = [
    [parseAllowList("ALLOWED_PROJECTS", settings.allowedProjects), subject.project, "project"],
    [parseAllowList("ALLOWED_AUTHORS", settings.allowedAuthors), subject.author, "author"],
  ];
  for (const [list, value, what] of checks) {
    if (!list || list.allows(value)) continue;
    return value === undefined || value.trim() === ""
      ? `the ticket names no ${what} and ${list.variable} is set`
      : `${what} "${value.trim().slice(0, 100)}" is not in ${list.variable}`;
  }
  return null;
}
