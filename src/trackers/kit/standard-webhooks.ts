import { base64ToBytes, verifyHmac } from "../../crypto/hmac";
import type { WebhookRequest } from "../contract";

/** Standard Webhooks' recommended window, applied both ways (clock skew). */
export const TOLERANCE_SECONDS = 5 * 60;
const SECRET_PREFIX = "whsec_";
// A real sender lists one or two; more is noise that only costs HMAC work.
const MAX_SIGNATURES = 8;

const encoder = new TextEncoder();

/**
 * Standard Webhooks (standardwebhooks.com), used by GitLab 19+ signing tokens:
 * `webhook-signature: v1,<base64 HMAC-SHA256(key, "{id}.{timestamp}.{body}")>`,
 * several space-separated when the sender rotates keys. Unlike a body-only HMAC
 * it covers a timestamp, so a captured delivery cannot be replayed later.
 */
export async function verifyStandardWebhook(
  req: WebhookRequest,
  secrets: readonly string[],
  nowSeconds = Math.floor(Date.now() / 1000),
): Promise<boolean> {
  const id = req.headers.get("webhook-id")?.trim();
  const timestamp = req.headers.get("webhook-timestamp")?.trim();
  const header = req.headers.get("webhook-signature")?.trim();
  if (!id || !timestamp || !header || !/^\d{1,15}$/.test(timestamp)) return false;
  if (Math.abs(nowSeconds - Number(timestamp)) > TOLERANCE_SECONDS) return false;

  const keys = signingKeys(secrets);
  const signatures = v1Signatures(header);
  if (keys.length === 0 || signatures.length === 0) return false;

  const message = concat(encoder.encode(`${id}.${timestamp}.`), req.raw);
  let ok = false;
  // Every candidate is checked so timing does not reveal which one matched.
  for (const signature of signatures) {
    if (await verifyHmac("SHA-256", keys, message, signature)) ok = true;
  }
  return ok;
}

/** Only `whsec_<base64>` secrets are signing keys; a plain secret cannot sign this scheme. */
function signingKeys(secrets: readonly string[]): Uint8Array[] {
  const keys: Uint8Array[] = [];
  for (const secret of secrets) {
    if (!secret.startsWith(SECRET_PREFIX)) continue;
    const key = base64ToBytes(secret.slice(SECRET_PREFIX.length));
    if (key && key.length > 0) keys.push(key);
  }
  return keys;
}

/** `v1,<b64> v1,<b64>`: other versions (e.g. asymmetric `v1a`) are ignored. */
function v1Signatures(header: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const part of header.split(/\s+/).slice(0, MAX_SIGNATURES)) {
    const comma = part.indexOf(",");
    if (comma < 0 || part.slice(0, comma) !== "v1") continue;
    const bytes = base64ToBytes(part.slice(comma + 1));
    if (bytes) out.push(bytes);
  }
  return out;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
