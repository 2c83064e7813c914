import { Event, ExceptionEntry, MessageEntry, type Exception, type Frame } from "./schema";

/** Frames worth Devin's reading: the last ones of the innermost exception, where it was raised. */
const MAX_FRAMES = 12;
/** Chained exceptions beyond this are noise for a prompt. */
const MAX_EXCEPTIONS = 3;

/**
 * An issue's event as the description Devin reads: title, culprit, release and
 * environment, the exception chain and the in-app stack frames, most recent
 * last (Sentry's own order). Pure: the same text from the API's event and from
 * a webhook's; `undefined` when the body is not an event.
 */
export function describeEvent(body: unknown): string | undefined {
  const parsed = Event.safeParse(body);
  if (!parsed.success) return undefined;
  const event = parsed.data;
  const exceptions = exceptionsOf(event);
  const message = messageOf(event);
  if (!exceptions.length && !message && !event.title) return undefined;

  const release = typeof event.release === "string" ? event.release : event.release?.version;
  const head = [
    event.title ? `Error: ${event.title}` : null,
    event.culprit ? `Culprit: ${event.culprit}` : null,
    release ? `Release: ${release}` : null,
    (event.environment ?? tag(event, "environment")) ? `Environment: ${event.environment ?? tag(event, "environment")}` : null,
  ].filter(Boolean);
  // Every part but the head starts with a word of its own, so only the head can be blank. A
  // message or exception value may be long: it is copied once, by the join, not trimmed or tested.
  const parts = head.length ? [head.join("\n")] : [];
  if (message) parts.push(`Message:\n${message}`);
  // Sentry lists a chain cause first, the exception that reached the handler last.
  for (const exception of exceptions.slice(-MAX_EXCEPTIONS)) parts.push(exceptionText(exception));
  return parts.join("\n\n");
}

function exceptionsOf(event: Event): Exception[] {
  if (event.exception?.values?.length) return event.exception.values;
  const entry = event.entries?.find((e) => e.type === "exception");
  const parsed = entry ? ExceptionEntry.safeParse(entry.data) : undefined;
  return parsed?.success ? (parsed.data.values ?? []) : [];
}

function messageOf(event: Event): string | undefined {
  const entry = event.entries?.find((e) => e.type === "message");
  const parsed = entry ? MessageEntry.safeParse(entry.data) : undefined;
  return (parsed?.success ? parsed.data.formatted || parsed.data.message : undefined) || event.message || undefined;
}

function tag(event: Event, key: string): string | undefined {
  for (const t of event.tags ?? []) {
    const [k, v] = Array.isArray(t) ? t : [t.key, t.value];
    if (k === key && v) return v;
  }
  return undefined;
}

function exceptionText(exception: Exception): string {
  const { type, value } = exception;
  const name = type && value ? `${type}: ${value}` : type || value || "Exception";
  const frames = exception.stacktrace?.frames ?? [];
  // Library frames only when the stack has no frame of the app's own.
  const own = frames.filter((f) => f.inApp ?? f.in_app);
  const shown = (own.length ? own : frames).slice(-MAX_FRAMES);
  if (!shown.length) return `Exception: ${name}`;
  return `Exception: ${name}\nStack trace (most recent call last):\n${shown.map(frameText).join("\n")}`;
}

function frameText(frame: Frame): string {
  const line = frame.lineNo ?? frame.lineno;
  const where = `${frame.filename ?? frame.absPath ?? frame.abs_path ?? frame.module ?? "?"}${line != null ? `:${line}` : ""}`;
  const code = frame.context_line ?? frame.context?.find(([n]) => n === line)?.[1] ?? undefined;
  return `  ${where} in ${frame.function ?? "?"}${code?.trim() ? `\n      ${code.trim()}` : ""}`;
}
