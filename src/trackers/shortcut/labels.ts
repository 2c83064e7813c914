import * as z from "../../zod";
import type { Reference } from "./schema";

/** `SHORTCUT_LABEL_IDS`: `2805=devin-autofix, 2806=devin-docs`, for deliveries that name labels by id only. */
export const labelIdsSetting = () =>
  z.optional(
    z.pipe(
      z.string().check(z.regex(/^\s*\d+\s*=\s*[^,=]*[^,=\s][^,=]*(\s*,\s*\d+\s*=\s*[^,=]*[^,=\s][^,=]*)*\s*$/, { error: "must be id=name pairs, comma-separated" })),
      z.transform((v) => Object.fromEntries(v.split(",").map((pair) => pair.split("=").map((s) => s.trim()) as [string, string]))),
    ),
  );

/**
 * Label names for ids: the delivery's own `references` first, then the
 * operator's map. An id neither names stays unnamed (the workflow reads the
 * story's labels for the prompt, but routing cannot wait for that).
 */
export function labelNamer(references: readonly Reference[], configured: Record<string, string> | undefined) {
  const known = new Map<string, string>();
  for (const [id, name] of Object.entries(configured ?? {})) known.set(id, name);
  for (const r of references) if (r.entity_type === "label" && r.name) known.set(String(r.id), r.name);
  return (ids: readonly (string | number)[]) => ids.flatMap((id) => known.get(String(id)) ?? []);
}
