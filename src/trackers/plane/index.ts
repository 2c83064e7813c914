import * as z from "../../zod";
import { defineTracker } from "../contract";
import { verifyHexHmacHeader } from "../kit/verify";
import { commentInstruction, enrich, type PlaneSettings, writeBack } from "./api";
import { parsePlane } from "./events";

export const plane = defineTracker<PlaneSettings>({
  id: "plane",
  name: "Plane",
  settings: {
    WORKSPACE_SLUG: {
      meaning: "The workspace slug for API calls when PLANE_BASE_URL is not the workspace URL (https://plane.example/<slug>)",
      schema: z.optional(z.string().check(z.regex(/^[\w-]{1,100}$/, { error: "must be a workspace slug (letters, digits, - and _)" }))),
    },
  },
  // Random per attempt, so it catches a proxy's double delivery, not Plane's own retries.
  deliveryIdHeaders: ["x-plane-delivery"],
  verify: (req, secrets) => verifyHexHmacHeader(req, secrets, "SHA-256", ["x-plane-signature"], ""),
  parse: (payload, req, ctx) => parsePlane(payload, req, ctx.baseUrl),
  enrich,
  writeBack,
  commentInstruction,
});
