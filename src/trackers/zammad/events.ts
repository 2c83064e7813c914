import type { TrackerEvent, WebhookRequest } from "../contract";
import { htmlIsBlank } from "../kit/html";
import { splitList, unique } from "../kit/labels";
import { nameOf, ZammadPayload, type Article, type Payload } from "./schema";

// A trigger can fire on any state change; a finished ticket must not start work.
const FINISHED_STATES = new Set(["closed", "merged", "removed"]);

/** One trigger delivery: the ticket, and the article the update added (if any). */
export function parseZammad(payload: unknown, req: WebhookRequest, baseUrl: string | undefined): TrackerEvent {
  const result = ZammadPayload.safeParse(payload);
  if (!result.success) return { kind: "skip", reason: "not a Zammad ticket payload" };
  const { ticket, article } = result.data;
  const key = String(ticket.id);
  const id = String(ticket.number);
  // A `?label=` URL belongs to the trigger that selects tickets for Devin, which also fires on replies.
  if (article && isFollowUp(ticket, article) && !req.url.searchParams.get("label")?.trim()) return commentOf(key, id, article);
  const state = nameOf(ticket.state);
  if (state && FINISHED_STATES.has(state.toLowerCase())) return { kind: "ended", ended: { key, id, reason: "closed" } };

  const labels = typeof ticket.tags === "string" ? splitList(ticket.tags, /,/) : unique(ticket.tags ?? []);
  return {
    kind: "ticket",
    ticket: {
      key,
      id,
      title: ticket.title,
      // Only the opening article is the request; a reply's text is not the ticket's description (`enrich` fetches that).
      ...(article && !isFollowUp(ticket, article) ? textOf(article) : { description: "" }),
      labels,
      // Zammad sends no change set: the trigger's own conditions decide when it fires.
      triggerLabels: labels,
      url: baseUrl ? `${baseUrl}/#ticket/zoom/${encodeURIComponent(key)}` : undefined,
      project: nameOf(ticket.group) || undefined,
      author: ticket.customer?.login || ticket.customer?.email || undefined,
    },
  };
}

/** The article's body as it came: HTML is marked so, for the workflow (a description) or the core (a comment) to convert. */
function textOf(article: Payload["article"]): { description: string; descriptionFormat?: "html" } {
  const body = article?.body ?? "";
  return article?.content_type?.toLowerCase().startsWith("text/html") ? { description: body, descriptionFormat: "html" } : { description: body };
}

/** A reply, not the opening article: the ticket holds an older one (ids grow), or, without the id list, more than one. */
function isFollowUp(ticket: Payload["ticket"], article: Article): boolean {
  const id = article.id;
  if (id == null) return false;
  if (ticket.article_ids?.length) return ticket.article_ids.some((other) => other < id);
  return (ticket.article_count ?? 0) > 1;
}

function commentOf(key: string, id: string, article: Article): TrackerEvent {
  // Trigger notes and auto-replies are Zammad's own words, not a person's.
  if (nameOf(article.sender)?.toLowerCase() === "system") return { kind: "skip", reason: "article by the system" };
  const { description: text, descriptionFormat } = textOf(article);
  if (descriptionFormat ? htmlIsBlank(text) : !text) return { kind: "skip", reason: "empty article" };
  const author = article.from?.trim() || article.created_by?.login || article.created_by?.email || undefined;
  return { kind: "comment", comment: { key, id, text, ...(descriptionFormat ? { textFormat: descriptionFormat } : {}), author, commentId: String(article.id) } };
}
