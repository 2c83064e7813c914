import { hexToBytes, verifyHmac } from "../../crypto/hmac";
import type { WebhookRequest } from "../contract";

/** Linear's advice: refuse a delivery whose `webhookTimestamp` is more than a minute from now (replays). */
export const MAX_AGE_MS = 60_000;

/**
 * `Linear-Signature`: hex HMAC-SHA256 of the body. The body's `webhookTimestamp`
 * (ms) is covered by it, so a fresh timestamp is what makes a capture useless later.
 */
export async function verifyLinear(req: WebhookRequest, secrets: readonly string[], now = Date.now()): Promise<boolean> {
  const signature = hexToBytes(req.headers.get("linear-signature")?.trim() ?? "");
  if (!signature || signature.length !== 32 || !(await verifyHmac("SHA-256", secrets, req.raw, signature))) return false;
  const timestamp = timestampOf(req);
  return typeof timestamp === "number" && Number.isFinite(timestamp) && Math.abs(now - timestamp) <= MAX_AGE_MS;
}

/** The body's `webhookTimestamp`: from the core's one reading of the body where it can, else (a body it refuses later) read here. */
function timestampOf(req: WebhookRequest): unknown {
  const json = req.json?.();
  if (json?.ok) return (json.value as { webhookTimestamp?: unknown } | null)?.webhookTimestamp;
  try {
    return (JSON.parse(new TextDecoder().decode(req.raw)) as { webhookTimestamp?: unknown })?.webhookTimestamp;
  } catch {
    return undefined;
  }
}

