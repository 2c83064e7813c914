/**
 * Label arithmetic every tracker needs. Trackers compare label names
 * case-insensitively (so does routing), so "added" does too: renaming
 * `Devin-Autofix` to `devin-autofix` adds nothing.
 */
const norm = (label: string) => label.trim().toLowerCase();

/** Labels in `after` that were not in `before`, in `after`'s order, spelled as in `after`. */
export function addedLabels(before: readonly string[], after: readonly string[]): string[] {
  const had = new Set(before.map(norm));
  return unique(after).filter((l) => !had.has(norm(l)));
}

/** Labels in `before` that are gone from `after`. */
export function removedLabels(before: readonly string[], after: readonly string[]): string[] {
  return addedLabels(after, before);
}

/** Trimmed, empty ones dropped, the first spelling of each kept. */
export function unique(labels: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of labels) {
    const label = raw.trim();
    if (!label || seen.has(norm(label))) continue;
    seen.add(norm(label));
    out.push(label);
  }
  return out;
}

/** `a, b` or `a; b` (Bugzilla keywords, Redmine list values, Azure DevOps tags). */
export function splitList(text: string | null | undefined, separator: RegExp = /[,;]/): string[] {
  return unique((text ?? "").split(separator));
}
