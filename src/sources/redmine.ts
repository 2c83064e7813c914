import * as z from "../zod";
import { verifyHexHmacHeader } from "./signatures";
import { trackerRequest } from "./tracker-api";
import type { ParseResult, TicketSource } from "./types";

const TRACKER = "Redmine";
const DEFAULT_LABEL_FIELD = "Tags";

const Named = z.looseObject({ id: z.optional(z.number()), name: z.optional(z.string()) });

/** Redmine 7 sends `{id, name, value}`; the legacy plugin `{custom_field_id, custom_field_name?, value}`. */
const CustomField = z.looseObject({
  id: z.optional(z.number()),
  custom_field_id: z.optional(z.number()),
  name: z.optional(z.string()),
  custom_field_name: z.optional(z.string()),
  value: z.optional(z.unknown()),
});
type CustomField = z.infer<typeof CustomField>;

const Issue = z.looseObject({
  id: z.number().check(z.int(), z.positive()),
  subject: z.string().check(z.minLength(1)),
  description: z.nullish(z.string()),
  project: z.nullish(z.looseObject({ name: z.optional(z.string()), identifier: z.optional(z.string()) })),
  status: z.nullish(z.looseObject({ is_closed: z.optional(z.boolean()) })),
  author: z.nullish(
    z.looseObject({ name: z.optional(z.string()), login: z.optional(z.string()), firstname: z.optional(z.string()), lastname: z.optional(z.string()) }),
  ),
  category: z.nullish(Named),
  custom_fields: z.nullish(z.array(CustomField)),
  custom_field_values: z.nullish(z.array(CustomField)),
});
type Issue = z.infer<typeof Issue>;

const Detail = z.looseObject({
  property: z.string(),
  prop_key: z.pipe(z.union([z.string(), z.number()]), z.transform(String)),
  old_value: z.nullish(z.string()),
  value: z.nullish(z.string()),
});
type Detail = z.infer<typeof Detail>;

const Person = z.looseObject({
  name: z.nullish(z.string()),
  login: z.nullish(z.string()),
  firstname: z.nullish(z.string()),
  lastname: z.nullish(z.string()),
});
type Person = z.infer<typeof Person>;

/** Redmine 7 names the journal's writer `user`, the plugin `author`. */
const Journal = z.looseObject({
  notes: z.nullish(z.string()),
  details: z.nullish(z.array(Detail)),
  user: z.catch(z.nullish(Person), undefined),
  author: z.catch(z.nullish(Person), undefined),
});
type Journal = z.infer<typeof Journal>;

/** Redmine 7's native webhook. */
const Native = z.looseObject({
  type: z.string(),
  data: z.looseObject({ issue: z.optional(z.unknown()), journal: z.nullish(Journal) }),
});

/** suer/redmine_webhook (Redmine ≤ 6): unsigned, `{payload:{action, issue, journal, url}}`. */
const Legacy = z.looseObject({
  payload: z.looseObject({
    action: z.string(),
    object: z.optional(z.string()),
    issue: z.optional(z.unknown()),
    journal: z.nullish(Journal),
    url: z.optional(z.string()),
  }),
});

type Event = { kind: "created" | "updated"; issue: unknown; details: Detail[]; journal?: Journal; url?: string };

export const redmine: TicketSource = {
  name: "redmine",
  tracker: TRACKER,

  authenticate(req, secrets) {
    // Only Redmine 7 signs; plugin deliveries must use the path-secret form.
    return verifyHexHmacHeader(req, secrets, "SHA-256", ["x-redmine-signature-256"], "sha256=");
  },

  parse(payload, _req, settings): ParseResult {
    const event = readEvent(payload);
    if ("skip" in event) return { kind: "skip", reason: event.skip };
    const parsed = Issue.safeParse(event.issue);
    if (!parsed.success) return { kind: "skip", reason: "not a Redmine issue payload" };
    const issue = parsed.data;

    const field = labelField(issue, settings.get("LABEL_FIELD") ?? DEFAULT_LABEL_FIELD);
    const category = issue.category?.name?.trim();
    const labels = unique([...(field?.values ?? []), ...(category ? [category] : [])]);
    const triggerLabels = event.kind === "created" ? labels : addedLabels(event.details, issue, field?.id);
    // A note that comes with a new label is the label's event: starting the ticket matters more.
    const notes = event.kind === "updated" ? event.journal?.notes?.trim() : undefined;
    if (notes && triggerLabels.length === 0) {
      // Comments are judged by whether the ticket has a session, not by its state.
      const author = personName(event.journal?.user ?? event.journal?.author);
      return { kind: "comment", comment: { source: "redmine", key: String(issue.id), id: `#${issue.id}`, text: notes, author } };
    }
    if (issue.status?.is_closed) return { kind: "skip", reason: "issue is closed" };

    const base = settings.get("BASE_URL")?.replace(/\/+$/, "");
    const origin = event.url ? instanceRoot(event.url, issue.id) : undefined;
    return {
      kind: "ticket",
      ticket: {
        source: "redmine",
        tracker: TRACKER,
        // Redmine issue ids are global to the instance, so the id alone never collides.
        key: String(issue.id),
        id: `#${issue.id}`,
        title: issue.subject,
        description: issue.description ?? "",
        labels,
        triggerLabels,
        url: event.url || (base ? `${base}/issues/${issue.id}` : undefined),
        project: issue.project?.identifier || issue.project?.name || undefined,
        author: personName(issue.author),
        ...(origin ? { replyTo: { baseUrl: origin } } : {}),
      },
    };
  },

  async comment(ticket, body, api) {
    // Redmine adds a comment as the `notes` of an issue update; it answers 204.
    await trackerRequest(
      "PUT",
      `${api.baseUrl}/issues/${encodeURIComponent(ticket.key)}.json`,
      { "X-Redmine-API-Key": api.token },
      { issue: { notes: body } },
    );
  },
};

function readEvent(payload: unknown): Event | { skip: string } {
  const native = Native.safeParse(payload);
  if (native.success) {
    const { type, data } = native.data;
    if (type !== "issue.created" && type !== "issue.updated") return { skip: `event ${type.slice(0, 64)}` };
    const kind = type === "issue.created" ? "created" : "updated";
    return { kind, issue: data.issue, details: data.journal?.details ?? [], journal: data.journal ?? undefined };
  }
  const legacy = Legacy.safeParse(payload);
  if (legacy.success) {
    const { action, object, issue, journal, url } = legacy.data.payload;
    if (object && object !== "issue") return { skip: `plugin ${object.slice(0, 32)} event` };
    if (action !== "opened" && action !== "updated") return { skip: `plugin action ${action.slice(0, 32)}` };
    return { kind: action === "opened" ? "created" : "updated", issue, details: journal?.details ?? [], journal: journal ?? undefined, url };
  }
  return { skip: "not a Redmine issue webhook" };
}

/**
 * The custom field that carries labels, matched by name or by id (some plugin
 * versions send only `custom_field_id`, with names in separate definitions).
 */
function labelField(issue: Issue, wanted: string): { id?: string; values: string[] } | undefined {
  const fields = [...(issue.custom_fields ?? []), ...(issue.custom_field_values ?? [])];
  const target = wanted.trim().toLowerCase();
  const idOf = (f: CustomField) => {
    const id = f.id ?? f.custom_field_id;
    return id === undefined ? undefined : String(id);
  };
  const match = fields.find((f) => (f.name ?? f.custom_field_name)?.trim().toLowerCase() === target || idOf(f) === target);
  if (!match) return undefined;
  const id = idOf(match);
  const holder = fields.find((f) => f.value !== undefined && (f === match || (id !== undefined && idOf(f) === id)));
  return { id, values: fieldValues(holder?.value) };
}

/** A multi-value list arrives as an array; a text field as "a, b". */
function fieldValues(value: unknown): string[] {
  if (Array.isArray(value)) return unique(value.filter((v): v is string => typeof v === "string").map((v) => v.trim()));
  return typeof value === "string" ? splitList(value) : [];
}

/**
 * A multi-value list adds one detail per value (old_value null); a text field
 * changes as a whole, so added = new items − old items.
 */
function addedLabels(details: Detail[], issue: Issue, fieldId: string | undefined): string[] {
  const added: string[] = [];
  for (const d of details) {
    if (d.property === "cf" && fieldId !== undefined && d.prop_key === fieldId) {
      const before = new Set(splitList(d.old_value ?? ""));
      added.push(...splitList(d.value ?? "").filter((v) => !before.has(v)));
    }
    // The detail holds ids only; the issue (already updated) names the new category.
    if (d.property === "attr" && d.prop_key === "category_id" && d.value && String(issue.category?.id) === d.value) {
      const name = issue.category?.name?.trim();
      if (name) added.push(name);
    }
  }
  return unique(added);
}

function personName(a: Person | null | undefined): string | undefined {
  const full = [a?.firstname, a?.lastname].filter(Boolean).join(" ");
  return a?.name || a?.login || full || undefined;
}

/**
 * The plugin sends the issue's URL, `<root>/issues/<id>`: the root (which may
 * carry a sub-path) is where the REST API lives.
 */
function instanceRoot(url: string, id: number): string | undefined {
  const match = /^(https?:\/\/[^?#]+?)\/issues\/(\d+)\/?(?:[?#].*)?$/i.exec(url.trim());
  return match && match[2] === String(id) ? match[1] : undefined;
}

function splitList(text: string): string[] {
  return unique(text.split(",").map((s) => s.trim()));
}

function unique(values: string[]): string[] {
  return [...new Set(values.filter(Boolean))];
}
