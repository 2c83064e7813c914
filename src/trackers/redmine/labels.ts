import { addedLabels, removedLabels, splitList, unique } from "../kit/labels";
import type { CustomField, Detail, Issue } from "./schema";

/** Value ids of a key/value list field and the names they stand for (`REDMINE_LABEL_VALUES`). */
export type ValueNames = ReadonlyMap<string, string>;
const NONE: ValueNames = new Map();

/** `7=devin-autofix, 8=devin-feature`: the setting's form; undefined when malformed. */
export function parseValueNames(setting: string): Map<string, string> | undefined {
  const pairs = setting.split(",").map((p) => /^\s*(\d+)\s*=\s*(\S(?:.*\S)?)\s*$/.exec(p));
  return pairs.every(Boolean) ? new Map(pairs.map((m) => [m![1]!, m![2]!])) : undefined;
}

/** The issue's labels: the label field's values (key/value ids read as their names) and the category's name. */
export function issueLabels(issue: Issue, wanted: string, names: ValueNames = NONE): { fieldId?: string; labels: string[] } {
  const field = labelField(issue, wanted);
  const category = issue.category?.name?.trim();
  return { fieldId: field?.id, labels: unique([...(field?.values ?? []).map((v) => names.get(v) ?? v), ...(category ? [category] : [])]) };
}

/**
 * What an update's journal did to the labels. A multi-value list adds one
 * detail per value (old_value null); a text field changes as a whole.
 */
export function labelChange(details: readonly Detail[], issue: Issue, fieldId: string | undefined, names: ValueNames = NONE): { added: string[]; removed: string[] } {
  const added: string[] = [];
  const removed: string[] = [];
  const values = (v: string | null | undefined) => splitList(v, /,/).map((x) => names.get(x) ?? x);
  for (const d of details) {
    if (d.property === "cf" && fieldId !== undefined && d.prop_key === fieldId) {
      added.push(...addedLabels(values(d.old_value), values(d.value)));
      removed.push(...removedLabels(values(d.old_value), values(d.value)));
    }
    // The detail holds ids only; the issue (already updated) names the new category.
    if (d.property === "attr" && d.prop_key === "category_id" && d.value && String(issue.category?.id) === d.value) {
      const name = issue.category?.name?.trim();
      if (name) added.push(name);
    }
  }
  return { added: unique(added), removed: unique(removed) };
}

/**
 * The custom field that carries labels, matched by name or by id (some plugin
 * versions send only `custom_field_id`, with names in separate definitions).
 */
function labelField(issue: Issue, wanted: string): { id?: string; values: string[] } | undefined {
  const fields = [...(issue.custom_fields ?? []), ...(issue.custom_field_values ?? [])];
  const target = wanted.trim().toLowerCase();
  const idOf = (f: CustomField) => (f.id ?? f.custom_field_id)?.toString();
  const match = fields.find((f) => (f.name ?? f.custom_field_name)?.trim().toLowerCase() === target || idOf(f) === target);
  if (!match) return undefined;
  const id = idOf(match);
  const holder = fields.find((f) => f.value !== undefined && (f === match || (id !== undefined && idOf(f) === id)));
  return { id, values: fieldValues(holder?.value) };
}

/** A multi-value list arrives as an array; a text field as "a, b". */
function fieldValues(value: unknown): string[] {
  if (Array.isArray(value)) return unique(value.filter((v): v is string => typeof v === "string"));
  return typeof value === "string" ? splitList(value, /,/) : [];
}
