import type { CommentFields, StampedTicket } from "./trackers/contract";
import { sha256Hex } from "./crypto/hmac";
import type { Route } from "./routing";

/** One ticket, whatever tracker it came from: a tracker's fields with the core's identity stamped on. */
export type TicketEvent = StampedTicket;

/** A new comment on a ticket, with the tracker it came from: a possible follow-up. */
export interface TicketComment extends CommentFields {
  source: string;
}

/** What the queue carries and the workflow receives: a ticket with its route decided. */
export interface TicketJob {
  /** `source:key:label`, the identity used for duplicate checks and the session tag. */
  ticketKey: string;
  /** Workflow instance id: the exactly-once gate. */
  instanceId: string;
  ticket: TicketEvent;
  label: string;
  /** Absent: the session starts without a playbook (a mention or assignment no rule gives one). */
  playbookId?: string;
  /** What the routing rule decided (repos, limits, tags, preamble) and why; absent on jobs queued before rules. */
  route?: Route;
  /** For a mention: the comment that started the ticket, quoted in the prompt as the reporter's words. */
  trigger?: { kind: "mention" | "assignment"; author?: string; text?: string };
  receivedAt: string;
  requestId?: string;
  /** 1 (or absent) for a ticket's first run; a retry is the next number. */
  run?: number;
  /** The run this one retries: its record, and its session for the prompt. */
  previousInstanceId?: string;
  previousSessionUrl?: string;
  /** Follow an existing session again (a follow-up woke it) instead of starting one. */
  resume?: { sessionId: string; url: string };
}

/** The spend guard counts each run once: run 2 of a ticket is a new paid session. */
export function spendKey(job: Pick<TicketJob, "ticketKey" | "run">): string {
  return job.run && job.run > 1 ? `${job.ticketKey}#run${job.run}` : job.ticketKey;
}

/** The instance id of a ticket's run `n` (run 1 keeps the id it always had). */
export function runInstanceId(ticketKey: string, run: number): Promise<string> {
  return instanceIdFor(run > 1 ? `${ticketKey}#run${run}` : ticketKey);
}

export function ticketKey(ticket: Pick<TicketEvent, "source" | "key">, label: string): string {
  return `${ticket.source}:${ticket.key}:${label}`;
}

const INSTANCE_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Workflow instance ids allow ≤ 64 chars of `[A-Za-z0-9_-]`. Keep a readable
 * prefix for operators and add a hash so distinct keys never share an id.
 */
export async function instanceIdFor(key: string): Promise<string> {
  const hash = (await sha256Hex(key)).slice(0, 20);
  const readable = key.replace(/[^A-Za-z0-9_-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 43);
  const id = readable ? `${readable}-${hash}` : hash;
  if (!INSTANCE_ID.test(id)) throw new Error("instance id out of shape");
  return id;
}
