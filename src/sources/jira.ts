import * as z from "../zod";
import type { TicketEvent } from "../ticket";
import { verifyHexHmacHeader } from "./signatures";
import { trackerRequest } from "./tracker-api";
import type { ParseResult, SourceSettings, TicketComment, TicketSource, TrackerApi } from "./types";

const NAME = "jira";
const TRACKER = "Jira";

// `toString` is read by hand: on an object without it, lookup finds Object.prototype.toString.
const ChangeItem = z.looseObject({ field: z.string(), fromString: z.nullish(z.string()) });
type ChangeItem = z.infer<typeof ChangeItem>;

const Comment = z.looseObject({
  // DC sends wiki markup; Cloud may send ADF like the description.
  body: z.optional(z.unknown()),
  author: z.nullish(z.looseObject({ name: z.nullish(z.string()), displayName: z.nullish(z.string()), accountId: z.nullish(z.string()) })),
});
type Comment = z.infer<typeof Comment>;

/** `comment_created`: only the issue's key matters, and older Jira leaves the issue out altogether. */
const CommentEvent = z.looseObject({
  webhookEvent: z.literal("comment_created"),
  issue: z.nullish(z.looseObject({ key: z.string().check(z.minLength(1)) })),
  comment: Comment,
});

const IssueEvent = z.looseObject({
  webhookEvent: z.string(),
  issue_event_type_name: z.nullish(z.string()),
  issue: z.looseObject({
    key: z.string().check(z.minLength(1)),
    self: z.nullish(z.string()),
    fields: z.looseObject({
      summary: z.string().check(z.minLength(1)),
      // DC sends wiki markup, Cloud may send an Atlassian Document Format tree.
      description: z.optional(z.unknown()),
      labels: z.nullish(z.array(z.string())),
      components: z.nullish(z.array(z.looseObject({ name: z.string() }))),
      project: z.nullish(z.looseObject({ key: z.string() })),
      reporter: z.nullish(
        z.looseObject({ name: z.nullish(z.string()), displayName: z.nullish(z.string()), accountId: z.nullish(z.string()) }),
      ),
    }),
  }),
  changelog: z.nullish(z.looseObject({ items: z.nullish(z.array(ChangeItem)) })),
  // Data Center puts the new comment on the `issue_commented` update.
  comment: z.nullish(Comment),
});
type IssueEvent = z.infer<typeof IssueEvent>;

export const jira: TicketSource = {
  name: NAME,
  tracker: TRACKER,

  // Jira Cloud admin webhooks with a secret sign the body; Data Center signs nothing
  // and relies on the generic secret-in-path form handled before this is called.
  authenticate(req, secrets) {
    return verifyHexHmacHeader(req, secrets, "SHA-256", ["x-hub-signature"], "sha256=");
  },

  parse(payload, _req, settings): ParseResult {
    if (webhookEventOf(payload) === "comment_created") return parseCommentCreated(payload);
    const result = IssueEvent.safeParse(payload);
    if (!result.success) return { kind: "skip", reason: "not a Jira issue event" };
    const event = result.data;
    const fields = event.issue.fields;
    const labels = [...(fields.labels ?? []), ...(fields.components ?? []).map((c) => c.name)];

    let triggerLabels: string[];
    if (event.webhookEvent === "jira:issue_created") triggerLabels = labels;
    else if (event.webhookEvent === "jira:issue_updated") triggerLabels = addedLabels(event.changelog?.items ?? []);
    else return { kind: "skip", reason: `Jira event "${event.webhookEvent}" neither creates an issue nor adds a label` };

    const key = event.issue.key;
    // A comment that also adds a trigger label is a ticket event: the label starts the run.
    if (event.issue_event_type_name === "issue_commented" && event.comment && triggerLabels.length === 0) {
      return { kind: "comment", comment: toComment(key, event.comment) };
    }
    const base = instanceBase(event.issue.self);
    return {
      kind: "ticket",
      ticket: {
        source: NAME,
        tracker: TRACKER,
        key,
        id: key,
        title: fields.summary,
        description: descriptionText(fields.description),
        labels,
        triggerLabels,
        url: browseUrl(key, event.issue.self, settings),
        project: fields.project?.key,
        author: fields.reporter?.name || fields.reporter?.displayName || fields.reporter?.accountId || undefined,
        ...(base ? { replyTo: { baseUrl: base } } : {}),
      },
    };
  },

  comment,
};

/**
 * Data Center's REST v2 with a personal access token. Cloud would need v3
 * (an ADF body) and Basic `email:token`, which this does not send.
 */
async function comment(ticket: TicketEvent, body: string, api: TrackerApi): Promise<void> {
  const url = `${instanceBase(api.baseUrl) ?? api.baseUrl}/rest/api/2/issue/${encodeURIComponent(ticket.key)}/comment`;
  await trackerRequest("POST", url, { authorization: `Bearer ${api.token}` }, { body });
}

function webhookEventOf(payload: unknown): unknown {
  return typeof payload === "object" && payload !== null ? (payload as { webhookEvent?: unknown }).webhookEvent : undefined;
}

function parseCommentCreated(payload: unknown): ParseResult {
  const result = CommentEvent.safeParse(payload);
  if (!result.success) return { kind: "skip", reason: "not a Jira comment_created event" };
  const { issue, comment } = result.data;
  // The comment's `self` names only the numeric issue id, which is not the key sessions are filed under.
  if (!issue) return { kind: "skip", reason: "comment_created without its issue: subscribe to Issue updated for comments" };
  return { kind: "comment", comment: toComment(issue.key, comment) };
}

function toComment(key: string, c: Comment): TicketComment {
  return {
    source: NAME,
    key,
    id: key,
    text: mentionsAsText(descriptionText(c.body)),
    author: c.author?.name || c.author?.displayName || c.author?.accountId || undefined,
  };
}

/** Data Center stores an @-mention of a user as `[~name]`; people (and the mention check) read `@name`. */
function mentionsAsText(text: string): string {
  return text.replace(/\[~(?:accountid:)?([^\]\s]+)\]/gi, "@$1");
}

/** The instance root (context path kept: `https://host/jira`) from a REST link or a configured base. */
function instanceBase(url: string | null | undefined): string | undefined {
  const trimmed = url?.trim().replace(/\/+$/, "");
  if (!trimmed || !/^https?:\/\/[^/]/i.test(trimmed)) return undefined;
  return trimmed.replace(/\/rest(?:\/.*)?$/i, "");
}

/** Labels arrive as one space-separated string per side; a component is one item per name. */
function addedLabels(items: readonly ChangeItem[]): string[] {
  const added: string[] = [];
  for (const item of items) {
    const field = item.field.toLowerCase();
    const to = newValue(item);
    if (field === "labels") {
      const before = new Set(words(item.fromString));
      added.push(...words(to).filter((l) => !before.has(l)));
    } else if (field === "component" && to && to !== item.fromString) {
      added.push(to);
    }
  }
  return added;
}

function newValue(item: ChangeItem): string | undefined {
  const value: unknown = Object.hasOwn(item, "toString") ? (item as Record<string, unknown>).toString : undefined;
  return typeof value === "string" ? value : undefined;
}

function words(value: string | null | undefined): string[] {
  return (value ?? "").split(/\s+/).filter(Boolean);
}

/** The body carries only the REST `self` link; people need `{base}/browse/KEY`. */
function browseUrl(key: string, self: string | null | undefined, settings: SourceSettings): string | undefined {
  const base = settings.get("BASE_URL") ?? (self && self.includes("/rest/") ? self.slice(0, self.indexOf("/rest/")) : undefined);
  return base ? `${base.replace(/\/+$/, "")}/browse/${encodeURIComponent(key)}` : undefined;
}

const MAX_ADF_DEPTH = 64;
// Leaf blocks end a line; containers (lists, quotes, tables) hold such blocks already.
const BLOCKS = new Set(["paragraph", "heading", "codeBlock", "rule"]);

function descriptionText(description: unknown): string {
  if (typeof description === "string") return description;
  return adfText(description, 0).replace(/\n{3,}/g, "\n\n").trim();
}

/** Plain text of an ADF tree: text nodes in order, line breaks between blocks. */
function adfText(node: unknown, depth: number): string {
  if (depth > MAX_ADF_DEPTH || typeof node !== "object" || node === null) return "";
  const { type, text, attrs, content } = node as { type?: unknown; text?: unknown; attrs?: unknown; content?: unknown };
  if (typeof text === "string") return text;
  if (type === "hardBreak") return "\n";
  if (type === "mention" || type === "emoji") return attrText(attrs);
  const inner = Array.isArray(content) ? content.map((c) => adfText(c, depth + 1)).join("") : "";
  if (type === "listItem") return `- ${inner}`;
  return typeof type === "string" && BLOCKS.has(type) ? `${inner}\n` : inner;
}

function attrText(attrs: unknown): string {
  const text = typeof attrs === "object" && attrs !== null ? (attrs as { text?: unknown }).text : undefined;
  return typeof text === "string" ? text : "";
}
