import { defineTracker } from "../contract";
import { headerName, text } from "../kit/schema";
import { BRIDGE_KEY_HEADER, verifyBridgeKey } from "../kit/verify";
import { commentInstruction, enrich, writeBack } from "./api";
import { parseBugzilla } from "./events";

/** What the fixture README suggests typing into the hook's api_key_header. */

/** Bugzilla with BMO's Webhooks extension (bugzilla.mozilla.org and its forks). */
export const bugzilla = defineTracker({
  id: "bugzilla",
  name: "Bugzilla",
  settings: {
    AUTH_HEADER: { meaning: `The header the hook's api_key_header names (default ${BRIDGE_KEY_HEADER}).`, schema: headerName() },
    API_KEY: { meaning: "Key for reading a bug's description (comment 0); else BUGZILLA_API_TOKEN.", schema: text() },
  },
  // BMO names no delivery.
  deliveryIdHeaders: [],
  // BMO signs nothing: the hook owner picks a header and a static value.
  verify: (req, secrets, ctx) => verifyBridgeKey(req, secrets, ctx.settings.AUTH_HEADER),
  parse: (payload, _req, ctx) => parseBugzilla(payload, ctx.baseUrl),
  enrich,
  writeBack,
  commentInstruction,
});
