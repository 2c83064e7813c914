import { cut, stripHidden, type TextReader } from "../../text";

const NAMED: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " };

function entity(match: string, name: string): string {
  if (name[0] !== "#") return NAMED[name.toLowerCase()] ?? match;
  const code = name[1] === "x" || name[1] === "X" ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
  return Number.isInteger(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : match;
}

/**
 * Trackers that store rich text (Zammad articles, Plane descriptions) send
 * HTML; the prompt wants the reporter's words, with line breaks kept. Every
 * pattern is linear, so a hostile 1 MB body cannot stall the request. Not on
 * the request path for descriptions: a tracker marks one `descriptionFormat:
 * "html"` and the workflow converts it (see `readableTicket` in src/bounds.ts).
 */
export function htmlToText(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, "\n")
    .replace(/<\/(?:p|div|li|h[1-6]|tr|blockquote|pre)\s*>/gi, "\n")
    .replace(/<li\b[^>]*>/gi, "- ")
    .replace(/<[^>]*>/g, "")
    .replace(/&(#[xX][0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-zA-Z]{2,6});/g, entity)
    .replace(/[ \t]+\n/g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

// The longest entity htmlToText decodes: `&#x10FFFF;` or `&#1114111;`.
const MAX_ENTITY_CHARS = 10;

/**
 * The first `max` characters of `html` or a little fewer: never inside a tag or an entity,
 * so converting the prefix gives the start of what converting the whole gives.
 */
export function cutHtml(html: string, max: number): string {
  let kept = cut(html, max);
  if (kept.length === html.length) return kept;
  const open = kept.lastIndexOf("<");
  if (open > kept.lastIndexOf(">")) kept = kept.slice(0, open);
  const amp = kept.lastIndexOf("&");
  if (amp >= 0 && amp > kept.lastIndexOf(";") && kept.length - amp < MAX_ENTITY_CHARS) kept = kept.slice(0, amp);
  return kept;
}

/**
 * How the core reads an HTML comment a little at a time (see `capVisible` in src/text.ts):
 * hidden blocks removed before the tags, so a <script>'s content does not become text.
 */
export const HTML_READER: TextReader = { toText: (html) => htmlToText(stripHidden(html)), prefix: cutHtml };

/**
 * `htmlToText(html) === ""`, converting no more than it takes to find a word: the request
 * path's check for an empty comment, where the text itself is converted later (and bounded).
 */
export function htmlIsBlank(html: string): boolean {
  for (let n = 1024; ; n *= 4) {
    if (n >= html.length) return htmlToText(html) === "";
    if (htmlToText(cutHtml(html, n)) !== "") return false;
  }
}
