import { z } from "zod";
import { verifyTokenHeader } from "./signatures";
import { verifyStandardWebhook } from "./standard-webhooks";
import type { ParseResult, SourceSettings, TicketSource } from "./types";

const NAME = "gitlab";
const TRACKER = "GitLab";
const ISSUE_EVENTS = new Set(["issue hook", "confidential issue hook"]);

const Label = z.looseObject({ title: z.string() });
const Labels = z.array(Label).max(500);

const IssueHook = z.looseObject({
  object_kind: z.literal("issue"),
  user: z.looseObject({ username: z.string().optional(), name: z.string().optional() }).nullish(),
  project: z.looseObject({ path_with_namespace: z.string().min(1), web_url: z.string().nullish() }),
  object_attributes: z.looseObject({
    iid: z.number().int().nonnegative(),
    title: z.string().min(1),
    description: z.string().nullish(),
    url: z.string().nullish(),
    state: z.string().nullish(),
    action: z.string().nullish(),
    labels: Labels.nullish(),
  }),
  labels: Labels.nullish(),
  changes: z
    .looseObject({
      labels: z.looseObject({ previous: Labels.nullish(), current: Labels.nullish() }).nullish(),
    })
    .nullish(),
});
type IssueHook = z.infer<typeof IssueHook>;

export const gitlab: TicketSource = {
  name: NAME,
  tracker: TRACKER,

  async authenticate(req, secrets) {
    // Either scheme proves the sender: the secret token in clear, or a 19.0+ signing token.
    const token = await verifyTokenHeader(req, secrets, "x-gitlab-token");
    const signed = await verifyStandardWebhook(req, secrets);
    return token || signed;
  },

  parse(payload, req, settings): ParseResult {
    const event = req.headers.get("x-gitlab-event")?.trim().toLowerCase();
    if (event && !ISSUE_EVENTS.has(event)) return { kind: "skip", reason: `GitLab event "${event}" is not an issue event` };
    const result = IssueHook.safeParse(payload);
    if (!result.success) return { kind: "skip", reason: "not a GitLab issue event" };
    const hook = result.data;
    const action = hook.object_attributes.action ?? "";

    const labels = titles(hook.object_attributes.labels ?? hook.labels);
    let triggerLabels: string[];
    if (action === "open") {
      triggerLabels = labels;
    } else if (action === "update") {
      if (hook.object_attributes.state === "closed") return { kind: "skip", reason: "the issue is closed" };
      triggerLabels = addedLabels(hook);
    } else {
      return { kind: "skip", reason: `issue action "${action || "none"}" neither opens an issue nor adds a label` };
    }
    return { kind: "ticket", ticket: toTicket(hook, labels, triggerLabels, settings) };
  },
};

function titles(labels: readonly { title: string }[] | null | undefined): string[] {
  return (labels ?? []).map((l) => l.title);
}

/** GitLab sends the whole label list before and after; what was added is the difference by title. */
function addedLabels(hook: IssueHook): string[] {
  const change = hook.changes?.labels;
  if (!change) return [];
  const before = new Set(titles(change.previous));
  return titles(change.current).filter((t) => !before.has(t));
}

function toTicket(hook: IssueHook, labels: string[], triggerLabels: string[], settings: SourceSettings) {
  const issue = hook.object_attributes;
  const path = hook.project.path_with_namespace;
  const key = `${path}#${issue.iid}`;
  return {
    source: NAME,
    tracker: TRACKER,
    key,
    id: key,
    title: issue.title,
    description: issue.description ?? "",
    labels,
    triggerLabels,
    url: issue.url || issueUrl(hook, settings),
    project: path,
    author: hook.user?.username || hook.user?.name || undefined,
  };
}

function issueUrl(hook: IssueHook, settings: SourceSettings): string | undefined {
  const base = settings.get("BASE_URL")?.replace(/\/+$/, "");
  const project = base ? `${base}/${hook.project.path_with_namespace}` : hook.project.web_url;
  return project ? `${project}/-/issues/${hook.object_attributes.iid}` : undefined;
}
