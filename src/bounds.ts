import {
  MAX_DESCRIPTION_CHARS,
  MAX_JSON_DEPTH,
  MAX_LABEL_CHARS,
  MAX_LABELS,
  MAX_NAME_CHARS,
  MAX_QUEUED_BYTES,
  MAX_TITLE_CHARS,
  MAX_URL_CHARS,
} from "./limits";
import { capText, cut, stripHidden } from "./text";
import type { TicketEvent, TicketJob, TicketComment } from "./ticket";

/**
 * What the request path accepts and carries: the raw body read as UTF-8 JSON
 * within a depth, and tickets bounded so every job fits a queue message.
 * Pure functions: cheap to test, nothing here touches the network.
 */

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
const encoder = new TextEncoder();

type Json = { ok: true; value: unknown } | { ok: false; reason: string };

export function readJson(raw: Uint8Array): Json {
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    return { ok: false, reason: "the body is not valid UTF-8" };
  }
  // Checked on the text, before parsing, so depth never reaches the parser (or the stack of whoever walks the result).
  if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) return { ok: false, reason: `the JSON nests deeper than ${MAX_JSON_DEPTH} levels` };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, reason: "the body is not valid JSON" };
  }
}

/**
 * True when arrays/objects nest deeper than `limit`; brackets inside strings do not count. One pass,
 * jumping with native regex search from one structural character to the next (and over strings
 * whole), so a 64 KiB description costs a few searches rather than a JavaScript loop per character.
 */
export function jsonDepthExceeds(text: string, limit: number): boolean {
  const structural = /["[\]{}]/g;
  const stringEnd = /["\\]/g;
  let depth = 0;
  let i = 0;
  for (;;) {
    structural.lastIndex = i;
    const at = structural.exec(text)?.index;
    if (at === undefined) return false;
    const c = text.charCodeAt(at);
    i = at + 1;
    if (c === 0x22) {
      for (;;) {
        stringEnd.lastIndex = i;
        const end = stringEnd.exec(text)?.index;
        if (end === undefined) return false;
        i = end + 1;
        if (text.charCodeAt(end) === 0x22) break;
        i++; // an escape: skip the escaped character
      }
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else depth--;
  }
}

/**
 * Lone surrogates (`"\ud800"` is valid JSON) become U+FFFD rather than a 400:
 * trackers that cut text by UTF-16 units produce them in honest payloads.
 * Sizes are capped so the job fits a queue message; routing has already seen
 * every label.
 */
/** Lone surrogates become U+FFFD; the common, well-formed text is returned as is, without a copy. */
function wellFormed(text: string): string {
  return text.isWellFormed() ? text : text.toWellFormed();
}

export function boundTicket(ticket: TicketEvent): TicketEvent {
  const labels = (list: readonly string[]) => list.slice(0, MAX_LABELS).map((l) => cut(wellFormed(l), MAX_LABEL_CHARS));
  const optional = (text: string | undefined, max: number) => (text === undefined ? undefined : cut(wellFormed(text), max));
  return {
    ...ticket,
    key: wellFormed(ticket.key),
    id: cut(wellFormed(ticket.id), MAX_NAME_CHARS),
    title: cut(wellFormed(ticket.title), MAX_TITLE_CHARS),
    // Cut in fitForQueue, from the full text, so the note counts what the ticket really holds.
    description: wellFormed(ticket.description),
    labels: labels(ticket.labels),
    // Routing reads the whole list; only what is queued is capped.
    triggerLabels: ticket.triggerLabels.map((l) => wellFormed(l)),
    url: optional(ticket.url, MAX_URL_CHARS),
    project: optional(ticket.project, MAX_NAME_CHARS),
    author: optional(ticket.author, MAX_NAME_CHARS),
    ...(ticket.assignedTo ? { assignedTo: ticket.assignedTo.slice(0, MAX_LABELS).map((a) => cut(wellFormed(a), MAX_NAME_CHARS)) } : {}),
    ...(ticket.assignedBy !== undefined ? { assignedBy: optional(ticket.assignedBy, MAX_NAME_CHARS) } : {}),
    ...(ticket.requestedBy !== undefined ? { requestedBy: optional(ticket.requestedBy, MAX_NAME_CHARS) } : {}),
  };
}

/** A follow-up reaches Devin as a message, not through the prompt: hidden text is stripped here. */
export function boundComment(comment: TicketComment): TicketComment {
  return {
    ...comment,
    key: wellFormed(comment.key),
    id: wellFormed(comment.id),
    text: capText(stripHidden(comment.text), MAX_DESCRIPTION_CHARS, "comment"),
    author: comment.author === undefined ? undefined : cut(wellFormed(comment.author), MAX_NAME_CHARS),
  };
}

/** The job with its description capped, and cut further if the whole would not fit; `null` when nothing helps. */
export function fitForQueue(job: TicketJob): TicketJob | null {
  const full = job.ticket.description;
  const triggerLabels = job.ticket.triggerLabels.slice(0, MAX_LABELS).map((l) => cut(l, MAX_LABEL_CHARS));
  for (let max = MAX_DESCRIPTION_CHARS; max >= 500; max = Math.floor(max / 2)) {
    const fitted: TicketJob = { ...job, ticket: { ...job.ticket, triggerLabels, description: capText(full, max) } };
    const json = JSON.stringify(fitted);
    // A UTF-16 unit is at most 3 bytes of UTF-8: most jobs fit without encoding them to find out.
    if (json.length * 3 <= MAX_QUEUED_BYTES || encoder.encode(json).byteLength <= MAX_QUEUED_BYTES) return fitted;
  }
  return null;
}
