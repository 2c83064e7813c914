import { MAX_DESCRIPTION_CHARS, MAX_TITLE_CHARS } from "./limits";

/**
 * Text cleaning for everything the bridge passes on: hidden text stripped,
 * lengths capped without splitting characters, reporter text fenced.
 */
/**
 * Characters that change nothing a person sees but everything a model reads:
 * zero-width and joiners, bidi embeddings/overrides/isolates (Trojan Source),
 * invisible operators, BOM, and the Unicode tag block (ASCII smuggling).
 */
const INVISIBLE = /[\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u{e0000}-\u{e007f}]/gu;
// An unclosed comment or block runs to the end, as it does when the tracker renders it.
const HTML_COMMENT = /<!--[\s\S]*?(?:--!?>|$)/g;
// An opening tag with no `>` also runs to the end: matching it once keeps the scan linear.
const SCRIPT_OR_STYLE = /<(script|style)\b(?:[^>]*>[\s\S]*?(?:<\/\1\s*>|$)|[^>]*$)/gi;
// Removing one block can join its neighbours into a new one (`<scr<script></script>ipt>`); a few passes settle it.
const MAX_PASSES = 5;

/**
 * Removes what the ticket's human readers never saw, so it cannot carry
 * instructions to Devin: HTML comments, `<script>`/`<style>` blocks and
 * invisible formatting characters. Lone surrogates become U+FFFD.
 */
export function stripHidden(text: string): string {
  let out = text.toWellFormed().replace(INVISIBLE, "");
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const next = out.replace(HTML_COMMENT, "").replace(SCRIPT_OR_STYLE, "");
    if (next === out) break;
    out = next;
  }
  return out;
}

/** The first `max` UTF-16 units, without splitting a surrogate pair. */
export function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  const code = text.charCodeAt(max - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}

const NOTE_START = "\n[… ";
const NOTE_END = " more characters on the ticket]";
const TRUNCATION_NOTE = /^\n\[… [a-z]+ truncated by devin-ticket-bridge: (\d+) more characters on the ticket\]$/;

/**
 * The bridge's truncation note ending `text`, if any: where it starts and the count it gives.
 * The note holds no line break after its first character, so only the last `\n[… ` can start
 * it: one search back from the end, and only when the text ends as a note does.
 */
export function truncationNote(text: string): { index: number; more: number } | null {
  if (!text.endsWith(NOTE_END)) return null;
  const index = text.lastIndexOf(NOTE_START);
  if (index < 0) return null;
  const match = TRUNCATION_NOTE.exec(text.slice(index));
  return match ? { index, more: Number(match[1]) } : null;
}

/** `kept` and the note saying `more` characters were left out. */
export function withTruncationNote(kept: string, more: number, noun = "description"): string {
  return `${kept}\n[… ${noun} truncated by devin-ticket-bridge: ${more} more characters on the ticket]`;
}

/**
 * Caps long text with a note saying how much was left out. Idempotent: text
 * already capped (by intake, to fit the queue) is returned as it is, so the
 * count in the note stays the ticket's. `cutAt` keeps a unit whole (HTML: never
 * inside a tag or an entity).
 */
export function capText(text: string, max = MAX_DESCRIPTION_CHARS, noun = "description", cutAt: (text: string, max: number) => string = cut): string {
  if (text.length <= max) return text;
  const note = truncationNote(text);
  if (note && note.index <= max) return text;
  const kept = cutAt(text, max);
  return withTruncationNote(kept, text.length - kept.length, noun);
}

/** How {@link capVisible} reads a text: as it is, or (HTML) converted, from prefixes cut where the conversion can stop. */
export interface TextReader {
  toText(text: string): string;
  /** The first `n` characters or a little fewer, cut where `toText` of the prefix starts like `toText` of the whole. */
  prefix(text: string, n: number): string;
}

const PLAIN: TextReader = { toText: (t) => t, prefix: cut };

/**
 * `capText(stripHidden(reader.toText(text)), max, noun)`, reading no more of a long text than
 * the cap needs: a prefix, converted and stripped, doubled until it yields more than `max`
 * visible characters (or is the whole text). Hidden text that starts in a prefix runs to its
 * end there, as an unclosed block does, so what is kept matches the whole text's; the count in
 * the note adds the unread rest as it stands.
 */
export function capVisible(text: string, max: number, noun: string, reader: TextReader = PLAIN): string {
  for (let n = max + 1024; ; n *= 2) {
    if (n >= text.length) return capText(stripHidden(reader.toText(text)), max, noun);
    const prefix = reader.prefix(text, n);
    const visible = stripHidden(reader.toText(prefix));
    if (visible.length > max) {
      const kept = cut(visible, max);
      return withTruncationNote(kept, visible.length - kept.length + (text.length - prefix.length), noun);
    }
  }
}

/** A one-line title: no control characters, no line breaks that could start a fake section. */
export function oneLine(text: string, max = MAX_TITLE_CHARS): string {
  const flat = text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, " ").replace(/\s+/g, " ").trim();
  return flat.length > max ? `${cut(flat, max - 1)}…` : flat;
}

/**
 * Markdown fence longer than any backtick run inside the text, so the
 * reporter's words cannot close it early and pose as instructions.
 */
export function fence(text: string, info = "text"): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const ticks = "`".repeat(Math.max(3, longest + 1));
  return `${ticks}${info}\n${text}\n${ticks}`;
}

