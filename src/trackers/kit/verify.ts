import { base64ToBytes, hexToBytes, matchesAnySecret, verifyHmac, type HmacHash } from "../../crypto/hmac";
import type { WebhookRequest } from "../contract";

/**
 * `<prefix><hex HMAC(raw body)>` in one of `headers`, the scheme GitHub made
 * common (`sha256=…`); the prefix is optional because Gitea and Taiga omit it.
 */
export async function verifyHexHmacHeader(
  req: WebhookRequest,
  secrets: readonly string[],
  hash: HmacHash,
  headers: readonly string[],
  prefix: string,
): Promise<boolean> {
  for (const name of headers) {
    const value = req.headers.get(name)?.trim();
    if (!value) continue;
    const hex = value.toLowerCase().startsWith(prefix) ? value.slice(prefix.length) : value;
    const signature = hexToBytes(hex);
    if (!signature) return false;
    return verifyHmac(hash, secrets, req.raw, signature);
  }
  return false;
}

/**
 * A shared secret sent as-is in a header (GitLab's `X-Gitlab-Token`, a
 * Bugzilla custom header, `Authorization: Bearer …`), compared in constant time.
 * `scheme` strips a leading word such as `Bearer`.
 */
export async function verifyTokenHeader(
  req: WebhookRequest,
  secrets: readonly string[],
  header: string,
  scheme?: string,
): Promise<boolean> {
  let value = req.headers.get(header)?.trim();
  if (!value) return false;
  if (scheme) {
    const prefix = `${scheme.toLowerCase()} `;
    if (!value.toLowerCase().startsWith(prefix)) return false;
    value = value.slice(prefix.length).trim();
  }
  return matchesAnySecret(value, secrets);
}

/** The header senders that cannot sign put the secret in, unless the operator renames it (`<ID>_AUTH_HEADER`). */
export const BRIDGE_KEY_HEADER = "X-Devin-Bridge-Key";

/** The secret in the bridge's key header, or the one the operator named. */
export function verifyBridgeKey(req: WebhookRequest, secrets: readonly string[], header: string | undefined): Promise<boolean> {
  return verifyTokenHeader(req, secrets, header ?? BRIDGE_KEY_HEADER);
}

/**
 * HTTP Basic auth whose password is the secret, for senders whose only
 * credential field is a user name and password (Azure DevOps service hooks).
 * The user name is the sender's to choose and is not checked.
 */
export async function verifyBasicPassword(req: WebhookRequest, secrets: readonly string[]): Promise<boolean> {
  const match = /^basic\s+(\S+)$/i.exec(req.headers.get("authorization")?.trim() ?? "");
  const bytes = match ? base64ToBytes(match[1]!) : null;
  if (!bytes) return false;
  const decoded = new TextDecoder().decode(bytes);
  const colon = decoded.indexOf(":");
  if (colon < 0) return false;
  return matchesAnySecret(decoded.slice(colon + 1), secrets);
}
