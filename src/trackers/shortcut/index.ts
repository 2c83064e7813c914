import { defineTracker } from "../contract";
import { verifyHexHmacHeader } from "../kit/verify";
import { commentInstruction, enrich, writeBack } from "./api";
import { parseShortcut, SHORTCUT_API, type ShortcutSettings } from "./events";
import { labelIdsSetting } from "./labels";

export const shortcut = defineTracker<ShortcutSettings>({
  id: "shortcut",
  name: "Shortcut",
  settings: {
    LABEL_IDS: { meaning: "Label names for ids (2805=devin-autofix, …), for deliveries that name a label by id only.", schema: labelIdsSetting() },
  },
  // Shortcut names no delivery in a header (the body's `id` does).
  deliveryIdHeaders: [],
  verify: (req, secrets) => verifyHexHmacHeader(req, secrets, "SHA-256", ["payload-signature"], ""),
  parse: (payload, _req, ctx) => parseShortcut(payload, ctx.settings),
  // Shortcut is one service: its API is configuration, not something a payload could name.
  apiBase: () => SHORTCUT_API,
  enrich,
  writeBack,
  commentInstruction,
});
