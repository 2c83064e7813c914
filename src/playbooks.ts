export interface Route {
  label: string;
  playbookId: string;
}

/**
 * The first candidate label (case-insensitive, in the ticket's order) that
 * names a playbook. `null` means the ticket is not for Devin.
 */
export function pickPlaybook(candidates: readonly string[], playbooks: ReadonlyMap<string, string>): Route | null {
  for (const raw of candidates) {
    const label = raw.trim().toLowerCase();
    const playbookId = playbooks.get(label);
    if (playbookId) return { label, playbookId };
  }
  return null;
}
