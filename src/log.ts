type Level = "info" | "warn" | "error";

/**
 * One JSON object per line, so Workers Logs can index the fields. Callers pass
 * decisions and identifiers only; nothing here knows which values are secret.
 */
export function log(level: Level, event: string, fields: Record<string, unknown> = {}): void {
  const line = JSON.stringify({ level, event, ...fields });
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
}

/** Replace every occurrence of the given secrets, for text that came from outside. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join("[redacted]");
  return out;
}
