import * as z from "../../zod";
import { defineTracker } from "../contract";
import { text } from "../kit/schema";
import { verifyHexHmacHeader } from "../kit/verify";
import { commentInstruction, writeBack } from "./api";
import { parseRedmine } from "./events";
import { parseValueNames } from "./labels";

const DEFAULT_LABEL_FIELD = "Tags";

export const redmine = defineTracker({
  id: "redmine",
  name: "Redmine",
  settings: {
    LABEL_FIELD: {
      meaning: `The custom field (name or id) whose values count as labels, besides the category (default ${DEFAULT_LABEL_FIELD}).`,
      schema: text(),
    },
    LABEL_VALUES: {
      meaning: "For a key/value list label field, whose values Redmine sends as ids: the id=name pairs (`7=devin-autofix, 8=devin-feature`)",
      schema: z.optional(
        z.pipe(
          z.string().check(z.refine((v) => parseValueNames(v) !== undefined, { error: "must be id=name pairs separated by commas (7=devin-autofix, 8=devin-feature)" })),
          z.transform((v) => parseValueNames(v)!),
        ),
      ),
    },
  },
  // Redmine names no delivery: a redelivery is told apart by the ticket's own record.
  deliveryIdHeaders: [],
  // Only Redmine 7 signs; plugin deliveries use the secret-in-path form, which the core checks before this.
  verify: (req, secrets) => verifyHexHmacHeader(req, secrets, "SHA-256", ["x-redmine-signature-256"], "sha256="),
  parse: (payload, _req, ctx) => parseRedmine(payload, ctx.settings.LABEL_FIELD ?? DEFAULT_LABEL_FIELD, ctx.baseUrl, ctx.settings.LABEL_VALUES),
  writeBack,
  commentInstruction,
});
