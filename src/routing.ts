import { globToRegExp } from "./allowlist";
import * as z from "./zod";

/**
 * Routing rules (`ROUTES`): which playbook, repositories, limits and
 * instructions a ticket's session gets. Ordered; the first rule that matches
 * wins. `PLAYBOOKS` is the shorthand it always was: one rule per label, every
 * source and project, tried after the rules. Domain code: no HTTP.
 */

/** What started the ticket: a trigger label, a comment mentioning Devin, or an assignment to Devin's user. */
export type TriggerKind = "label" | "mention" | "assignment";
export const TRIGGER_KINDS: readonly TriggerKind[] = ["label", "mention", "assignment"];

/** What a rule sets on the session besides the playbook; a route carries the same to the workflow. */
export interface RouteSettings {
  repos?: string[];
  maxAcuLimit?: number;
  tags?: string[];
  knowledgeIds?: string[];
  secretIds?: string[];
  preamble?: string;
}

export interface RouteRule extends RouteSettings {
  /** Given, or `#<position>` (1-based): what errors, /health and dry runs call it. */
  name: string;
  match: { source?: string[]; project?: string[]; label?: string[]; kind?: TriggerKind[] };
  playbook?: string;
  /** The rule made from `PLAYBOOKS`: label → playbook, its labels tried in the ticket's order as always. */
  fromPlaybooks?: boolean;
  playbooks?: Readonly<Record<string, string>>;
}

/** What one ticket event asks to be routed: the candidate labels (in order), where it came from, how it started. */
export interface RouteQuery {
  source: string;
  project?: string;
  kind: TriggerKind;
  /** Label triggers: the labels this event may trigger on. Others: the ticket's labels, for rules that name one. */
  labels: readonly string[];
}

/** The decision, carried by the job to the workflow: nothing here is secret. */
export interface Route extends RouteSettings {
  /** The run's identity within the ticket (`source:key:<label>`): the trigger label, else the rule's label or name. */
  label: string;
  kind: TriggerKind;
  rule?: string;
  /** Why it matched, for dry runs. */
  why?: string;
  playbookId?: string;
}

/** The route identity of a mention or assignment no rule names a label for: one per ticket, so both count as the same run. */
export const AGENT_ROUTE = "devin";

const lower = (values: readonly string[] | undefined) => values?.map((v) => v.trim().toLowerCase());

/** Every label some rule or `PLAYBOOKS` names: only these trigger, whatever rule then applies. */
export function triggerLabels(rules: readonly RouteRule[]): string[] {
  return [...new Set(rules.flatMap((r) => r.match.label ?? []))];
}

/**
 * The first rule matching the query. For a label event only trigger labels
 * count (a rule naming no label refines the ones others name, it does not make
 * every label a trigger); they are tried in the ticket's order.
 */
export function pickRoute(query: RouteQuery, rules: readonly RouteRule[]): Route | null {
  const known = new Set(triggerLabels(rules));
  const all = [...new Set(lower(query.labels) ?? [])];
  const labels = query.kind === "label" ? all.filter((l) => known.has(l)) : all;
  if (query.kind === "label" && labels.length === 0) return null;
  for (const rule of rules) {
    const m = rule.match;
    if (m.kind ? !m.kind.includes(query.kind) : query.kind !== "label" && rule.fromPlaybooks) continue;
    if (m.source && !m.source.includes(query.source.toLowerCase())) continue;
    if (m.project && !m.project.some((glob) => query.project !== undefined && globToRegExp(glob).test(query.project))) continue;
    const label = m.label ? labels.find((l) => m.label!.includes(l)) : query.kind === "label" ? labels[0] : undefined;
    if (m.label && !label) continue;
    const routeLabel = query.kind === "label" ? label! : (m.label?.[0] ?? (rule.fromPlaybooks ? AGENT_ROUTE : rule.name));
    // A rule that names no playbook keeps the one PLAYBOOKS gives its label.
    const playbookId = rule.playbook ?? (label ? rules.find((r) => r.playbooks?.[label])?.playbooks?.[label] : undefined);
    return {
      label: routeLabel,
      kind: query.kind,
      ...(rule.fromPlaybooks ? {} : { rule: rule.name }),
      why: whyOf(rule, query, label),
      ...(playbookId ? { playbookId } : {}),
      ...(rule.repos ? { repos: rule.repos } : {}),
      ...(rule.maxAcuLimit ? { maxAcuLimit: rule.maxAcuLimit } : {}),
      ...(rule.tags ? { tags: rule.tags } : {}),
      ...(rule.knowledgeIds ? { knowledgeIds: rule.knowledgeIds } : {}),
      ...(rule.secretIds ? { secretIds: rule.secretIds } : {}),
      ...(rule.preamble ? { preamble: rule.preamble } : {}),
    };
  }
  return null;
}

function whyOf(rule: RouteRule, query: RouteQuery, label: string | undefined): string {
  const parts = [
    rule.match.source ? `source ${query.source}` : null,
    rule.match.project ? `project ${query.project} matches ${rule.match.project.join(", ")}` : null,
    label ? `label ${label}` : null,
    rule.match.kind ? `trigger ${query.kind}` : null,
  ].filter(Boolean);
  const name = rule.fromPlaybooks ? "PLAYBOOKS" : `rule ${rule.name}`;
  return `${name}: ${parts.length ? parts.join(", ") : `matches every ${query.kind} trigger`}`;
}

/** The effective rules: `ROUTES` first, then `PLAYBOOKS` (label → playbook, any source or project). */
export function effectiveRules(routes: readonly RouteRule[], playbooks: ReadonlyMap<string, string>): RouteRule[] {
  const shorthand: RouteRule[] = playbooks.size
    ? [{ name: "PLAYBOOKS", match: { label: [...playbooks.keys()] }, playbooks: Object.fromEntries(playbooks), fromPlaybooks: true }]
    : [];
  // A mention or assignment no rule claims still starts a session, as Jira's and Linear's own integrations do, without a playbook.
  const agent: RouteRule = { name: "default", match: { kind: ["mention", "assignment"] }, fromPlaybooks: true };
  return [...routes, ...shorthand, agent];
}

/** The rules as /health shows them: everything but the preamble's text (its length only). */
export function describeRules(rules: readonly RouteRule[]): unknown[] {
  return rules.map(({ preamble, fromPlaybooks: _, ...rest }) => ({
    ...rest,
    ...(preamble ? { preamble_chars: preamble.length } : {}),
  }));
}

// ---- ROUTES: parsing --------------------------------------------------------------------------

const oneOrMany = <T extends string>(item: z.ZodMiniType<T>) =>
  z.pipe(
    z.union([item, z.array(item).check(z.minLength(1), z.maxLength(100))]),
    z.transform((v: T | T[]): T[] => (Array.isArray(v) ? v : [v])),
  );
const text = (max: number) => z.string().check(z.trim(), z.minLength(1), z.maxLength(max));
const ids = z.array(text(200)).check(z.maxLength(100));

const Rule = z.strictObject({
  name: z.optional(text(100)),
  source: z.optional(oneOrMany(text(64))),
  project: z.optional(oneOrMany(text(512))),
  label: z.optional(oneOrMany(text(256))),
  kind: z.optional(oneOrMany(z.enum(["label", "mention", "assignment"]))),
  playbook: z.optional(text(200)),
  repos: z.optional(z.array(text(512)).check(z.minLength(1), z.maxLength(50))),
  max_acu_limit: z.optional(z.number().check(z.int(), z.gte(1))),
  tags: z.optional(z.array(text(100)).check(z.maxLength(20))),
  knowledge_ids: z.optional(ids),
  secret_ids: z.optional(ids),
  preamble: z.optional(text(4_000)),
});

const ROUTES_SHAPE =
  'ROUTES must be a JSON array of rules, e.g. [{"name":"web","source":"gitlab","project":"acme/*","label":"devin-autofix","playbook":"playbook-…","repos":["acme/web-app"]}]';

/** Parses `ROUTES` (a JSON string, or an array from `[vars]`); each problem names the rule and the field. */
export function parseRoutes(value: unknown): { ok: true; rules: RouteRule[] } | { ok: false; problems: string[] } {
  if (value === undefined || value === null || (typeof value === "string" && value.trim() === "")) return { ok: true, rules: [] };
  let parsed = value;
  if (typeof value === "string") {
    try {
      parsed = JSON.parse(value);
    } catch {
      return { ok: false, problems: [`${ROUTES_SHAPE} (it is not valid JSON)`] };
    }
  }
  if (!Array.isArray(parsed) || parsed.length > 200) return { ok: false, problems: [ROUTES_SHAPE] };
  const problems: string[] = [];
  const rules: RouteRule[] = [];
  const names = new Set<string>();
  parsed.forEach((raw, i) => {
    const given = typeof raw === "object" && raw !== null && typeof (raw as { name?: unknown }).name === "string" ? (raw as { name: string }).name.trim() : "";
    const name = given ? `"${given.slice(0, 100)}" (#${i + 1})` : `#${i + 1}`;
    const result = Rule.safeParse(raw);
    if (!result.success) {
      for (const issue of result.error.issues.slice(0, 3)) {
        const field = issue.path.length ? issue.path.join(".") : issue.code === "unrecognized_keys" ? (issue as { keys?: string[] }).keys?.join(", ") : "";
        problems.push(`ROUTES rule ${name}${field ? ` field ${field}` : ""}: ${issue.message}`);
      }
      return;
    }
    const r = result.data;
    const id = r.name ?? `#${i + 1}`;
    if (names.has(id)) problems.push(`ROUTES rule ${name} field name: another rule has the name "${id}"`);
    names.add(id);
    rules.push({
      name: id,
      match: { source: lower(r.source), project: r.project, label: lower(r.label), kind: r.kind },
      playbook: r.playbook,
      repos: r.repos,
      maxAcuLimit: r.max_acu_limit,
      tags: r.tags,
      knowledgeIds: r.knowledge_ids,
      secretIds: r.secret_ids,
      preamble: r.preamble,
    });
  });
  return problems.length ? { ok: false, problems } : { ok: true, rules };
}
