import { defineTracker } from "../contract";
import { headerName } from "../kit/schema";
import { verifyTokenHeader } from "../kit/verify";
import { commentInstruction, enrich, writeBack } from "./api";
import { parseYouTrack } from "./events";

/** The Webhook Triggers app's default for its "header name" setting. */
const APP_TOKEN_HEADER = "X-YouTrack-Token";

export const youtrack = defineTracker<{ TOKEN_HEADER?: string }>({
  id: "youtrack",
  name: "YouTrack",
  settings: {
    TOKEN_HEADER: {
      meaning: `The header the Webhook Triggers app puts its token in, if you renamed it (default ${APP_TOKEN_HEADER})`,
      schema: headerName(),
    },
  },
  // Neither sender names a delivery.
  deliveryIdHeaders: [],
  // Neither the app nor a workflow rule can sign: the app sends the project's token in its header,
  // a workflow rule a static bearer token.
  async verify(req, secrets, ctx) {
    const [app, rule] = await Promise.all([
      verifyTokenHeader(req, secrets, ctx.settings.TOKEN_HEADER ?? APP_TOKEN_HEADER),
      verifyTokenHeader(req, secrets, "authorization", "Bearer"),
    ]);
    return app || rule;
  },
  parse: (payload, _req, ctx) => parseYouTrack(payload, ctx.baseUrl),
  enrich,
  writeBack,
  commentInstruction,
});
