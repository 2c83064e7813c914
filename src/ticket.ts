import { sha256Hex } from "./crypto/hmac";

/** One ticket, whatever tracker it came from: what every source adapter produces. */
export interface TicketEvent {
  /** Adapter name, e.g. `tickets`, `gitlab`. */
  source: string;
  /** Human name of the tracker, used in the prompt. */
  tracker: string;
  /** Stable identity within the source (project + number where numbers are per project). */
  key: string;
  /** The id people use, e.g. `42`, `WEB-128`, `acme/shop#42`. */
  id: string;
  title: string;
  description: string;
  /** Every label the ticket carries now. */
  labels: string[];
  /** The labels this event may trigger on: all of them on create, the newly added ones on update. */
  triggerLabels: string[];
  url?: string;
  project?: string;
  author?: string;
  /**
   * What the adapter needs to comment back on this ticket (e.g. GitLab's
   * project id and iid, the instance URL the payload revealed). Opaque to the
   * rest of the bridge; it travels with the ticket to the workflow.
   */
  replyTo?: Record<string, string | number>;
}

/** What the queue carries and the workflow receives: a ticket with its route decided. */
export interface TicketJob {
  /** `source:key:label`, the identity used for duplicate checks and the session tag. */
  ticketKey: string;
  /** Workflow instance id: the exactly-once gate. */
  instanceId: string;
  ticket: TicketEvent;
  label: string;
  playbookId: string;
  receivedAt: string;
  requestId?: string;
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
