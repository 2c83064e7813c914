import type { FollowUpJob } from "../forward";
import type { TicketJob } from "../ticket";

/** End a ticket's active run: its trigger label removed, the ticket closed, or "@devin stop". */
export interface StopJob {
  kind: "stop";
  source: string;
  ticketKey: string;
  /** The run's instance id (its record's key). */
  instanceId: string;
  /** In words, for the ticket: "the label devin-autofix was removed by dana". */
  why: string;
  receivedAt: string;
  requestId?: string;
}

/** What travels through the ticket queue. Messages without `kind` predate follow-ups: they are tickets. */
export type QueueMessage = TicketJob | FollowUpJob | StopJob;

export function kindOf(message: QueueMessage): "ticket" | "followup" | "stop" {
  const kind = (message as { kind?: string }).kind;
  return kind === "followup" || kind === "stop" ? kind : "ticket";
}

export function isFollowUp(message: QueueMessage): message is FollowUpJob {
  return kindOf(message) === "followup";
}
