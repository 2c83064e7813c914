import { defineTracker } from "../contract";
import { headerName } from "../kit/schema";
import { BRIDGE_KEY_HEADER, verifyBridgeKey } from "../kit/verify";
import * as z from "../../zod";
import { commentInstruction, writeBack, type ServiceNowSettings } from "./api";
import { parseServiceNow } from "./events";

/** The header the Business Rule sets (README.md, "ServiceNow"). */

const oneOf = <T extends string>(...values: T[]) =>
  z.optional(z.pipe(z.string().check(z.refine((v) => (values as string[]).includes(v.toLowerCase()), { error: `must be one of ${values.join(", ")}` })), z.transform((v) => v.toLowerCase() as T)));

/** ServiceNow (any task table: incident, problem, sc_task…) through a Business Rule that posts to the bridge. */
export const servicenow = defineTracker<ServiceNowSettings>({
  id: "servicenow",
  name: "ServiceNow",
  settings: {
    AUTH_HEADER: { meaning: `The header the Business Rule sends the secret in (default ${BRIDGE_KEY_HEADER}).`, schema: headerName() },
    AUTH_SCHEME: { meaning: "How SERVICENOW_API_TOKEN is sent: basic (user:password), bearer (OAuth token) or apikey (x-sn-apikey); default by its shape.", schema: oneOf("basic", "bearer", "apikey") },
    NOTE_FIELD: { meaning: "The journal field the bridge writes: work_notes (default, agents only) or comments (the caller sees them).", schema: oneOf("work_notes", "comments") },
  },
  // RESTMessageV2 sends no delivery id; the rule posts once per change.
  deliveryIdHeaders: [],
  // ServiceNow signs nothing: the rule sends the secret in a header.
  verify: (req, secrets, ctx) => verifyBridgeKey(req, secrets, ctx.settings.AUTH_HEADER),
  parse: (payload, _req, ctx) => parseServiceNow(payload, ctx.baseUrl),
  writeBack,
  commentInstruction,
});
