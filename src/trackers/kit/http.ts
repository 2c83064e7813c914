/** A tracker answered with an error: the message carries the status, never the request's headers. */
export class TrackerApiError extends Error {
  readonly status: number;
  constructor(status: number, what: string) {
    super(`${what} answered ${status}`);
    this.name = "TrackerApiError";
    this.status = status;
  }
}

// A redirect within the tracker's origin is sent again as it was; one to another origin is an error, never followed.
const REDIRECT = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 3;

/** JSON request to a tracker; throws {@link TrackerApiError} on a non-2xx answer. */
export async function trackerRequest(
  method: string,
  url: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<unknown> {
  const init = {
    method,
    headers: { accept: "application/json", ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    redirect: "manual" as const,
  };
  let target = new URL(url);
  let res = await fetch(target, { ...init, signal: AbortSignal.timeout(20_000) });
  // Redirects are followed by hand so the token never leaves the operator's origin: another host gets nothing.
  for (let hop = 0; REDIRECT.has(res.status) && hop < MAX_REDIRECTS; hop++) {
    const location = res.headers.get("location");
    const next = location && URL.canParse(location, target) ? new URL(location, target) : undefined;
    if (!next || next.origin !== target.origin) break;
    await res.body?.cancel();
    target = next;
    res = await fetch(target, { ...init, signal: AbortSignal.timeout(20_000) });
  }
  if (REDIRECT.has(res.status)) throw new TrackerApiError(res.status, `${method} ${new URL(url).pathname}, redirecting off the tracker's origin (not followed),`);
  const text = await res.text();
  if (!res.ok) throw new TrackerApiError(res.status, `${method} ${new URL(url).pathname}`);
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return text;
  }
}
