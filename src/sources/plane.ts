import { z } from "zod";
import { htmlToText } from "./html-text";
import { verifyHexHmacHeader } from "./signatures";
import type { ParseResult, SourceSettings, TicketSource, WebhookRequest } from "./types";

const NAME = "plane";
const TRACKER = "Plane";
// The web app and the API name the field differently.
const LABEL_FIELDS = new Set(["labels", "label_ids"]);
const FINISHED_GROUPS = new Set(["completed", "cancelled"]);

/** Fields the ticket does not need: a surprising shape there must not cost the whole event. */
const optional = <T extends z.ZodType>(schema: T) => schema.nullish().catch(undefined);
const Label = z.object({ id: z.string(), name: z.string().trim().min(1).max(256) });

const Envelope = z.object({
  event: optional(z.string()),
  action: z.string(),
  data: z.unknown().optional(),
  activity: optional(
    z.object({
      field: z.string().nullish(),
      old_value: z.unknown().optional(),
      new_value: z.unknown().optional(),
      actor: optional(z.object({ display_name: z.string().nullish() })),
    }),
  ),
});

const Issue = z.object({
  id: z.string().trim().min(1).max(64),
  name: z.string().trim().min(1).max(2_000),
  sequence_id: optional(z.number().int().nonnegative()),
  description_stripped: optional(z.string()),
  description_html: optional(z.string()),
  // Unexpanded payloads carry bare UUIDs, which name nothing: only expanded labels count.
  labels: z.array(z.unknown()).catch([]).transform((items) => items.flatMap((i) => Label.safeParse(i).data ?? [])),
  project: optional(z.union([z.string(), z.object({ id: z.string().nullish(), identifier: z.string().nullish() })])),
  project_detail: optional(z.object({ identifier: z.string().nullish() })),
  state: optional(z.union([z.string(), z.object({ name: z.string().nullish(), group: z.string().nullish() })])),
});

type Issue = z.infer<typeof Issue>;
type Activity = z.infer<typeof Envelope>["activity"];

/** A label activity value is one UUID or, depending on the client, the whole list. */
function idList(value: unknown): string[] {
  if (typeof value === "string") return value ? [value] : [];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

function addedLabels(activity: Activity, labels: Issue["labels"]): string[] {
  if (!activity?.field || !LABEL_FIELDS.has(activity.field)) return [];
  const before = new Set(idList(activity.old_value));
  const added = idList(activity.new_value).filter((id) => !before.has(id));
  if (added.length === 0) return [];
  const names = added.map((v) => labels.find((l) => l.id === v || l.name === v)?.name);
  // The payload's labels can lag behind the change: then any current label may be the new one.
  return names.every(Boolean) ? (names as string[]) : labels.map((l) => l.name);
}

function projectOf(issue: Issue): { id?: string; identifier?: string } {
  const p = issue.project;
  const identifier = issue.project_detail?.identifier ?? (typeof p === "object" ? p?.identifier : undefined);
  return { id: (typeof p === "string" ? p : p?.id) ?? undefined, identifier: identifier ?? undefined };
}

/** `PLANE_BASE_URL` is the workspace URL (`https://plane.example/<workspace-slug>`): the payload has no slug. */
function ticketUrl(settings: SourceSettings, issue: Issue, projectId: string | undefined): string | undefined {
  const base = settings.get("BASE_URL")?.replace(/\/+$/, "");
  return base && projectId ? `${base}/projects/${encodeURIComponent(projectId)}/issues/${encodeURIComponent(issue.id)}` : undefined;
}

function humanId(issue: Issue, identifier: string | undefined): string {
  if (issue.sequence_id === undefined || issue.sequence_id === null) return issue.id;
  return identifier ? `${identifier}-${issue.sequence_id}` : `#${issue.sequence_id}`;
}

function eventOf(event: string | null | undefined, req: WebhookRequest): string {
  return (event ?? req.headers.get("x-plane-event") ?? "none").trim().toLowerCase();
}

export const plane: TicketSource = {
  name: NAME,
  tracker: TRACKER,

  authenticate: (req, secrets) => verifyHexHmacHeader(req, secrets, "SHA-256", ["x-plane-signature"], ""),

  parse(payload, req, settings): ParseResult {
    const envelope = Envelope.safeParse(payload);
    if (!envelope.success) return { kind: "skip", reason: "not a Plane webhook payload" };
    const { action, activity } = envelope.data;
    const event = eventOf(envelope.data.event, req);
    if (event !== "issue") return { kind: "skip", reason: `Plane event ${event.slice(0, 64)} is not an issue event` };
    if (action !== "created" && action !== "updated") return { kind: "skip", reason: `issue ${action.slice(0, 64)}` };
    const result = Issue.safeParse(envelope.data.data);
    if (!result.success) return { kind: "skip", reason: "not a Plane issue" };

    const issue = result.data;
    const state = issue.state;
    if (typeof state === "object" && state?.group && FINISHED_GROUPS.has(state.group)) {
      return { kind: "skip", reason: `issue is ${state.group}` };
    }
    const project = projectOf(issue);
    const labels = issue.labels.map((l) => l.name);
    return {
      kind: "ticket",
      ticket: {
        source: NAME,
        tracker: TRACKER,
        key: issue.id,
        id: humanId(issue, project.identifier),
        title: issue.name,
        description: issue.description_stripped || htmlToText(issue.description_html ?? ""),
        labels,
        triggerLabels: action === "created" ? labels : addedLabels(activity, issue.labels),
        url: ticketUrl(settings, issue, project.id),
        project: project.identifier,
        author: action === "created" ? activity?.actor?.display_name || undefined : undefined,
      },
    };
  },
};
