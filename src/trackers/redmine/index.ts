import { defineTracker } from "../contract";
import { text } from "../kit/schema";
import { verifyHexHmacHeader } from "../kit/verify";
import { commentInstruction, writeBack } from "./api";
import { parseRedmine } from "./events";

const DEFAULT_LABEL_FIELD = "Tags";

export const redmine = defineTracker({
  id: "redmine",
  name: "Redmine",
  settings: {
    LABEL_FIELD: {
      meaning: `The custom field (name or id) whose values count as labels, besides the category (default ${DEFAULT_LABEL_FIELD}).`,
      schema: text(),
    },
  },
  // Redmine names no delivery: a redelivery is told apart by the ticket's own record.
  deliveryIdHeaders: [],
  // Only Redmine 7 signs; plugin deliveries use the secret-in-path form, which the core checks before this.
  verify: (req, secrets) => verifyHexHmacHeader(req, secrets, "SHA-256", ["x-redmine-signature-256"], "sha256="),
  parse: (payload, _req, ctx) => parseRedmine(payload, ctx.settings.LABEL_FIELD ?? DEFAULT_LABEL_FIELD, ctx.baseUrl),
  writeBack,
  commentInstruction,
});
