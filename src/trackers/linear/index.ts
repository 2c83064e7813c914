import { defineTracker } from "../contract";
import { commentInstruction, writeBack } from "./api";
import { LINEAR_API, parseLinear } from "./events";
import { verifyLinear } from "./verify";

export const linear = defineTracker({
  id: "linear",
  name: "Linear",
  settings: {},
  deliveryIdHeaders: ["linear-delivery"],
  verify: (req, secrets) => verifyLinear(req, secrets),
  parse: (payload) => parseLinear(payload),
  // Linear is one service: its API is configuration, not something a payload could name.
  apiBase: () => LINEAR_API,
  writeBack,
  commentInstruction,
});
