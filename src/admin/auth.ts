import type { Context } from "hono";
import { deleteCookie, getSignedCookie, setSignedCookie } from "hono/cookie";
import { bytesToHex, hmac, matchesAnySecret } from "../crypto/hmac";

/**
 * Who may use the console: `Authorization: Bearer <ADMIN_TOKEN>` (scripts), or
 * the session cookie the sign-in form sets. The cookie is signed with a key
 * derived from ADMIN_TOKEN, so rotating the token signs everyone out.
 */
export const SESSION_COOKIE = "bridge_admin";
const SESSION_HOURS = 12;
const encoder = new TextEncoder();

async function cookieKey(adminToken: string): Promise<string> {
  return bytesToHex(await hmac("SHA-256", adminToken, encoder.encode("devin-ticket-bridge admin session v1")));
}

/** Constant time whatever is presented, and the same work for a missing token as for a wrong one. */
export function tokenMatches(adminToken: string, presented: string | undefined): Promise<boolean> {
  return matchesAnySecret(presented ?? "", [adminToken]);
}

export function bearerOf(c: Context): string | undefined {
  return c.req.header("authorization")?.match(/^Bearer\s+(.+)$/i)?.[1]?.trim();
}

export async function signedIn(c: Context, adminToken: string): Promise<boolean> {
  // Both checks always run, so no path (no credentials, a wrong token, a bad cookie) answers faster than another.
  const bearer = bearerOf(c);
  const [bearerOk, value] = await Promise.all([
    tokenMatches(adminToken, bearer),
    getSignedCookie(c, await cookieKey(adminToken), SESSION_COOKIE),
  ]);
  if (bearer !== undefined) return bearerOk;
  const expires = typeof value === "string" ? Number(value.match(/^v1\.(\d+)$/)?.[1]) : NaN;
  return Number.isFinite(expires) && expires > Date.now();
}

export async function startSession(c: Context, adminToken: string): Promise<void> {
  const expires = Date.now() + SESSION_HOURS * 3_600_000;
  await setSignedCookie(c, SESSION_COOKIE, `v1.${expires}`, await cookieKey(adminToken), {
    path: "/admin",
    httpOnly: true,
    secure: true,
    sameSite: "Strict",
    maxAge: SESSION_HOURS * 3600,
  });
}

export function endSession(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { path: "/admin", secure: true, httpOnly: true, sameSite: "Strict" });
}
