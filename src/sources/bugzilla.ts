import * as z from "../zod";
import { verifyTokenHeader } from "./signatures";
import { trackerRequest } from "./tracker-api";
import type { ParseResult, SourceSettings, TicketSource, WebhookRequest } from "./types";
import type { TicketEvent } from "../ticket";

const TRACKER = "Bugzilla";
/** The header name the fixture README suggests typing into the hook's api_key_header. */
const DEFAULT_AUTH_HEADER = "X-Devin-Bridge-Key";
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

const Bug = z.looseObject({
  id: z.number().check(z.int(), z.positive()),
  summary: z.string().check(z.minLength(1)),
  is_private: z.optional(z.boolean()),
  keywords: z._default(z.array(z.string()), []),
  product: z.optional(z.string()),
  resolution: z.nullish(z.string()),
  creator: z.optional(z.string()),
  creator_detail: z.nullish(z.looseObject({ login: z.optional(z.string()), real_name: z.optional(z.string()) })),
});
type Bug = z.infer<typeof Bug>;

const Change = z.looseObject({
  field: z.string(),
  added: z.nullish(z.union([z.string(), z.number()])),
});

const Envelope = z.looseObject({
  bug: z.optional(z.looseObject({ is_private: z.optional(z.boolean()) })),
  event: z.looseObject({ routing_key: z.string(), changes: z.nullish(z.array(Change)) }),
});

const User = z.looseObject({ login: z.nullish(z.string()), real_name: z.nullish(z.string()) });

/**
 * `comment.create` as the Webhooks extension sends it: the comment moves into
 * `bug.comment`; on a private bug or comment only ids and `is_private` remain.
 */
const CommentEvent = z.looseObject({
  bug: z.looseObject({
    id: z.number().check(z.int(), z.positive()),
    is_private: z.optional(z.boolean()),
    comment: z.looseObject({
      number: z.nullish(z.number().check(z.int(), z.nonnegative())),
      body: z.nullish(z.string()),
      // REST's own name for the body, for hooks that serialise it that way.
      text: z.nullish(z.string()),
      is_private: z.optional(z.boolean()),
    }),
  }),
  event: z.looseObject({ user: z.catch(z.nullish(User), undefined) }),
});

/** `GET /rest/bug/{id}/comment`: comment 0 is the bug's description. */
const Comments = z.looseObject({
  bugs: z.record(z.string(), z.looseObject({ comments: z.array(z.looseObject({ text: z.string() })) })),
});

export const bugzilla: TicketSource = {
  name: "bugzilla",
  tracker: TRACKER,

  /**
   * BMO signs nothing: the hook owner picks a header and a static value.
   * `settings` is optional because intake does not pass it yet; until it
   * does, only the default header name works.
   */
  authenticate(req: WebhookRequest, secrets: readonly string[], settings?: SourceSettings) {
    return verifyTokenHeader(req, secrets, authHeader(settings));
  },

  parse(payload, _req, settings): ParseResult {
    const envelope = Envelope.safeParse(payload);
    if (!envelope.success) return { kind: "skip", reason: "not a Bugzilla webhook" };
    const { event } = envelope.data;
    const routing = event.routing_key;
    if (routing === "comment.create") return parseComment(payload);
    const isCreate = routing === "bug.create";
    if (!isCreate && !routing.startsWith("bug.modify")) return { kind: "skip", reason: `event ${routing.slice(0, 64)}` };
    // Private bugs arrive reduced to {id, is_private}: nothing to work from.
    if (envelope.data.bug?.is_private) return { kind: "skip", reason: "private bug" };
    const parsed = Bug.safeParse(envelope.data.bug);
    if (!parsed.success) return { kind: "skip", reason: "bug payload without a summary" };
    const bug = parsed.data;
    if (bug.resolution) return { kind: "skip", reason: "bug is resolved" };

    const labels = unique(bug.keywords.map((k) => k.trim()));
    const added = (event.changes ?? []).filter((c) => c.field === "keywords").flatMap((c) => splitList(String(c.added ?? "")));
    return { kind: "ticket", ticket: toTicket(bug, labels, isCreate ? labels : unique(added), settings) };
  },

  async enrich(ticket, settings) {
    const base = baseUrl(settings);
    // BUGZILLA_API_TOKEN is the name write-back uses; one key may serve both.
    const apiKey = settings.get("API_KEY") ?? settings.get("API_TOKEN");
    if (!base || !apiKey) return {};
    const res = await fetch(`${base}/rest/bug/${encodeURIComponent(ticket.key)}/comment`, {
      headers: { "X-BUGZILLA-API-KEY": apiKey, accept: "application/json" },
      signal: AbortSignal.timeout(20_000),
    });
    // Thrown so the workflow step retries; after the last try it keeps the summary as description.
    if (!res.ok) throw new Error(`Bugzilla answered ${res.status} for the comments of bug ${ticket.key}`);
    const body = Comments.safeParse(await res.json().catch(() => null));
    const text = body.success ? body.data.bugs[ticket.key]?.comments[0]?.text : undefined;
    return text?.trim() ? { description: text } : {};
  },

  async comment(ticket, body, api) {
    await trackerRequest(
      "POST",
      `${api.baseUrl}/rest/bug/${encodeURIComponent(ticket.key)}/comment`,
      { "X-BUGZILLA-API-KEY": api.token },
      { comment: body },
    );
  },
};

function parseComment(payload: unknown): ParseResult {
  const parsed = CommentEvent.safeParse(payload);
  if (!parsed.success) return { kind: "skip", reason: "comment.create without a bug and its comment" };
  const { bug, event } = parsed.data;
  const c = bug.comment;
  // BMO strips a private bug's or comment's text before sending: nothing to forward.
  if (bug.is_private || c.is_private) return { kind: "skip", reason: "private comment" };
  if (c.number === 0) return { kind: "skip", reason: "comment 0 is the bug's description" };
  const text = (c.body ?? c.text ?? "").trim();
  if (!text) return { kind: "skip", reason: "empty comment" };
  const author = event.user?.real_name?.trim() || event.user?.login || undefined;
  // Same key as the bug's own events: bug ids are global to the instance.
  return { kind: "comment", comment: { source: "bugzilla", key: String(bug.id), id: `#${bug.id}`, text, author } };
}

/** A configured name that is not a valid header name would make Headers.get throw, so it falls back. */
function authHeader(settings: SourceSettings | undefined): string {
  const name = settings?.get("AUTH_HEADER")?.trim();
  return name && HEADER_NAME.test(name) ? name : DEFAULT_AUTH_HEADER;
}

function toTicket(bug: Bug, labels: string[], triggerLabels: string[], settings: SourceSettings): TicketEvent {
  const base = baseUrl(settings);
  return {
    source: "bugzilla",
    tracker: TRACKER,
    // Bug ids are global to the instance.
    key: String(bug.id),
    id: `#${bug.id}`,
    title: bug.summary,
    // The webhook carries no description; enrich() swaps in comment 0 when it can.
    description: bug.summary,
    labels,
    triggerLabels,
    url: base ? `${base}/show_bug.cgi?id=${bug.id}` : undefined,
    project: bug.product || undefined,
    author: bug.creator_detail?.real_name?.trim() || bug.creator_detail?.login || bug.creator || undefined,
  };
}

function baseUrl(settings: SourceSettings): string | undefined {
  return settings.get("BASE_URL")?.replace(/\/+$/, "") || undefined;
}

function splitList(text: string): string[] {
  return text.split(",").map((s) => s.trim()).filter(Boolean);
}

function unique(values: string[]): string[] {
  return [...new Set(values.filter(Boolean))];
}
