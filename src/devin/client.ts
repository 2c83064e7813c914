/**
 * Devin API v3, the calls the bridge needs. Knows nothing of tickets: callers
 * pass prompts, tags and secrets. Failures are {@link DevinApiError}s that say
 * whether a retry can help.
 */
export interface DevinSession {
  session_id: string;
  url: string;
  status: string;
  tags: string[];
  status_detail?: string;
  created_at?: number;
  pull_requests?: { pr_url: string; pr_state?: string }[];
}

export interface CreateSessionRequest {
  prompt: string;
  title?: string;
  playbook_id?: string;
  tags?: string[];
  session_secrets?: { key: string; value: string; sensitive: boolean }[];
  max_acu_limit?: number;
}

export interface DevinClientOptions {
  apiBase: string;
  orgId: string;
  apiKey: string;
  timeoutMs?: number;
}

const NOT_RETRYABLE = new Set([400, 401, 403, 404, 409, 410, 413, 422]);

export class DevinApiError extends Error {
  constructor(
    /** HTTP status, or 0 when no answer arrived. */
    readonly status: number,
    readonly reason: string,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(status ? `Devin API answered ${status}: ${reason}` : `Devin API unreachable: ${reason}`);
    this.name = "DevinApiError";
  }
}

export class DevinClient {
  private readonly base: string;
  constructor(private readonly options: DevinClientOptions) {
    this.base = `${options.apiBase}/v3/organizations/${encodeURIComponent(options.orgId)}`;
  }

  /** Sessions carrying `tag`, oldest first. Filters locally too: how the API combines tags is undocumented. */
  async findSessionsByTag(tag: string): Promise<DevinSession[]> {
    const query = new URLSearchParams({ tags: tag, first: "50" });
    const page = (await this.call("GET", `/sessions?${query}`)) as { items?: DevinSession[] };
    return (page.items ?? [])
      .filter((s) => Array.isArray(s.tags) && s.tags.includes(tag))
      .sort((a, b) => (a.created_at ?? 0) - (b.created_at ?? 0));
  }

  async createSession(body: CreateSessionRequest): Promise<DevinSession> {
    return (await this.call("POST", "/sessions", body)) as DevinSession;
  }

  async getSession(sessionId: string): Promise<DevinSession> {
    return (await this.call("GET", `/sessions/${encodeURIComponent(sessionId)}`)) as DevinSession;
  }

  /** Wakes a suspended session too. */
  async sendMessage(sessionId: string, message: string): Promise<void> {
    await this.call("POST", `/sessions/${encodeURIComponent(sessionId)}/messages`, { message });
  }

  private async call(method: string, path: string, body?: unknown): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.options.apiKey}`,
          accept: "application/json",
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
      });
    } catch (err) {
      const reason = err instanceof Error && err.name === "TimeoutError" ? "request timed out" : "network error";
      throw new DevinApiError(0, reason, true);
    }
    const text = await res.text();
    if (!res.ok) {
      const retryable = !NOT_RETRYABLE.has(res.status) && (res.status === 408 || res.status === 429 || res.status >= 500);
      throw new DevinApiError(res.status, reasonFrom(res, text), retryable, retryAfterMs(res.headers.get("retry-after")));
    }
    try {
      return JSON.parse(text);
    } catch {
      throw new DevinApiError(res.status, "answer is not JSON", true);
    }
  }
}

/**
 * Devin's own words, from a ProblemDetail (`detail`/`title`) or a 422
 * (`detail[].msg`). Never the `input` of a 422: it can echo the session secrets.
 */
function reasonFrom(res: Response, text: string): string {
  let reason = res.statusText || `HTTP ${res.status}`;
  try {
    const body = JSON.parse(text) as { detail?: unknown; title?: unknown; message?: unknown };
    if (typeof body.detail === "string") reason = body.detail;
    else if (Array.isArray(body.detail)) {
      reason = body.detail
        .map((d: { loc?: unknown[]; msg?: unknown }) => `${(d.loc ?? []).join(".")}: ${String(d.msg ?? "")}`)
        .join("; ");
    } else if (typeof body.title === "string") reason = body.title;
    else if (typeof body.message === "string") reason = body.message;
  } catch {
    // Not JSON: keep the status text rather than echo an arbitrary body.
  }
  return reason.slice(0, 500);
}

/** `Retry-After` as seconds or an HTTP date. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
