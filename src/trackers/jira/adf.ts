const MAX_DEPTH = 64;
// Leaf blocks end a line; containers (lists, quotes, tables) hold such blocks already.
const BLOCKS = new Set(["paragraph", "heading", "codeBlock", "rule"]);

/** A description or comment body as people read it: wiki markup as it is, an ADF tree as plain text. */
export function bodyText(body: unknown): string {
  if (typeof body === "string") return body;
  return adfText(body, 0).replace(/\n{3,}/g, "\n\n").trim();
}

/** Data Center stores an @-mention of a user as `[~name]`; people (and the mention check) read `@name`. */
export function mentionsAsText(text: string): string {
  return text.replace(/\[~(?:accountid:)?([^\]\s]+)\]/gi, "@$1");
}

/** Text nodes in order, line breaks between blocks. */
function adfText(node: unknown, depth: number): string {
  if (depth > MAX_DEPTH || typeof node !== "object" || node === null) return "";
  const { type, text, attrs, content } = node as { type?: unknown; text?: unknown; attrs?: unknown; content?: unknown };
  if (typeof text === "string") return text;
  if (type === "hardBreak") return "\n";
  if (type === "mention" || type === "emoji") {
    const label = typeof attrs === "object" && attrs !== null ? (attrs as { text?: unknown }).text : undefined;
    return typeof label === "string" ? label : "";
  }
  const inner = Array.isArray(content) ? content.map((c) => adfText(c, depth + 1)).join("") : "";
  if (type === "listItem") return `- ${inner}`;
  return typeof type === "string" && BLOCKS.has(type) ? `${inner}\n` : inner;
}

type AdfNode = { type: string; text?: string; marks?: { type: string; attrs?: Record<string, string> }[]; content?: AdfNode[] };

// A URL ends before whitespace and before punctuation that closes the sentence around it.
const URL = /https?:\/\/[^\s<>"]*[^\s<>".,;:!?)\]'*]/g;

/** Plain text as an ADF document (Cloud's REST v3 takes nothing else): paragraphs at blank lines, hard breaks within, URLs as links. */
export function textToAdf(text: string): { type: "doc"; version: 1; content: AdfNode[] } {
  const paragraphs = text.split(/\n{2,}/).filter((p) => p.trim() !== "");
  return {
    type: "doc",
    version: 1,
    content: paragraphs.map((p) => ({
      type: "paragraph",
      content: p.split("\n").flatMap((line, i) => [...(i > 0 ? [{ type: "hardBreak" }] : []), ...linked(line)]),
    })),
  };
}

function linked(line: string): AdfNode[] {
  const nodes: AdfNode[] = [];
  let at = 0;
  for (const m of line.matchAll(URL)) {
    if (m.index > at) nodes.push({ type: "text", text: line.slice(at, m.index) });
    nodes.push({ type: "text", text: m[0], marks: [{ type: "link", attrs: { href: m[0] } }] });
    at = m.index + m[0].length;
  }
  if (at < line.length) nodes.push({ type: "text", text: line.slice(at) });
  return nodes;
}
