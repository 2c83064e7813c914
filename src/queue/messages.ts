import type { FollowUpJob } from "../followup";
import type { TicketJob } from "../ticket";

/** What travels through the ticket queue. Messages without `kind` predate follow-ups: they are tickets. */
export type QueueMessage = TicketJob | FollowUpJob;

export function isFollowUp(message: QueueMessage): message is FollowUpJob {
  return (message as FollowUpJob).kind === "followup";
}
