import { sha256Hex } from "../crypto/hmac";
import type { TicketEvent } from "../ticket";

/**
 * Workers KV: ticket → what happened to it. KV is eventually consistent, so
 * this is the fast-path duplicate check and the operator's record, never the
 * exactly-once gate (that is the Workflow instance id).
 */
export type RunStatus = "deferred" | "started" | "waiting" | "suspended" | "finished" | "failed" | "stopped";

/** A run in one of these may be stopped; one in `ENDED` may be retried. */
export const STOPPABLE: readonly RunStatus[] = ["deferred", "started", "waiting", "suspended"];
export const ENDED: readonly RunStatus[] = ["finished", "failed", "stopped"];

export interface TicketRecord {
  ticket_key: string;
  instance_id: string;
  source: string;
  /** The ticket's identity within its source (`TicketEvent.key`). */
  key?: string;
  ticket_id: string;
  title: string;
  ticket_url?: string;
  label: string;
  playbook?: string;
  /** The routing decision the run started with: a retry starts from it again. */
  route?: import("../routing").Route;
  status: RunStatus;
  session_id?: string;
  /** The Devin session's URL. */
  url?: string;
  /** Devin's own status of the session when last seen, and its detail. */
  session_status?: string;
  session_status_detail?: string;
  pull_requests?: string[];
  error?: { code: string; message: string; http_status?: number };
  /** 1 for the first run of a ticket; each retry is the next number, with its own instance id. */
  run?: number;
  previous_instance_id?: string;
  /** The ticket as the run started it (bounded): what a retry, a stop or a renewed follow writes back to. */
  ticket?: TicketEvent;
  /** Where reading Devin's messages goes on from. */
  messages_cursor?: string;
  /** How often a follow-up woke the session after its run ended: each wake follows it again, once. */
  wakes?: number;
  /** Who or what stopped the run. */
  stopped_by?: string;
  /** While deferred by the spend guard: when the workflow tries again. */
  retry_at?: string;
  created_at: string;
  updated_at: string;
}

const RECORD = "ticket:";
const INDEX = "ticket-of:";

/** KV keys stop at 512 bytes; ticket keys are usually short, but a tracker may send long ids. */
async function indexKey(source: string, ticket: string): Promise<string> {
  const plain = `${INDEX}${source}:${ticket}`;
  return new TextEncoder().encode(plain).length <= 400 ? plain : `${INDEX}${source}:#${await sha256Hex(ticket)}`;
}

export class TicketStore {
  private readonly kv: KVNamespace;
  constructor(kv: KVNamespace) {
    this.kv = kv;
  }

  /** Keyed by the workflow instance id: bounded length, one per ticket key. */
  get(instanceId: string): Promise<TicketRecord | null> {
    return this.kv.get<TicketRecord>(RECORD + instanceId, "json");
  }

  async put(record: TicketRecord): Promise<void> {
    // Metadata lets list() filter by status without reading every value.
    await this.kv.put(RECORD + record.instance_id, JSON.stringify(record), {
      metadata: { status: record.status, session_id: record.session_id ?? null },
    });
  }

  /** Lets a ticket be found by its source and key or display id (follow-ups, status lookups). */
  async index(record: TicketRecord): Promise<void> {
    const names = new Set([record.key, record.ticket_id].filter((n): n is string => Boolean(n)));
    for (const name of names) await this.kv.put(await indexKey(record.source, name), record.instance_id);
  }

  /** The ticket's latest run (a ticket routed by two labels has two; the last indexed wins). */
  async findByTicket(source: string, ticket: string): Promise<TicketRecord | null> {
    const instanceId = await this.kv.get(await indexKey(source, ticket));
    return instanceId ? this.get(instanceId) : null;
  }

  /** Every run of the ticket whose latest run this is, newest first. */
  async runs(latest: TicketRecord): Promise<TicketRecord[]> {
    const out = [latest];
    for (let r = latest; r.previous_instance_id && out.length < 50; ) {
      const previous = await this.get(r.previous_instance_id);
      if (!previous) break;
      out.push(previous);
      r = previous;
    }
    return out;
  }

  /** Records with the given status, a page at a time. */
  async list(status: RunStatus | undefined, cursor?: string, limit = 100): Promise<{ records: TicketRecord[]; cursor?: string }> {
    const page = await this.kv.list<{ status?: string }>({ prefix: RECORD, cursor, limit });
    const wanted = page.keys.filter((k) => !status || k.metadata?.status === status);
    const records = (await Promise.all(wanted.map((k) => this.kv.get<TicketRecord>(k.name, "json")))).filter(
      (r): r is TicketRecord => r !== null,
    );
    return { records, cursor: page.list_complete ? undefined : page.cursor };
  }
}
