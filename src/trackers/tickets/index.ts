import * as z from "../../zod";
import { defineTracker, type StampedTicket, type TrackerApi } from "../contract";
import { COMMENT_TEXT, describe, send, type CommentCall } from "../kit/comment-call";
import { text } from "../kit/schema";
import { httpBase } from "../kit/url";
import { verifyHexHmacHeader } from "../kit/verify";

const DEFAULT_NAME = "ticketing system";
const short = (max: number) => z.string().check(z.maxLength(max));

/** The bridge's own format: `{id, title, description, labels[]}` plus optional context. */
const TicketPayload = z.object({
  id: z.union([
    z.string().check(z.trim(), z.minLength(1), z.maxLength(256)),
    z.number().check(z.int(), z.nonnegative(), z.lte(Number.MAX_SAFE_INTEGER)),
  ]),
  title: short(2_000).check(z.trim(), z.minLength(1)),
  description: z.nullish(z.string()),
  labels: z._default(z.array(short(256)).check(z.maxLength(200)), []),
  url: z.nullish(short(2_000)),
  project: z.nullish(short(256)),
  author: z.nullish(z.union([short(256), z.object({ name: z.optional(short(256)), login: z.optional(short(256)) })])),
});

const commentUrl = (template: string, id: string) => template.replace("{id}", encodeURIComponent(id));

export const tickets = defineTracker({
  id: "tickets",
  name: DEFAULT_NAME,
  settings: {
    TRACKER_NAME: { meaning: `The in-house tracker's name in prompts and session titles (default: ${DEFAULT_NAME}).`, schema: text() },
    COMMENT_URL: {
      meaning: "Where write-back posts `{body}` with the API token as Bearer; `{id}` becomes the ticket id.",
      schema: z.optional(
        z.string().check(
          z.regex(/\{id\}/, { error: "must contain {id}" }),
          z.refine((url: string) => httpBase(commentUrl(url, "0")) !== undefined, { error: "must be an http(s) URL" }),
        ),
      ),
    },
  },
  // GitHub-style senders pair X-GitHub-Delivery with X-Hub-Signature-256; Idempotency-Key is HTTP's own.
  deliveryIdHeaders: ["x-github-delivery", "idempotency-key"],
  displayName: (ctx) => ctx.settings.TRACKER_NAME ?? DEFAULT_NAME,
  verify: (req, secrets) => verifyHexHmacHeader(req, secrets, "SHA-256", ["x-hub-signature-256", "x-signature-256"], "sha256="),
  // Write-back needs a base URL; without TICKETS_BASE_URL it is the comment endpoint's origin (the operator's, like the base).
  apiBase(ctx) {
    const endpoint = ctx.settings.COMMENT_URL && httpBase(commentUrl(ctx.settings.COMMENT_URL, "0"));
    return endpoint ? new URL(endpoint).origin : undefined;
  },
  parse(payload) {
    const result = TicketPayload.safeParse(payload);
    // The format is ours: a wrong shape is the sender's bug, so it is a 400 naming the fields, not a skip.
    if (!result.success) {
      const details = result.error.issues.slice(0, 5).map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`);
      return { kind: "invalid", reason: details.join("; ") };
    }
    const t = result.data;
    const id = String(t.id);
    const project = t.project?.trim() || undefined;
    const author = typeof t.author === "string" ? t.author : (t.author?.login ?? t.author?.name);
    return {
      kind: "ticket",
      ticket: {
        key: project ? `${project}/${id}` : id,
        id,
        title: t.title,
        description: t.description ?? "",
        labels: t.labels,
        triggerLabels: t.labels,
        url: t.url ?? undefined,
        project,
        author: author || undefined,
      },
    };
  },
  writeBack: (ticket, body, api) => send(commentCall(ticket, body, api)),
  commentInstruction: (ticket, api) => describe(commentCall(ticket, COMMENT_TEXT, api)),
});

function commentCall(ticket: StampedTicket, body: string, api: TrackerApi<{ COMMENT_URL?: string }>): CommentCall {
  if (!api.settings.COMMENT_URL) throw new Error("TICKETS_COMMENT_URL is not set");
  return { method: "POST", url: commentUrl(api.settings.COMMENT_URL, ticket.id), headers: { authorization: `Bearer ${api.token}` }, body: { body } };
}
