/**
 * Signing as senders do, for case tables and `npm run send`: pure WebCrypto,
 * so it runs in Node and in workerd alike. The bridge itself only verifies.
 */
const encoder = new TextEncoder();

export async function hmacBytes(hash: "SHA-256" | "SHA-1", key: string | Uint8Array, data: string | Uint8Array): Promise<Uint8Array> {
  const raw = typeof key === "string" ? encoder.encode(key) : key;
  const cryptoKey = await crypto.subtle.importKey("raw", raw as BufferSource, { name: "HMAC", hash }, false, ["sign"]);
  const bytes = typeof data === "string" ? encoder.encode(data) : data;
  return new Uint8Array(await crypto.subtle.sign("HMAC", cryptoKey, bytes as BufferSource));
}

/** Lower-case hex HMAC of `data`, the form GitHub, Gitea, Redmine, Zammad and most others send. */
export async function hexHmac(hash: "SHA-256" | "SHA-1", secret: string, data: string | Uint8Array): Promise<string> {
  return [...(await hmacBytes(hash, secret, data))].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Standard Webhooks headers (GitLab 19 signing tokens): `v1,<base64 HMAC(key, "{id}.{ts}.{body}")>`. */
export async function standardWebhookHeaders(
  secret: string,
  raw: string,
  timestamp = Math.floor(Date.now() / 1000),
  id: string = crypto.randomUUID(),
): Promise<Record<string, string>> {
  const key = Uint8Array.from(atob(secret.replace(/^whsec_/, "")), (c) => c.charCodeAt(0));
  const mac = await hmacBytes("SHA-256", key, `${id}.${timestamp}.${raw}`);
  return { "webhook-id": id, "webhook-timestamp": String(timestamp), "webhook-signature": `v1,${btoa(String.fromCharCode(...mac))}` };
}
