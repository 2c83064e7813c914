import * as z from "../zod";
import { trackerRequest } from "./tracker-api";
import { verifyHexHmacHeader } from "./signatures";
import type { ParseResult, TicketSource } from "./types";

const text = (max: number) => z.string().check(z.maxLength(max));

/** The seed's format: `{id, title, description, labels[]}` plus optional context. */
const GenericTicket = z.object({
  id: z.union([
    z.string().check(z.trim(), z.minLength(1), z.maxLength(256)),
    z.number().check(z.int(), z.nonnegative(), z.lte(Number.MAX_SAFE_INTEGER)),
  ]),
  title: text(2_000).check(z.trim(), z.minLength(1)),
  description: z.nullish(z.string()),
  labels: z._default(z.array(text(256)).check(z.maxLength(200)), []),
  url: z.nullish(text(2_000)),
  project: z.nullish(text(256)),
  author: z.nullish(z.union([text(256), z.object({ name: z.optional(text(256)), login: z.optional(text(256)) })])),
});

export const generic: TicketSource = {
  name: "tickets",
  tracker: "ticketing system",

  authenticate(req, secrets) {
    return verifyHexHmacHeader(req, secrets, "SHA-256", ["x-hub-signature-256", "x-signature-256"], "sha256=");
  },

  parse(payload, _req, settings): ParseResult {
    const result = GenericTicket.safeParse(payload);
    // The generic format is ours: a wrong shape is the sender's bug, so it is a 400, not a skip.
    if (!result.success) {
      const details = result.error.issues.slice(0, 5).map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`);
      return { kind: "invalid", reason: details.join("; ") };
    }
    const t = result.data;
    const id = String(t.id);
    const project = t.project?.trim() || undefined;
    const author = typeof t.author === "string" ? t.author : (t.author?.login ?? t.author?.name ?? undefined);
    return {
      kind: "ticket",
      ticket: {
        source: "tickets",
        // `TICKETS_TRACKER_NAME` names an in-house tracker in prompts and session titles.
        tracker: settings.get("TRACKER_NAME") ?? "ticketing system",
        key: project ? `${project}/${id}` : id,
        id,
        title: t.title,
        description: t.description ?? "",
        labels: t.labels,
        triggerLabels: t.labels,
        url: t.url ?? undefined,
        project,
        author: author || undefined,
        replyTo: commentBase(settings.get("COMMENT_URL")),
      },
    };
  },

  /** An in-house tracker's comment endpoint: `TICKETS_COMMENT_URL` with `{id}`, answering to a Bearer token. */
  async comment(ticket, body, api) {
    const template = api.settings.get("COMMENT_URL");
    if (!template) throw new Error("TICKETS_COMMENT_URL is not set");
    const url = template.replace("{id}", encodeURIComponent(ticket.id));
    await trackerRequest("POST", url, { authorization: `Bearer ${api.token}` }, { body });
  },
};

/** Write-back needs a base URL; for the generic source it is the comment endpoint's origin. */
function commentBase(template: string | undefined): { baseUrl: string } | undefined {
  if (!template) return undefined;
  try {
    return { baseUrl: new URL(template.replace("{id}", "0")).origin };
  } catch {
    return undefined;
  }
}
