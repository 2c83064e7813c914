import { defineTracker } from "../contract";
import { splitList } from "../kit/labels";
import { headerName, text } from "../kit/schema";
import { BRIDGE_KEY_HEADER, verifyBasicPassword, verifyBridgeKey } from "../kit/verify";
import * as z from "../../zod";
import { commentInstruction, writeBack, type AzureDevOpsSettings } from "./api";
import { DEFAULT_CLOSED_STATES, parseAzureDevOps } from "./events";

/** The header to add on the subscription ("HTTP headers": `X-Devin-Bridge-Key:<secret>`). */

const stateList = () => z.optional(z.pipe(z.string(), z.transform((v) => splitList(v, /,/))));

/** Azure DevOps Services and Server: Web Hooks service hook subscriptions on work item events. */
export const azureDevOps = defineTracker<AzureDevOpsSettings>({
  id: "azure-devops",
  name: "Azure DevOps",
  settings: {
    AUTH_HEADER: { meaning: `The header the subscription sends the secret in (default ${BRIDGE_KEY_HEADER}); Basic auth with the secret as password also works.`, schema: headerName() },
    API_VERSION: { meaning: "api-version of the work item comments API (default 7.0-preview.3; 6.0-preview.3 for Server 2020).", schema: text() },
    CLOSED_STATES: { meaning: `Comma-separated states that end a run (default ${DEFAULT_CLOSED_STATES.join(", ")}).`, schema: stateList() },
  },
  // The notification id is in the body, not a header; the core's duplicate check covers redeliveries.
  deliveryIdHeaders: [],
  // Service hooks sign nothing: the subscription carries the secret in a header of its own or as the Basic auth password.
  verify: async (req, secrets, ctx) =>
    (await verifyBridgeKey(req, secrets, ctx.settings.AUTH_HEADER)) || (await verifyBasicPassword(req, secrets)),
  parse: (payload, _req, ctx) => parseAzureDevOps(payload, { baseUrl: ctx.baseUrl, closedStates: ctx.settings.CLOSED_STATES?.length ? ctx.settings.CLOSED_STATES : DEFAULT_CLOSED_STATES }),
  writeBack,
  commentInstruction,
});
