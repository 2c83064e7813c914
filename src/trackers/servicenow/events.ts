import type { TrackerEvent } from "../contract";
import { addedLabels, removedLabels, splitList, unique } from "../kit/labels";
import { httpBase } from "../kit/url";
import { ServiceNowPayload, type Payload } from "./schema";

const names = (value: string[] | string | null | undefined) => (typeof value === "string" ? splitList(value, /,/) : unique(value ?? []));

/** GlideRecord booleans arrive as `true` or, through getValue, `"true"`/`"1"`. */
const isTrue = (value: boolean | string | null | undefined) => value === true || value === "true" || value === "1";

/** The labels the script sent, else the category and assignment group: the fields teams route by. */
function labelsOf(p: Payload): string[] {
  if (p.labels != null) return names(p.labels);
  return unique([p.category ?? "", p.assignment_group ?? ""]);
}

/** `insert`, `update` and `comment` deliveries of the bridge's Business Rule. */
export function parseServiceNow(payload: unknown, baseUrl: string | undefined): TrackerEvent {
  const parsed = ServiceNowPayload.safeParse(payload);
  if (!parsed.success) return { kind: "skip", reason: "not the ServiceNow Business Rule's payload" };
  const p = parsed.data;
  const key = p.number;
  if (p.event === "comment") return commentOf(p);
  if (p.event !== "insert" && p.event !== "update") return { kind: "skip", reason: `event ${p.event.slice(0, 32)}` };

  const active = p.active == null || isTrue(p.active);
  if (p.event === "update" && !active && p.previous && isTrue(p.previous.active)) {
    return { kind: "ended", ended: { key, id: key, reason: "closed" } };
  }
  if (!active) return { kind: "skip", reason: "record is not active" };

  const labels = labelsOf(p);
  const before = p.event === "update" && p.previous?.labels != null ? names(p.previous.labels) : [];
  const added = p.event === "insert" ? labels : addedLabels(before, labels);
  const removed = p.event === "update" ? removedLabels(before, labels) : [];
  if (p.event === "update" && p.previous?.labels != null && !added.length && removed.length) {
    return { kind: "ended", ended: { key, id: key, reason: "label_removed", labels: removed } };
  }
  const title = p.short_description?.trim();
  if (!title) return { kind: "skip", reason: "record without a short description" };
  const origin = httpBase(p.instance);
  const base = baseUrl ?? origin;
  return {
    kind: "ticket",
    ticket: {
      key,
      id: key,
      title,
      description: p.description ?? "",
      labels,
      // An update without `previous.labels` cannot tell what was added: the rule's condition chose it (and `?label=` routes it).
      triggerLabels: p.event === "update" && p.previous?.labels == null ? [] : added,
      url: base ? `${base}/${p.table}.do?sys_id=${p.sys_id}` : undefined,
      project: p.assignment_group?.trim() || undefined,
      author: p.caller?.trim() || p.opened_by?.trim() || undefined,
      reply: { table: p.table, sys_id: p.sys_id },
    },
  };
}

function commentOf(p: Payload): TrackerEvent {
  const text = p.comment?.text.trim();
  if (!text) return { kind: "skip", reason: "comment event without a comment" };
  const comment = { key: p.number, id: p.number, text, author: p.comment?.author?.trim() || undefined };
  return { kind: "comment", comment: p.comment?.id ? { ...comment, commentId: p.comment.id } : comment };
}
