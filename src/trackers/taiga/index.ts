import { defineTracker } from "../contract";
import { verifyHexHmacHeader } from "../kit/verify";
import { commentInstruction, writeBack } from "./api";
import { parseTaiga } from "./events";

export const taiga = defineTracker({
  id: "taiga",
  name: "Taiga",
  settings: {},
  // Taiga names no delivery: replays are caught by the per-ticket gate.
  deliveryIdHeaders: [],
  // Taiga's own header holds bare hex; X-Hub-Signature holds `sha1=<hex>`.
  verify: (req, secrets) => verifyHexHmacHeader(req, secrets, "SHA-1", ["x-taiga-webhook-signature", "x-hub-signature"], "sha1="),
  parse: (payload, _req, ctx) => parseTaiga(payload, ctx.baseUrl),
  writeBack,
  commentInstruction,
});
