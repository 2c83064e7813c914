/**
 * Workers KV: ticket key → what happened to it. KV is eventually consistent,
 * so this is the fast-path duplicate check and the operator's record, never
 * the exactly-once gate (that is the Workflow instance id).
 */
export type RunStatus = "started" | "failed";

export interface TicketRecord {
  ticket_key: string;
  instance_id: string;
  source: string;
  ticket_id: string;
  title: string;
  ticket_url?: string;
  label: string;
  playbook: string;
  status: RunStatus;
  session_id?: string;
  /** The Devin session's URL. */
  url?: string;
  /** Devin's own status of the session when last seen. */
  session_status?: string;
  error?: { code: string; message: string; http_status?: number };
  created_at: string;
  updated_at: string;
}

const PREFIX = "ticket:";

export class TicketStore {
  constructor(private readonly kv: KVNamespace) {}

  /** Keyed by the workflow instance id: bounded length (KV keys stop at 512 bytes), one per ticket key. */
  get(instanceId: string): Promise<TicketRecord | null> {
    return this.kv.get<TicketRecord>(PREFIX + instanceId, "json");
  }

  async put(record: TicketRecord): Promise<void> {
    // Metadata lets a list() show status without reading every value.
    await this.kv.put(PREFIX + record.instance_id, JSON.stringify(record), {
      metadata: { status: record.status, session_id: record.session_id ?? null },
    });
  }
}
