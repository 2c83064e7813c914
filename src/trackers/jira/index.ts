import { defineTracker } from "../contract";
import { verifyHexHmacHeader } from "../kit/verify";
import { commentInstruction, writeBack } from "./api";
import { parseJira } from "./events";

export const jira = defineTracker({
  id: "jira",
  name: "Jira",
  settings: {},
  deliveryIdHeaders: ["x-atlassian-webhook-identifier"],
  // Cloud admin webhooks with a secret sign the body; Data Center signs nothing
  // and uses the secret-in-path form, which the core checks before this.
  verify: (req, secrets) => verifyHexHmacHeader(req, secrets, "SHA-256", ["x-hub-signature"], "sha256="),
  parse: (payload, _req, ctx) => parseJira(payload, ctx.baseUrl),
  writeBack,
  commentInstruction,
});
