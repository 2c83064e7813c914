import { defineTracker } from "../contract";
import { verifyTokenHeader } from "../kit/verify";
import { commentInstruction, writeBack } from "./api";
import { parseYouTrack } from "./events";

export const youtrack = defineTracker({
  id: "youtrack",
  name: "YouTrack",
  settings: {},
  // The workflow's request names no delivery.
  deliveryIdHeaders: [],
  // The workflow scripting API cannot sign, so the rule sends a static bearer token.
  verify: (req, secrets) => verifyTokenHeader(req, secrets, "authorization", "Bearer"),
  parse: (payload, _req, ctx) => parseYouTrack(payload, ctx.baseUrl),
  writeBack,
  commentInstruction,
});
