import * as z from "../../zod";
import { defineTracker } from "../contract";
import { verifyHexHmacHeader } from "../kit/verify";
import { commentInstruction, type TaigaSettings, writeBack } from "./api";
import { parseTaiga } from "./events";

export const taiga = defineTracker<TaigaSettings>({
  id: "taiga",
  name: "Taiga",
  settings: {
    AUTH_SCHEME: {
      meaning: "How TAIGA_API_TOKEN is sent: Application (an application token, the default; it does not expire) or Bearer (a login token, which expires after a day)",
      schema: z.optional(z.enum(["Application", "Bearer"], { error: "must be Application or Bearer" })),
    },
  },
  // Taiga names no delivery: replays are caught by the per-ticket gate.
  deliveryIdHeaders: [],
  // Taiga's own header holds bare hex; X-Hub-Signature holds `sha1=<hex>`.
  verify: (req, secrets) => verifyHexHmacHeader(req, secrets, "SHA-1", ["x-taiga-webhook-signature", "x-hub-signature"], "sha1="),
  parse: (payload, _req, ctx) => parseTaiga(payload, ctx.baseUrl),
  writeBack,
  commentInstruction,
});
