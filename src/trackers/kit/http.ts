/** A tracker answered with an error: the message carries the status, never the request's headers. */
export class TrackerApiError extends Error {
  readonly status: number;
  constructor(status: number, what: string) {
    super(`${what} answered ${status}`);
    this.name = "TrackerApiError";
    this.status = status;
  }
}

/** JSON request to a tracker; throws {@link TrackerApiError} on a non-2xx answer. */
export async function trackerRequest(
  method: string,
  url: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<unknown> {
  const res = await fetch(url, {
    method,
    headers: { accept: "application/json", ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(20_000),
  });
  const text = await res.text();
  if (!res.ok) throw new TrackerApiError(res.status, `${method} ${new URL(url).pathname}`);
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return text;
  }
}
