import { defineTracker } from "../contract";
import { verifyHexHmacHeader } from "../kit/verify";
import { commentInstruction, writeBack } from "./api";
import { parseGogs } from "./events";

export const gogs = defineTracker({
  id: "gogs",
  name: "Gogs",
  settings: {},
  // Gogs sets X-Github-Delivery to the same UUID; its own header is the one to trust first.
  deliveryIdHeaders: ["x-gogs-delivery", "x-github-delivery"],
  // Bare hex HMAC-SHA256 of the body (internal/database/webhook.go); no `sha256=` prefix, but tolerate one.
  verify: (req, secrets) => verifyHexHmacHeader(req, secrets, "SHA-256", ["x-gogs-signature"], "sha256="),
  parse: (payload, req, ctx) => parseGogs(payload, req, ctx.baseUrl),
  writeBack,
  commentInstruction,
});
