import { defineTracker } from "../contract";
import { flag } from "../kit/schema";
import { verifyHexHmacHeader } from "../kit/verify";
import { commentInstruction, enrich, writeBack } from "./api";
import { parseZammad } from "./events";

export const zammad = defineTracker({
  id: "zammad",
  name: "Zammad",
  settings: {
    COMMENT_INTERNAL: { meaning: "Whether the bridge's notes are internal (default true); false lets the customer see them.", schema: flag() },
  },
  // The ActiveJob id, unchanged on retries.
  deliveryIdHeaders: ["x-zammad-delivery"],
  // Hex HMAC-SHA1 of the body, when the webhook has a signature token.
  verify: (req, secrets) => verifyHexHmacHeader(req, secrets, "SHA-1", ["x-hub-signature"], "sha1="),
  parse: (payload, req, ctx) => parseZammad(payload, req, ctx.baseUrl),
  enrich,
  writeBack,
  commentInstruction,
});
