/**
 * The one import of zod: its tree-shakable functional API (`zod/mini`), with
 * zod's English messages (zod/mini has none of its own; they name what was
 * expected, e.g. in the generic source's 400). Only this locale is bundled.
 * Import it as a namespace (`import * as z from "./zod"`) so unused parts of zod are dropped.
 */
import { config } from "zod/mini";
import en from "zod/v4/locales/en.js";

config(en());

export * from "zod/mini";
