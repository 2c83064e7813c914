import { sha256Hex } from "../crypto/hmac";

/**
 * Workers KV: delivery ids already handled, so a replayed or redelivered
 * webhook is answered without touching the queue. KV is eventually consistent:
 * two copies arriving together may both pass, which the workflow's
 * exactly-once gate absorbs. This is the cheap first line, not the gate.
 */
export interface DeliveryRecord {
  /** The decision taken the first time. */
  decision: string;
  ticket_key?: string;
  /** Lets a redelivery through again once this run has failed. */
  instance_id?: string;
  at: string;
}

export interface DeliveryLog {
  seen(source: string, deliveryId: string): Promise<DeliveryRecord | null>;
  remember(source: string, deliveryId: string, record: DeliveryRecord): Promise<void>;
}

/** Longer than any sender's redelivery window (GitHub lets you redeliver for 3 days). */
export const DELIVERY_TTL_SECONDS = 7 * 24 * 3600;

const PREFIX = "delivery:";
// Ids this short and plain are kept readable for operators; anything else is hashed to bound the KV key.
const PLAIN_ID = /^[\x21-\x7e]{1,128}$/;

export class DeliveryStore implements DeliveryLog {
  private readonly kv: KVNamespace;
  constructor(kv: KVNamespace) {
    this.kv = kv;
  }

  async seen(source: string, deliveryId: string): Promise<DeliveryRecord | null> {
    return this.kv.get<DeliveryRecord>(await keyFor(source, deliveryId), "json");
  }

  async remember(source: string, deliveryId: string, record: DeliveryRecord): Promise<void> {
    await this.kv.put(await keyFor(source, deliveryId), JSON.stringify(record), { expirationTtl: DELIVERY_TTL_SECONDS });
  }
}

export async function keyFor(source: string, deliveryId: string): Promise<string> {
  const id = PLAIN_ID.test(deliveryId) ? deliveryId : `sha256:${await sha256Hex(deliveryId)}`;
  return `${PREFIX}${source}:${id}`;
}
