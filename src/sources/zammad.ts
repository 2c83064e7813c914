import { z } from "zod";
import { htmlToText } from "./html-text";
import { verifyHexHmacHeader } from "./signatures";
import type { ParseResult, SourceSettings, TicketSource } from "./types";

const NAME = "zammad";
const TRACKER = "Zammad";

// A trigger can fire on any state change; a finished ticket must not start work.
const FINISHED_STATES = new Set(["closed", "merged", "removed"]);

/** Fields the ticket does not need: a surprising shape there must not cost the whole event. */
const optional = <T extends z.ZodType>(schema: T) => schema.nullish().catch(undefined);
const Named = z.object({ name: z.string() });

const ZammadPayload = z.object({
  ticket: z.object({
    id: z.union([z.number().int().nonnegative(), z.string().trim().min(1).max(64)]),
    number: z.union([z.string().trim().min(1).max(64), z.number().int().nonnegative()]),
    title: z.string().trim().min(1).max(2_000),
    state: optional(z.union([z.string(), Named])),
    // Not in the default payload; present when the operator adds it to a custom payload.
    tags: optional(z.union([z.array(z.string().max(256)).max(200), z.string().max(10_000)])),
    group: optional(z.union([z.string(), Named])),
    customer: optional(z.object({ login: z.string().nullish(), email: z.string().nullish() })),
  }),
  article: optional(z.object({ body: z.string().nullish(), content_type: z.string().nullish() })),
});

type Payload = z.infer<typeof ZammadPayload>;

const nameOf = (value: string | { name: string } | null | undefined) => (typeof value === "string" ? value : value?.name);

/** `#{ticket.tags}` in a custom payload renders as a comma-separated string. */
function tagList(tags: Payload["ticket"]["tags"]): string[] {
  const list = typeof tags === "string" ? tags.split(",") : (tags ?? []);
  return list.map((t) => t.trim()).filter(Boolean);
}

function description(article: Payload["article"]): string {
  const body = article?.body ?? "";
  return article?.content_type?.toLowerCase().startsWith("text/html") ? htmlToText(body) : body;
}

function ticketUrl(settings: SourceSettings, id: string): string | undefined {
  const base = settings.get("BASE_URL")?.replace(/\/+$/, "");
  return base ? `${base}/#ticket/zoom/${encodeURIComponent(id)}` : undefined;
}

export const zammad: TicketSource = {
  name: NAME,
  tracker: TRACKER,

  authenticate: (req, secrets) => verifyHexHmacHeader(req, secrets, "SHA-1", ["x-hub-signature"], "sha1="),

  parse(payload, _req, settings): ParseResult {
    const result = ZammadPayload.safeParse(payload);
    if (!result.success) return { kind: "skip", reason: "not a Zammad ticket payload" };
    const { ticket, article } = result.data;
    const state = nameOf(ticket.state);
    if (state && FINISHED_STATES.has(state.toLowerCase())) return { kind: "skip", reason: `ticket is ${state.slice(0, 64)}` };

    const key = String(ticket.id);
    const labels = tagList(ticket.tags);
    return {
      kind: "ticket",
      ticket: {
        source: NAME,
        tracker: TRACKER,
        key,
        id: String(ticket.number),
        title: ticket.title,
        description: description(article),
        labels,
        // Zammad sends no change set: the trigger's own conditions decide when it fires.
        triggerLabels: labels,
        url: ticketUrl(settings, key),
        project: nameOf(ticket.group) || undefined,
        author: ticket.customer?.login || ticket.customer?.email || undefined,
      },
    };
  },
};
