/**
 * Webhook signature checks on raw bytes. Comparisons go through
 * `crypto.subtle.verify`, which is constant time, instead of `===` on strings.
 */
export type HmacHash = "SHA-256" | "SHA-1";

const encoder = new TextEncoder();
const keyCache = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string | Uint8Array, hash: HmacHash): Promise<CryptoKey> {
  const bytes = typeof secret === "string" ? encoder.encode(secret) : secret;
  const cacheKey = `${hash}:${typeof secret === "string" ? "s" : "b"}:${typeof secret === "string" ? secret : bytesToHex(secret)}`;
  let key = keyCache.get(cacheKey);
  if (!key) {
    key = crypto.subtle.importKey("raw", bytes, { name: "HMAC", hash }, false, ["sign", "verify"]);
    // Bounded: secrets come from configuration, but be safe against churn.
    if (keyCache.size > 64) keyCache.clear();
    keyCache.set(cacheKey, key);
  }
  return key;
}

/** True when `signature` is HMAC(secret, data) for any of the secrets. */
export async function verifyHmac(
  hash: HmacHash,
  secrets: readonly (string | Uint8Array)[],
  data: Uint8Array,
  signature: Uint8Array,
): Promise<boolean> {
  let ok = false;
  // Check every secret, not just until the first match, so timing does not reveal which one matched.
  for (const secret of secrets) {
    if (await crypto.subtle.verify("HMAC", await hmacKey(secret, hash), signature, data)) ok = true;
  }
  return ok;
}

export async function hmac(hash: HmacHash, secret: string | Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.sign("HMAC", await hmacKey(secret, hash), data));
}

/** Constant-time equality of a presented token against any configured secret. */
export async function matchesAnySecret(presented: string, secrets: readonly string[]): Promise<boolean> {
  // HMAC the presented value under each secret and verify against HMAC(secret, secret): equal lengths, constant time.
  const data = encoder.encode(presented);
  let ok = false;
  for (const secret of secrets) {
    if (await crypto.subtle.verify("HMAC", await hmacKey(secret, "SHA-256"), await selfMac(secret), data)) ok = true;
  }
  return ok;
}

// HMAC(secret, secret) per configured secret, computed once per isolate rather than on every request.
const selfMacs = new Map<string, Promise<Uint8Array>>();
function selfMac(secret: string): Promise<Uint8Array> {
  let mac = selfMacs.get(secret);
  if (!mac) {
    if (selfMacs.size > 64) selfMacs.clear();
    mac = hmac("SHA-256", secret, encoder.encode(secret));
    selfMacs.set(secret, mac);
  }
  return mac;
}

export function hexToBytes(hex: string): Uint8Array | null {
  if (hex.length === 0 || hex.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(hex)) return null;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function bytesToHex(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

export function base64ToBytes(b64: string): Uint8Array | null {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return null;
  try {
    const bin = atob(b64);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  } catch {
    return null;
  }
}

export async function sha256Hex(text: string): Promise<string> {
  return sha256HexOfBytes(encoder.encode(text));
}

export async function sha256HexOfBytes(bytes: Uint8Array): Promise<string> {
  return bytesToHex(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)));
}
