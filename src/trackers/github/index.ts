import { defineTracker } from "../contract";
import { verifyHexHmacHeader } from "../kit/verify";
import { commentInstruction, writeBack } from "./api";
import { parseGitHub } from "./events";

export const github = defineTracker({
  id: "github",
  name: "GitHub",
  settings: {},
  deliveryIdHeaders: ["x-github-delivery"],
  verify(req, secrets) {
    // GitHub always prefixes the algorithm; a bare value is not something GitHub sent.
    if (!req.headers.get("x-hub-signature-256")?.trim().toLowerCase().startsWith("sha256=")) return Promise.resolve(false);
    return verifyHexHmacHeader(req, secrets, "SHA-256", ["x-hub-signature-256"], "sha256=");
  },
  parse: (payload, req, ctx) => parseGitHub(payload, req, ctx.baseUrl),
  // Without GITHUB_BASE_URL: github.com, a fixed default. An Enterprise host named only by the payload gets no token.
  apiBase: () => "https://github.com",
  writeBack,
  commentInstruction,
  projectIsRepository: true,
});
