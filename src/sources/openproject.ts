import * as z from "../zod";
import { verifyHexHmacHeader } from "./signatures";
import { trackerRequest } from "./tracker-api";
import type { ParseResult, SourceSettings, TicketSource } from "./types";

const NAME = "openproject";
const TRACKER = "OpenProject";
const TICKET_ACTIONS = new Set(["work_package:created", "work_package:updated"]);
/** The "Comment" / "Internal comment" webhook events; edits of a comment send nothing. */
const COMMENT_ACTIONS = new Set(["work_package_comment:comment", "work_package_comment:internal_comment"]);

/** Fields the ticket does not need: a surprising shape there must not cost the whole event. */
const optional = <T extends z.ZodMiniType>(schema: T) => z.catch(z.nullish(schema), undefined);
const Named = z.object({ name: z.string().check(z.trim(), z.maxLength(256)) });

const Envelope = z.object({ action: z.string(), work_package: z.optional(z.unknown()), activity: z.optional(z.unknown()) });

/** The API v3 Activity (a journal with notes) the comment events carry. */
const Activity = z.object({
  comment: z.object({ raw: z.nullish(z.string()) }),
  _links: z.object({
    workPackage: z.object({ href: z.string() }),
    user: optional(z.object({ title: z.nullish(z.string()) })),
  }),
});

/** The API v3 (HAL) representation OpenProject puts in `work_package`. */
const WorkPackage = z.object({
  id: z.union([z.number().check(z.int(), z.positive()), z.string().check(z.trim(), z.regex(/^\d{1,18}$/))]),
  subject: z.string().check(z.trim(), z.minLength(1), z.maxLength(2_000)),
  description: optional(z.object({ raw: z.nullish(z.string()) })),
  _embedded: z.catch(
    z.object({
      project: optional(z.object({ identifier: z.nullish(z.string()), name: z.nullish(z.string()) })),
      type: optional(Named),
      category: optional(Named),
      status: optional(z.object({ name: z.nullish(z.string()), isClosed: z.nullish(z.boolean()) })),
      author: optional(z.object({ login: z.nullish(z.string()), name: z.nullish(z.string()) })),
    }),
    {},
  ),
});

type Embedded = z.infer<typeof WorkPackage>["_embedded"];

/** OpenProject has no tags: the category and the type are the label analogues. */
function labelsOf(e: Embedded): string[] {
  return [e.category?.name, e.type?.name].filter((name): name is string => Boolean(name));
}

function ticketUrl(settings: SourceSettings, id: string): string | undefined {
  const base = settings.get("BASE_URL")?.replace(/\/+$/, "");
  return base ? `${base}/work_packages/${id}` : undefined;
}

export const openproject: TicketSource = {
  name: NAME,
  tracker: TRACKER,

  authenticate: (req, secrets) => verifyHexHmacHeader(req, secrets, "SHA-1", ["x-op-signature"], "sha1="),

  parse(payload, _req, settings): ParseResult {
    const envelope = Envelope.safeParse(payload);
    if (!envelope.success) return { kind: "skip", reason: "not an OpenProject webhook payload" };
    const { action } = envelope.data;
    if (COMMENT_ACTIONS.has(action)) return parseComment(envelope.data.activity);
    if (!TICKET_ACTIONS.has(action)) return { kind: "skip", reason: `action ${action.slice(0, 64)} is not a work package create/update` };
    const result = WorkPackage.safeParse(envelope.data.work_package);
    if (!result.success) return { kind: "skip", reason: "not an OpenProject work package" };

    const wp = result.data;
    const e = wp._embedded;
    if (e.status?.isClosed) return { kind: "skip", reason: `work package is ${(e.status.name ?? "closed").slice(0, 64)}` };
    const id = String(wp.id);
    const labels = labelsOf(e);
    return {
      kind: "ticket",
      ticket: {
        source: NAME,
        tracker: TRACKER,
        // Work package ids are global to the instance, so the id alone never collides.
        key: id,
        id: `#${id}`,
        title: wp.subject,
        description: wp.description?.raw ?? "",
        labels,
        // No change set on updates: a present trigger label counts, and the per-ticket gate dedupes.
        triggerLabels: labels,
        url: ticketUrl(settings, id),
        project: e.project?.identifier || e.project?.name || undefined,
        author: e.author?.login || e.author?.name || undefined,
      },
    };
  },

  async comment(ticket, body, api) {
    await trackerRequest(
      "POST",
      `${api.baseUrl}/api/v3/work_packages/${encodeURIComponent(ticket.key)}/activities`,
      { authorization: `Basic ${btoa(`apikey:${api.token}`)}` },
      { comment: { raw: asMarkdownParagraphs(body) } },
    );
  },
};

function parseComment(activity: unknown): ParseResult {
  const result = Activity.safeParse(activity);
  if (!result.success) return { kind: "skip", reason: "comment event without an activity" };
  const { comment, _links } = result.data;
  // The link may carry a relative URL root (`/openproject/api/v3/…`): only its end names the work package.
  const id = /\/work_packages\/(\d{1,18})\/?$/.exec(_links.workPackage.href)?.[1];
  if (!id) return { kind: "skip", reason: "comment not on a work package" };
  const text = comment.raw?.trim();
  if (!text) return { kind: "skip", reason: "empty comment" };
  return { kind: "comment", comment: { source: NAME, key: id, id: `#${id}`, text, author: _links.user?.title || undefined } };
}

/** Markdown folds single line breaks into one paragraph; the bridge's lines are meant to stand apart. */
function asMarkdownParagraphs(text: string): string {
  return text.replace(/\r\n?/g, "\n").replace(/\n+/g, "\n\n");
}
