import { defineTracker } from "../contract";
import { commentInstruction, writeBack } from "./api";
import { parseLinear } from "./events";
import { verifyLinear } from "./verify";

export const linear = defineTracker({
  id: "linear",
  name: "Linear",
  settings: {},
  deliveryIdHeaders: ["linear-delivery"],
  verify: (req, secrets) => verifyLinear(req, secrets),
  parse: (payload) => parseLinear(payload),
  writeBack,
  commentInstruction,
});
