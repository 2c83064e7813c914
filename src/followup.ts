import { isBridgeComment } from "./comments";
import type { Config } from "./config";
import type { TicketComment } from "./sources/types";
import type { TicketStore } from "./store/tickets";
import { capText } from "./prompt";

/** A comment to pass on to a ticket's existing session; what the queue carries. */
export interface FollowUpJob {
  kind: "followup";
  source: string;
  ticketKey: string;
  ticketId: string;
  sessionId: string;
  text: string;
  author?: string;
  receivedAt: string;
  requestId?: string;
}

export type FollowUpDecision = { kind: "forward"; job: FollowUpJob } | { kind: "skip"; reason: string };

/**
 * A comment goes to Devin only when it mentions Devin, was not written by the
 * bridge itself, and its ticket already has a session.
 */
export async function decideFollowUp(
  comment: TicketComment,
  config: Pick<Config, "mention">,
  store: Pick<TicketStore, "findByTicket">,
  requestId?: string,
): Promise<FollowUpDecision> {
  if (isBridgeComment(comment.text)) return { kind: "skip", reason: "comment posted by the bridge" };
  if (!comment.text.toLowerCase().includes(config.mention)) {
    return { kind: "skip", reason: `comment does not mention ${config.mention}` };
  }
  const record = await store.findByTicket(comment.source, comment.key);
  if (!record?.session_id) return { kind: "skip", reason: "this ticket has no Devin session" };
  return {
    kind: "forward",
    job: {
      kind: "followup",
      source: comment.source,
      ticketKey: record.ticket_key,
      ticketId: comment.id,
      sessionId: record.session_id,
      text: comment.text,
      author: comment.author,
      receivedAt: new Date().toISOString(),
      requestId,
    },
  };
}

const MAX_FOLLOW_UP_CHARS = 10_000;

export function followUpMessage(job: FollowUpJob): string {
  const text = capText(job.text, MAX_FOLLOW_UP_CHARS, "comment");
  return `New comment on ticket ${job.ticketId}${job.author ? ` by ${job.author}` : ""}:\n\n${text}`;
}
