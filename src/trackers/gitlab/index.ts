import { defineTracker } from "../contract";
import { verifyStandardWebhook } from "../kit/standard-webhooks";
import { verifyTokenHeader } from "../kit/verify";
import { commentInstruction, enrich, writeBack } from "./api";
import { parseGitLab } from "./events";

export const gitlab = defineTracker({
  id: "gitlab",
  name: "GitLab",
  settings: {},
  // Idempotency-Key (17.4+) and webhook-id (signing tokens) stay the same across GitLab's retries.
  deliveryIdHeaders: ["idempotency-key", "x-gitlab-event-uuid", "webhook-id"],
  async verify(req, secrets) {
    // Either proves the sender: the secret token in clear, or a 19.0+ signing token (Standard Webhooks).
    // A `whsec_` signing key works only in its own scheme: sent in clear it would skip the timestamp that stops replays.
    const plain = secrets.filter((s) => !s.startsWith("whsec_"));
    const [token, signed] = await Promise.all([verifyTokenHeader(req, plain, "x-gitlab-token"), verifyStandardWebhook(req, secrets)]);
    return token || signed;
  },
  parse: (payload, req, ctx) => parseGitLab(payload, req, ctx.baseUrl),
  enrich,
  writeBack,
  commentInstruction,
  projectIsRepository: true,
});
