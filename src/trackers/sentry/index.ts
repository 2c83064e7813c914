import { defineTracker } from "../contract";
import { verifyHexHmacHeader } from "../kit/verify";
import { commentInstruction, enrich, writeBack } from "./api";
import { parseSentry } from "./events";

/** Sentry (SaaS and self-hosted), through an internal integration's webhooks. */
export const sentry = defineTracker({
  id: "sentry",
  name: "Sentry",
  settings: {},
  deliveryIdHeaders: ["request-id"],
  // Hex HMAC-SHA256 of the body with the integration's client secret. Sentry-Hook-Timestamp is
  // not signed, so checking it would stop no replay; the one-session-per-issue gate does.
  verify: (req, secrets) => verifyHexHmacHeader(req, secrets, "SHA-256", ["sentry-hook-signature"], ""),
  parse: (payload, req) => parseSentry(payload, req),
  enrich,
  writeBack,
  commentInstruction,
});
