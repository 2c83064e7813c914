import type { TrackerEvent } from "../contract";
import { issueLabels, labelChange, type ValueNames } from "./labels";
import { type Detail, Issue, type Journal, Native, type Person, Plugin } from "./schema";

type Delivery = { kind: "created" | "updated"; issue: unknown; details: Detail[]; journal?: Journal; url?: string };

/** Redmine 7's native `issue.created` / `issue.updated`, and the same two from the legacy plugin. */
export function parseRedmine(payload: unknown, labelFieldName: string, baseUrl: string | undefined, valueNames?: ValueNames): TrackerEvent {
  const delivery = readDelivery(payload);
  if ("skip" in delivery) return { kind: "skip", reason: delivery.skip };
  const parsed = Issue.safeParse(delivery.issue);
  if (!parsed.success) return { kind: "skip", reason: "not a Redmine issue payload" };
  const issue = parsed.data;
  // Redmine issue ids are global to the instance, so the id alone never collides.
  const key = String(issue.id);
  const id = `#${issue.id}`;

  const { fieldId, labels } = issueLabels(issue, labelFieldName, valueNames);
  const change = delivery.kind === "created" ? { added: labels, removed: [] } : labelChange(delivery.details, issue, fieldId, valueNames);
  const journal = delivery.journal;
  // A note that comes with a new label is the label's event: starting the ticket matters more.
  const notes = delivery.kind === "updated" ? journal?.notes?.trim() : undefined;
  const actor = personName(journal?.user ?? journal?.author);
  if (notes && change.added.length === 0) {
    // Comments are judged by whether the ticket has a session, not by its state.
    const comment = { key, id, text: notes, author: actor, ...(journal?.id != null ? { commentId: String(journal.id) } : {}) };
    return { kind: "comment", comment };
  }
  if (issue.status?.is_closed) return { kind: "ended", ended: { key, id, reason: "closed", author: actor } };
  if (change.added.length === 0 && change.removed.length > 0) {
    return { kind: "ended", ended: { key, id, reason: "label_removed", labels: change.removed, author: actor } };
  }

  return {
    kind: "ticket",
    ticket: {
      key,
      id,
      title: issue.subject,
      description: issue.description ?? "",
      labels,
      triggerLabels: change.added,
      url: delivery.url || (baseUrl ? `${baseUrl}/issues/${issue.id}` : undefined),
      project: issue.project?.identifier || issue.project?.name || undefined,
      author: personName(issue.author),
      // On an update, the journal's user made the change (added the label).
      ...(delivery.kind === "updated" && actor ? { requestedBy: actor } : {}),
    },
  };
}

function readDelivery(payload: unknown): Delivery | { skip: string } {
  const native = Native.safeParse(payload);
  if (native.success) {
    const { type, data } = native.data;
    if (type !== "issue.created" && type !== "issue.updated") return { skip: `event ${type.slice(0, 64)}` };
    const journal = data.journal ?? undefined;
    return { kind: type === "issue.created" ? "created" : "updated", issue: data.issue, details: journal?.details ?? [], journal };
  }
  const plugin = Plugin.safeParse(payload);
  if (plugin.success) {
    const { action, object, issue, url } = plugin.data.payload;
    const journal = plugin.data.payload.journal ?? undefined;
    if (object && object !== "issue") return { skip: `plugin ${object.slice(0, 32)} event` };
    if (action !== "opened" && action !== "updated") return { skip: `plugin action ${action.slice(0, 32)}` };
    return { kind: action === "opened" ? "created" : "updated", issue, details: journal?.details ?? [], journal, url };
  }
  return { skip: "not a Redmine issue webhook" };
}

function personName(a: Person | null | undefined): string | undefined {
  const full = [a?.firstname, a?.lastname].filter(Boolean).join(" ");
  return a?.name || a?.login || full || undefined;
}

