import { defineTracker } from "../contract";
import { verifyHexHmacHeader } from "../kit/verify";
import { commentInstruction, writeBack } from "./api";
import { parseGiteaLike, type Flavour } from "./events";

function giteaLike(f: Flavour) {
  // The native headers hold bare hex, X-Hub-Signature-256 holds `sha256=<hex>`: the helper takes both.
  const signatures = [...f.prefixes.map((p) => `x-${p}-signature`), "x-hub-signature-256"];
  return defineTracker({
    id: f.id,
    name: f.name,
    settings: {},
    deliveryIdHeaders: f.prefixes.map((p) => `x-${p}-delivery`),
    verify: (req, secrets) => verifyHexHmacHeader(req, secrets, "SHA-256", signatures, "sha256="),
    parse: (payload, req, ctx) => parseGiteaLike(f, payload, req, ctx.baseUrl),
    writeBack,
    commentInstruction,
    projectIsRepository: true,
  });
}

export const gitea = giteaLike({ id: "gitea", name: "Gitea", prefixes: ["gitea", "forgejo"] });
export const forgejo = giteaLike({ id: "forgejo", name: "Forgejo", prefixes: ["forgejo", "gitea"] });
