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

/** One item of `GET …/sessions/{id}/messages`: `source` is `devin` for Devin's own words. */
export interface DevinMessage {
  event_id: string;
  created_at?: number;
  message: string;
  source?: string;
}

interface Page<T> {
  items?: T[];
  end_cursor?: string | null;
  has_next_page?: boolean;
}

/** Which permission each kind of call needs: a 403 names it, so the operator knows what to grant. */
const PERMISSION = { GET: "ViewOrgSessions", POST: "ManageOrgSessions", DELETE: "ManageOrgSessions" } as const;
// Bounds the walk through pages: a runaway cursor must not hold a workflow step forever.
const MAX_PAGES = 20;

export interface CreateSessionRequest {
  prompt: string;
  title?: string;
  playbook_id?: string;
  tags?: string[];
  session_secrets?: { key: string; value: string; sensitive: boolean }[];
  max_acu_limit?: number;
  repos?: string[];
  knowledge_ids?: string[];
  secret_ids?: string[];
}

export interface DevinClientOptions {
  apiBase: string;
  orgId: string;
  apiKey: string;
  timeoutMs?: number;
}

const NOT_RETRYABLE = new Set([400, 401, 403, 404, 409, 410, 413, 422]);

export class DevinApiError extends Error {
  /** HTTP status, or 0 when no answer arrived. */
  readonly status: number;
  readonly reason: string;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
  constructor(status: number, reason: string, retryable: boolean, retryAfterMs?: number) {
    super(status ? `Devin API answered ${status}: ${reason}` : `Devin API unreachable: ${reason}`);
    this.name = "DevinApiError";
    this.status = status;
    this.reason = reason;
    this.retryable = retryable;
    this.retryAfterMs = retryAfterMs;
  }
}

export class DevinClient {
  private readonly base: string;
  private readonly options: DevinClientOptions;
  constructor(options: DevinClientOptions) {
    this.options = options;
    this.base = `${options.apiBase}/v3/organizations/${encodeURIComponent(options.orgId)}`;
  }

  /**
   * Sessions carrying `tag`, oldest first, from every page. Filters locally
   * too: how the API combines tags is undocumented.
   */
  async findSessionsByTag(tag: string): Promise<DevinSession[]> {
    const all = await this.pages<DevinSession>("/sessions", { tags: tag, first: "100" });
    return all.filter((s) => Array.isArray(s.tags) && s.tags.includes(tag)).sort((a, b) => (a.created_at ?? 0) - (b.created_at ?? 0));
  }

  /** The session's messages after `after` (a cursor from an earlier call), oldest first, and the cursor to go on from. */
  async listMessages(sessionId: string, after?: string): Promise<{ items: DevinMessage[]; cursor?: string }> {
    const query: Record<string, string> = { first: "100", ...(after ? { after } : {}) };
    let cursor = after;
    const items = await this.pages<DevinMessage>(`/sessions/${encodeURIComponent(sessionId)}/messages`, query, (c) => (cursor = c));
    return { items, cursor };
  }

  /** Terminates the session (it cannot be resumed); a session already ended answers the same. */
  async terminate(sessionId: string): Promise<void> {
    await this.call("DELETE", `/sessions/${encodeURIComponent(sessionId)}`);
  }

  private async pages<T>(path: string, query: Record<string, string>, onCursor?: (cursor: string) => void): Promise<T[]> {
    const out: T[] = [];
    let after = query.after;
    for (let n = 0; n < MAX_PAGES; n++) {
      const params = new URLSearchParams({ ...query, ...(after ? { after } : {}) });
      const page = (await this.call("GET", `${path}?${params}`)) as Page<T>;
      out.push(...(page.items ?? []));
      if (page.end_cursor) onCursor?.(page.end_cursor);
      if (!page.has_next_page || !page.end_cursor || page.end_cursor === after) break;
      after = page.end_cursor;
    }
    return out;
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
      let reason = reasonFrom(res, text);
      if (res.status === 403) {
        const permission = PERMISSION[method as keyof typeof PERMISSION] ?? "ManageOrgSessions";
        reason = `${reason} (the Devin API key lacks the ${permission} permission: grant it to the service user)`.slice(0, 600);
      }
      throw new DevinApiError(res.status, reason, retryable, retryAfterMs(res.headers.get("retry-after")));
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
