import {
  MAX_DESCRIPTION_CHARS,
  MAX_HTML_DESCRIPTION_CHARS,
  MAX_JSON_DEPTH,
  MAX_LABEL_CHARS,
  MAX_LABELS,
  MAX_NAME_CHARS,
  MAX_QUEUED_BYTES,
  MAX_TITLE_CHARS,
  MAX_URL_CHARS,
} from "./limits";
import { capText, capVisible, cut, stripHidden, truncationNote, withTruncationNote } from "./text";
import { cutHtml, HTML_READER, htmlToText } from "./trackers/kit/html";
import type { TicketEvent, TicketJob, TicketComment } from "./ticket";

/**
 * What the request path accepts and carries: the raw body read as UTF-8 JSON
 * within a depth, and tickets bounded so every job fits a queue message.
 * Pure functions: cheap to test, nothing here touches the network.
 */

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
const encoder = new TextEncoder();

type Json = { ok: true; value: unknown } | { ok: false; reason: string };

/**
 * The body as JSON: valid UTF-8, parsed, then its nesting checked before anything walks it.
 * The bytes are read once by the decoder and once by V8's parser (which does not recurse, so
 * depth cannot overflow it); the depth check walks containers only, never the text of a string.
 */
export function readJson(raw: Uint8Array): Json {
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    return { ok: false, reason: "the body is not valid UTF-8" };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: "the body is not valid JSON" };
  }
  // Before any tracker, schema or structuredClone walks it (they recurse).
  if (jsonDepthExceeds(value, MAX_JSON_DEPTH)) return { ok: false, reason: `the JSON nests deeper than ${MAX_JSON_DEPTH} levels` };
  return { ok: true, value };
}

/**
 * True when the parsed value's arrays/objects nest deeper than `limit` (a top-level
 * container is level 1). Iterative, so no depth reaches the stack; it visits containers and
 * their members, never the characters of a string, so a long description costs nothing.
 */
export function jsonDepthExceeds(value: unknown, limit: number): boolean {
  if (value === null || typeof value !== "object") return false;
  const nodes: object[] = [value];
  const depths: number[] = [1];
  while (nodes.length > 0) {
    const node = nodes.pop()!;
    const depth = depths.pop()!;
    if (depth > limit) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (child !== null && typeof child === "object") {
        nodes.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return false;
}

/** Lone surrogates become U+FFFD; the common, well-formed text is returned as is, without a copy. */
function wellFormed(text: string): string {
  return text.isWellFormed() ? text : text.toWellFormed();
}

/**
 * Lone surrogates (`"\ud800"` is valid JSON) become U+FFFD rather than a 400:
 * trackers that cut text by UTF-16 units produce them in honest payloads.
 * Sizes are capped so the job fits a queue message; routing has already seen
 * every label. The description is left as it came: fitForQueue cuts it (and
 * makes what it keeps well-formed), so no pass over a long text happens here.
 */
export function boundTicket(ticket: TicketEvent): TicketEvent {
  const labels = (list: readonly string[]) => list.slice(0, MAX_LABELS).map((l) => cut(wellFormed(l), MAX_LABEL_CHARS));
  const optional = (text: string | undefined, max: number) => (text === undefined ? undefined : cut(wellFormed(text), max));
  return {
    ...ticket,
    key: wellFormed(ticket.key),
    id: cut(wellFormed(ticket.id), MAX_NAME_CHARS),
    title: cut(wellFormed(ticket.title), MAX_TITLE_CHARS),
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

/**
 * A follow-up reaches Devin as a message, not through the prompt: hidden text is stripped here
 * (and again where the message is built). Only as much of a long comment is converted (HTML)
 * and stripped as the cap keeps: the mention, a command, the bridge's footer are looked for in
 * what is kept, as they always were.
 */
export function boundComment(comment: TicketComment): TicketComment {
  const { textFormat, ...rest } = comment;
  return {
    ...rest,
    key: wellFormed(comment.key),
    id: wellFormed(comment.id),
    text: capVisible(comment.text, MAX_DESCRIPTION_CHARS, "comment", textFormat === "html" ? HTML_READER : undefined),
    author: comment.author === undefined ? undefined : cut(wellFormed(comment.author), MAX_NAME_CHARS),
  };
}

/** Lone surrogates only matter in what is kept: made well-formed after the cut, not over the whole of a long text. */
const capWellFormed = (text: string, max: number) => wellFormed(capText(text, max));

/** HTML cut never inside a tag or an entity, the note counting the HTML left out; readableTicket turns it into text in the workflow. */
const capHtml = (html: string, max: number) => capText(html, max, "description", cutHtml);

/** The job with its description capped, and cut further if the whole would not fit; `null` when nothing helps. */
export function fitForQueue(job: TicketJob): TicketJob | null {
  const full = job.ticket.description;
  const html = job.ticket.descriptionFormat === "html";
  const triggerLabels = job.ticket.triggerLabels.slice(0, MAX_LABELS).map((l) => cut(l, MAX_LABEL_CHARS));
  for (let max = html ? MAX_HTML_DESCRIPTION_CHARS : MAX_DESCRIPTION_CHARS; max >= 500; max = Math.floor(max / 2)) {
    const description = html ? capHtml(full, max) : capWellFormed(full, max);
    const fitted: TicketJob = { ...job, ticket: { ...job.ticket, triggerLabels, description } };
    if (fitsQueue(fitted)) return fitted;
  }
  return null;
}

// Control characters JSON writes as `\u00XX` (6 bytes); every other character of a well-formed text takes at most 3 bytes of UTF-8 in JSON.
const SIX_BYTE_CONTROLS = /[\u0000-\u0008\u000b\u000e-\u001f]/;
// Printable ASCII but `"` and `\`: one byte each in JSON; any other character takes at most 6.
const PLAIN_RUNS = /[\u0020\u0021\u0023-\u005b\u005d-\u007e]+/g;

/**
 * Whether the job's JSON is within MAX_QUEUED_BYTES of UTF-8. Most jobs are proved to fit
 * without serialising the description: a JSON character is at most 3 bytes of UTF-8, and so
 * is a character of a well-formed description in JSON (`"` → `\"`, `\n` → `\\n`, `€` → 3 bytes,
 * a surrogate pair → 4 for 2) but for the rare control character JSON spells `\u00XX`; a longer
 * one (HTML, which is also not made well-formed here) by counting what is not plain ASCII.
 * Only a job near the limit is serialised and encoded to find out.
 */
function fitsQueue(job: TicketJob): boolean {
  const description = job.ticket.description;
  const rest = 3 * JSON.stringify({ ...job, ticket: { ...job.ticket, description: "" } }).length;
  if (rest + 6 * description.length <= MAX_QUEUED_BYTES) return true;
  const wellFormedText = job.ticket.descriptionFormat !== "html";
  if (wellFormedText && rest + 3 * description.length <= MAX_QUEUED_BYTES && !SIX_BYTE_CONTROLS.test(description)) return true;
  if (rest + description.length + 5 * description.replace(PLAIN_RUNS, "").length <= MAX_QUEUED_BYTES) return true;
  const json = JSON.stringify(job);
  return json.length * 3 <= MAX_QUEUED_BYTES || encoder.encode(json).byteLength <= MAX_QUEUED_BYTES;
}

/**
 * The ticket as Devin reads it: an HTML description (`descriptionFormat: "html"`, cut by
 * fitForQueue or as a tracker's API returned it) converted to text. The workflow calls it
 * before building the prompt, a dry run before showing it; the request path never does.
 * HTML longer than the queue would carry is cut first, so the conversion stays bounded; a
 * note the cut left (counting HTML characters) is carried over to the text. Comments and
 * <script>/<style> blocks are removed before the tags, so their content does not become text.
 */
export function readableTicket(ticket: TicketEvent): TicketEvent {
  // Plain text is only made well-formed (an enriched description was never through fitForQueue).
  if (ticket.descriptionFormat !== "html") return ticket.description.isWellFormed() ? ticket : { ...ticket, description: ticket.description.toWellFormed() };
  const { descriptionFormat: _html, ...rest } = ticket;
  const html = capHtml(ticket.description, MAX_HTML_DESCRIPTION_CHARS);
  const note = truncationNote(html);
  // Hidden blocks go before the tags do: a <script>'s or <style>'s content is no text a reader saw.
  const text = htmlToText(stripHidden(note ? html.slice(0, note.index) : html));
  if (!note) return { ...rest, description: text };
  const kept = cut(text, MAX_DESCRIPTION_CHARS);
  return { ...rest, description: withTruncationNote(kept, text.length - kept.length + note.more) };
}
