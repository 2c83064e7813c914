import * as z from "../../zod";
import { defineTracker } from "../contract";
import { verifyHexHmacHeader } from "../kit/verify";
import { commentInstruction, type JiraSettings, writeBack } from "./api";
import { parseJira } from "./events";

export const jira = defineTracker<JiraSettings>({
  id: "jira",
  name: "Jira",
  settings: {
    API_EMAIL: {
      meaning: "Jira Cloud: the email of the account JIRA_API_TOKEN belongs to (write-back then uses Basic auth, REST v3 and ADF); unset for Data Center (a personal access token, Bearer)",
      schema: z.optional(z.string().check(z.regex(/^[^\s@:]+@[^\s@:]+$/, { error: "must be an email address" }))),
    },
  },
  deliveryIdHeaders: ["x-atlassian-webhook-identifier"],
  // Cloud and Data Center 10+ webhooks with a secret sign the body; on Data Center the admin may pick
  // SHA-1, and the header names it. Older Data Center signs nothing: the core's path-secret form.
  verify(req, secrets) {
    const sha1 = req.headers.get("x-hub-signature")?.trim().toLowerCase().startsWith("sha1=");
    return sha1
      ? verifyHexHmacHeader(req, secrets, "SHA-1", ["x-hub-signature"], "sha1=")
      : verifyHexHmacHeader(req, secrets, "SHA-256", ["x-hub-signature"], "sha256=");
  },
  parse: (payload, _req, ctx) => parseJira(payload, ctx.baseUrl),
  writeBack,
  commentInstruction,
});
