import { defineTracker } from "../contract";
import { verifyHexHmacHeader } from "../kit/verify";
import { commentInstruction, enrich, writeBack } from "./api";
import { parsePhorge } from "./events";

/** Phorge and Phabricator: Herald's "Call webhooks" action, Conduit for reads and comments. */
export const phorge = defineTracker({
  id: "phorge",
  name: "Phorge",
  settings: {},
  // Herald names no delivery; a retry resends the same PHIDs and the one-run-per-task gate holds.
  deliveryIdHeaders: [],
  // Hex HMAC-SHA256 of the body with the webhook's HMAC key; Phorge may rename Phabricator's header.
  verify: (req, secrets) => verifyHexHmacHeader(req, secrets, "SHA-256", ["x-phabricator-webhook-signature", "x-phorge-webhook-signature"], ""),
  parse: (payload, req) => parsePhorge(payload, req.url),
  enrich,
  writeBack,
  commentInstruction,
});
