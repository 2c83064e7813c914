import type { TrackerEvent } from "../contract";
import { labelNamer } from "./labels";
import { type Action, Envelope } from "./schema";

/** Shortcut is one SaaS; its API is not something a payload can name. */
export const SHORTCUT_API = "https://api.app.shortcut.com";
export interface ShortcutSettings extends Record<string, unknown> {
  LABEL_IDS?: Record<string, string>;
}

/** Stories are numbered across the workspace; `sc-123` is how Shortcut names them in branches and links. */
const storyId = (id: string | number) => `sc-${id}`;

/**
 * Shortcut's v1 webhook: one delivery lists several `actions` (a story
 * update, the comment that caused it, …); the story (or its comment) is the
 * one that matters, the rest is context.
 */
export function parseShortcut(payload: unknown, settings: ShortcutSettings): TrackerEvent {
  const result = Envelope.safeParse(payload);
  if (!result.success) return { kind: "skip", reason: "not a Shortcut webhook payload" };
  const { actions, references } = result.data;
  const names = labelNamer(references, settings.LABEL_IDS);

  const comment = actions.find((a) => a.entity_type === "story-comment" && a.action === "create");
  if (comment) return commentEvent(comment, actions, references);
  const story = actions.find((a) => a.entity_type === "story");
  if (!story) return { kind: "skip", reason: `no story in this delivery (${actions.map((a) => a.entity_type.slice(0, 32)).join(", ") || "no actions"})` };
  const key = String(story.id);
  const id = storyId(story.id);

  if (story.action === "delete") return { kind: "ended", ended: { key, id, reason: "closed" } };
  const changes = story.changes;
  if (changes?.completed?.new === true || changes?.archived?.new === true) return { kind: "ended", ended: { key, id, reason: "closed" } };
  const removed = names(changes?.label_ids?.removes ?? []);
  if (removed.length) return { kind: "ended", ended: { key, id, reason: "label_removed", labels: removed } };
  if (story.completed || story.archived) return { kind: "skip", reason: "story is done" };
  if (story.action !== "create" && story.action !== "update") return { kind: "skip", reason: `story ${story.action.slice(0, 32)}` };
  if (!story.name?.trim()) return { kind: "skip", reason: "story without a name" };

  const ids = story.action === "create" ? (story.label_ids ?? []) : (changes?.label_ids?.adds ?? []);
  const trigger = names(ids);
  const group = references.find((r) => r.entity_type === "group" || r.entity_type === "project")?.name;
  return {
    kind: "ticket",
    ticket: {
      key,
      id,
      title: story.name.trim(),
      // An update carries no description: the workflow reads it (enrich).
      description: story.description ?? "",
      labels: story.action === "create" ? names(story.label_ids ?? []) : trigger,
      triggerLabels: trigger,
      url: story.app_url || undefined,
      project: group || undefined,
    },
  };
}

/** A comment's story: the story action listing it among `comment_ids.adds`, else the one story referenced. */
function commentEvent(comment: Action, actions: Action[], references: { id: string | number; entity_type: string }[]): TrackerEvent {
  const owner =
    actions.find((a) => a.entity_type === "story" && (a.changes?.comment_ids?.adds ?? []).some((c) => String(c) === String(comment.id)))?.id ??
    references.find((r) => r.entity_type === "story")?.id;
  if (owner === undefined) return { kind: "skip", reason: "comment without its story" };
  return {
    kind: "comment",
    comment: { key: String(owner), id: storyId(owner), text: comment.text ?? "", author: comment.author_id || undefined, commentId: String(comment.id) },
  };
}
