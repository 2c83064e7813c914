// `npm run dev`: the Worker's JSON log lines as one readable line per step of a ticket's path.

const SHOWN = ["decision", "status", "detail", "reason", "code", "http_status", "why", "session_id", "playbook", "delivery_id", "error"] as const;

/** `github:acme/web-app#7:devin-autofix · session created · session devin-1 playbook=…`, or null for a line that is not a bridge log line. */
export function readableLogLine(line: string): string | null {
  const start = line.indexOf('{"level":');
  if (start < 0) return null;
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line.slice(start));
  } catch {
    return null;
  }
  const event = String(entry.event ?? "log").replaceAll("_", " ");
  const who = String(entry.ticket_key ?? entry.source ?? "bridge");
  const run = typeof entry.run === "number" && entry.run > 1 ? ` (run ${entry.run})` : "";
  const details = SHOWN.filter((k) => entry[k] !== undefined && entry[k] !== null && entry[k] !== "").map((k) =>
    k === "decision" || k === "reason" || k === "why" || k === "error" ? String(entry[k]) : `${k}=${String(entry[k])}`,
  );
  // A dry run logs the whole would-be request: say how big it is rather than print the prompt.
  const request = entry.devin_request as { prompt?: string; playbook_id?: string } | undefined;
  if (request) details.push(`would start a session (prompt ${request.prompt?.length ?? 0} chars, playbook ${request.playbook_id ?? "none"})`);
  const level = entry.level === "error" ? "✗ " : entry.level === "warn" ? "! " : "";
  return `${level}${who}${run} · ${event}${details.length ? ` · ${details.join(" · ")}` : ""}`;
}
