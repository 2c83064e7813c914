import { defineTracker } from "../contract";
import { verifyHexHmacHeader } from "../kit/verify";
import { commentInstruction, writeBack } from "./api";
import { parseOpenProject } from "./events";

export const openproject = defineTracker({
  id: "openproject",
  name: "OpenProject",
  settings: {},
  // OpenProject names no delivery: replays are caught by the per-ticket gate.
  deliveryIdHeaders: [],
  verify: (req, secrets) => verifyHexHmacHeader(req, secrets, "SHA-1", ["x-op-signature"], "sha1="),
  parse: (payload, _req, ctx) => parseOpenProject(payload, ctx.baseUrl),
  writeBack,
  commentInstruction,
});
