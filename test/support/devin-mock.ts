/**
 * A stand-in for Devin's v3 API, used at the network boundary: by the vitest
 * plugin's `outboundService` (unit and integration tests) and behind a loopback
 * HTTP server (end-to-end test, local dev). It records what it received and can
 * be told to fail, through `/__mock/*` control routes.
 *
 * What it reports follows Devin's v3 API (docs.devin.ai/api-reference, sessions): statuses and their
 * `status_detail`, messages from Devin and from the user, cursor paging, and
 * the two permissions. Where the notes are silent, the choice is marked
 * "Assumption" below.
 *
 * Control routes:
 * - `GET  /__mock/requests?tag=`, `GET /__mock/sessions?tag=`, `GET /__mock/messages?session_id=`
 * - `POST /__mock/faults` {@link Fault}
 * - `POST /__mock/script` `{tag | tagPrefix, steps}`: the states every later session with that tag goes through
 * - `POST /__mock/advance` `{session_id? | tag?, steps?}`: more states for sessions that exist already
 * - `POST /__mock/keys` `{key, permissions}`, `POST /__mock/config` `{createDelayMs}`, `POST /__mock/reset`
 */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string[]>;
  authorization: string | null;
  contentType: string | null;
  body: unknown;
  /** Tags the request is about: the create body's tags, the list filter, or the tags of the session it names. */
  tags: string[];
  at: number;
}

export interface Fault {
  method?: string;
  /** Matched against the end of the path, e.g. `/sessions`. */
  pathSuffix?: string;
  /** Only requests about this tag. */
  tag?: string;
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** How many matching requests fail; then it is used up. */
  times?: number;
  /** Drop the connection instead of answering: `before` handling the request, or `after` (the answer is lost). */
  network?: "before" | "after";
}

export type Permission = "ViewOrgSessions" | "ManageOrgSessions";

/** One item of `GET …/sessions/{id}/messages`. */
export interface MockMessage {
  event_id: string;
  created_at: number;
  message: string;
  source: "devin" | "user";
}

/** One state a session shows to a GET; each GET moves it one state on, the last one stays. */
export interface SessionState {
  /** `new`, `claimed`, `running`, `exit`, `error`, `suspended` or `resuming`. */
  status: string;
  /** While running: `working`, `waiting_for_user`, `waiting_for_approval`, `finished`; while suspended, the reason. */
  status_detail?: string;
  pull_requests?: { pr_url: string; pr_state: string }[];
  /** Posted to the session's messages when this state is reached (source `devin` unless said). */
  messages?: { source?: "devin" | "user"; message: string }[];
  /** Stay in this state, however often it is read, until a user message arrives: how Devin waits for an answer. */
  until?: "message";
}

export interface MockSession {
  session_id: string;
  url: string;
  status: string;
  tags: string[];
  title: string | null;
  playbook_id: string | null;
  org_id: string;
  created_at: number;
  updated_at: number;
  acus_consumed: number;
  pull_requests: { pr_url: string; pr_state: string }[];
  is_archived: boolean;
  status_detail?: string;
  prompt: string;
  script: SessionState[];
  /** Index in `script` of the state shown; -1 while the session is still `new`. */
  step: number;
  /** Text of the messages the client posted, in order. */
  messages: string[];
  /** Every message, Devin's and the user's, oldest first. */
  transcript: MockMessage[];
}

/** Run-time flags the GETs act on; kept off the documented shape. */
interface LiveSession extends MockSession {
  /** A user message arrived while held by `until: "message"`. */
  released: boolean;
  /** A user message arrived while suspended: the next GET shows `resuming`. */
  waking: boolean;
  /** DELETEd: no script moves it any more. */
  terminated: boolean;
}

/** Like a real session: it starts working, opens a pull request, waits for review, then finishes. */
function defaultScript(n: number): SessionState[] {
  const pr = [{ pr_url: `https://git.example.test/acme/app/pull/${n}`, pr_state: "open" }];
  return [
    { status: "running", status_detail: "working" },
    { status: "running", status_detail: "working", pull_requests: pr },
    { status: "running", status_detail: "waiting_for_user", pull_requests: pr },
    { status: "running", status_detail: "finished", pull_requests: pr },
  ];
}

export interface DevinMockOptions {
  /** A key with both permissions. Without `apiKey` and `keys`, any key (or none) is accepted. */
  apiKey?: string;
  /** Keys and what each may do; any other key gets 401. */
  keys?: Record<string, Permission[]>;
  /** Delay before answering a create, like the real API (about a second). */
  createDelayMs?: number;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });

const problem = (status: number, title: string, detail: string) =>
  json(status, { type: "about:blank", title, status, detail });

const invalid = (loc: string[], msg: string, type: string) => json(422, { detail: [{ loc, msg, type }] });

const now = () => Math.floor(Date.now() / 1000);

const ENDED = new Set(["exit", "error"]);

function route(pathname: string) {
  const m = pathname.match(/^\/v3\/organizations\/([^/]+)\/sessions(?:\/([^/]+))?(\/messages)?$/);
  return m ? { orgId: decodeURIComponent(m[1]!), sessionId: m[2] && decodeURIComponent(m[2]), messages: !!m[3] } : null;
}

export function createDevinMock(options: DevinMockOptions = {}) {
  const requests: RecordedRequest[] = [];
  const sessions: LiveSession[] = [];
  let faults: (Fault & { used: number })[] = [];
  let scripts: { tag?: string; tagPrefix?: string; steps: SessionState[] }[] = [];
  let counter = 0;
  let events = 0;
  let createDelayMs = options.createDelayMs ?? 0;
  let keys = initialKeys();

  function initialKeys(): Map<string, Set<Permission>> {
    const map = new Map(Object.entries(options.keys ?? {}).map(([k, p]) => [k, new Set(p)]));
    if (options.apiKey) map.set(options.apiKey, new Set(["ViewOrgSessions", "ManageOrgSessions"]));
    return map;
  }

  function takeFault(method: string, path: string, tags: string[]): (Fault & { used: number }) | undefined {
    const fault = faults.find(
      (f) =>
        (!f.method || f.method === method) &&
        (!f.pathSuffix || path.endsWith(f.pathSuffix)) &&
        (!f.tag || tags.includes(f.tag)) &&
        (f.times === undefined || f.used < f.times),
    );
    if (fault) fault.used++;
    return fault;
  }

  function scriptFor(tags: string[], n: number): SessionState[] {
    // The latest registration wins, so a test can override what an earlier one set.
    const match = scripts.findLast((s) =>
      tags.some((t) => (s.tag !== undefined && t === s.tag) || (s.tagPrefix !== undefined && t.startsWith(s.tagPrefix))),
    );
    return [...(match?.steps ?? defaultScript(n))];
  }

  function post(s: LiveSession, source: "devin" | "user", message: string) {
    s.transcript.push({ event_id: `event-${(++events).toString().padStart(8, "0")}`, created_at: now(), message, source });
  }

  function show(s: LiveSession, state: SessionState) {
    s.status = state.status;
    s.status_detail = state.status_detail;
    s.pull_requests = state.pull_requests ?? s.pull_requests;
    s.updated_at = now();
  }

  /** What one GET does to a session. */
  function advance(s: LiveSession) {
    if (s.terminated) return;
    if (s.waking) {
      s.waking = false;
      show(s, { status: "resuming" });
      return;
    }
    if (s.script[s.step]?.until === "message" && !s.released) return;
    if (s.step + 1 >= s.script.length) {
      if (s.status !== "resuming") return;
      // Woken at the end of its script: it goes back to work, and steps added later follow from there.
      s.script.push({ status: "running", status_detail: "working" });
    }
    const next = s.script[++s.step]!;
    s.released = false;
    show(s, next);
    for (const m of next.messages ?? []) post(s, m.source ?? "devin", m.message);
  }

  async function control(req: Request, url: URL): Promise<Response> {
    const route = url.pathname.slice("/__mock/".length);
    if (route === "requests" && req.method === "GET") {
      const tag = url.searchParams.get("tag");
      return json(200, tag ? requests.filter((r) => r.tags.includes(tag)) : requests);
    }
    if (route === "sessions" && req.method === "GET") {
      const tag = url.searchParams.get("tag");
      return json(200, tag ? sessions.filter((s) => s.tags.includes(tag)) : sessions);
    }
    if (route === "messages" && req.method === "GET") {
      const session = sessions.find((s) => s.session_id === url.searchParams.get("session_id"));
      return session ? json(200, session.transcript) : json(404, { error: "no such session" });
    }
    if (route === "faults" && req.method === "POST") {
      const fault = (await req.json()) as Fault;
      faults.push({ ...fault, used: 0 });
      return json(200, { ok: true });
    }
    if (route === "script" && req.method === "POST") {
      scripts.push((await req.json()) as { tag?: string; tagPrefix?: string; steps: SessionState[] });
      return json(200, { ok: true });
    }
    if (route === "advance" && req.method === "POST") {
      const body = (await req.json()) as { session_id?: string; tag?: string; steps?: SessionState[] };
      const matched = sessions.filter(
        (s) => (body.session_id === undefined || s.session_id === body.session_id) && (body.tag === undefined || s.tags.includes(body.tag)),
      );
      if (matched.length === 0 || (body.session_id === undefined && body.tag === undefined)) {
        return json(404, { error: "no session matches session_id/tag" });
      }
      for (const s of matched) s.script.push(...(body.steps ?? []));
      return json(200, { ok: true, session_ids: matched.map((s) => s.session_id) });
    }
    if (route === "keys" && req.method === "POST") {
      const body = (await req.json()) as { key: string; permissions: Permission[] };
      keys.set(body.key, new Set(body.permissions));
      return json(200, { ok: true });
    }
    if (route === "config" && req.method === "POST") {
      const body = (await req.json()) as { createDelayMs?: number };
      if (typeof body.createDelayMs === "number") createDelayMs = body.createDelayMs;
      return json(200, { ok: true });
    }
    if (route === "reset" && req.method === "POST") {
      requests.length = 0;
      sessions.length = 0;
      faults = [];
      scripts = [];
      keys = initialKeys();
      return json(200, { ok: true });
    }
    return json(404, { error: "unknown mock control route" });
  }

  async function handle(req: Request): Promise<Response> {
    const url = new URL(req.url);
    if (url.pathname.startsWith("/__mock/")) return control(req, url);

    const text = req.method === "GET" || req.method === "HEAD" ? "" : await req.text();
    let body: unknown = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = text;
    }
    const query: Record<string, string[]> = {};
    for (const [k, v] of url.searchParams) (query[k] ??= []).push(v);
    const sessionId = route(url.pathname)?.sessionId;
    const bodyTags = (body as { tags?: unknown })?.tags;
    const tags = sessionId
      ? [...(sessions.find((s) => s.session_id === sessionId)?.tags ?? [])]
      : Array.isArray(bodyTags)
        ? bodyTags.map(String)
        : (query.tags ?? []);
    requests.push({
      method: req.method,
      path: url.pathname,
      query,
      authorization: req.headers.get("authorization"),
      contentType: req.headers.get("content-type"),
      body,
      tags,
      at: Date.now(),
    });

    const fault = takeFault(req.method, url.pathname, tags);
    if (fault?.network === "before") throw new Error("mock: connection dropped");
    if (fault?.network === "after") {
      await serve(req, url, body);
      throw new Error("mock: answer lost");
    }
    if (fault) return json(fault.status, fault.body ?? { detail: `mock fault ${fault.status}` }, fault.headers);
    return serve(req, url, body);
  }

  async function serve(req: Request, url: URL, body: unknown): Promise<Response> {
    let granted: Set<Permission> | undefined;
    if (keys.size > 0) {
      const token = req.headers.get("authorization")?.match(/^Bearer (.+)$/)?.[1];
      granted = token === undefined ? undefined : keys.get(token);
      if (!granted) return problem(401, "Unauthorized", "Invalid or expired API key");
    }

    const r = route(url.pathname);
    if (!r) return problem(404, "Not Found", `no route ${req.method} ${url.pathname}`);
    const needed: Permission = req.method === "GET" ? "ViewOrgSessions" : "ManageOrgSessions";
    if (granted && !granted.has(needed)) return problem(403, "Forbidden", `Missing permission: ${needed}`);

    if (!r.sessionId && req.method === "POST") return create(r.orgId, body);
    if (!r.sessionId && req.method === "GET") {
      const tags = url.searchParams.getAll("tags");
      const ids = url.searchParams.getAll("session_ids");
      // Assumption: a session must carry every tag asked for (the notes leave any-of/all-of open).
      const found = sessions.filter(
        (s) => s.org_id === r.orgId && tags.every((t) => s.tags.includes(t)) && (ids.length === 0 || ids.includes(s.session_id)),
      );
      return paged(found, (s) => s.session_id, url, (s) => view(s, true));
    }

    const session = sessions.find((s) => s.session_id === r.sessionId && s.org_id === r.orgId);
    if (!session) return problem(404, "Not Found", "Session not found");

    if (r.messages && req.method === "GET") return paged(session.transcript, (m) => m.event_id, url, (m) => m);
    if (r.messages && req.method === "POST") {
      const message = (body as { message?: unknown })?.message;
      if (typeof message !== "string" || message === "") return invalid(["body", "message"], "Field required", "missing");
      // Assumption: the notes do not say what a message to an ended session gets; a 400 ProblemDetail.
      if (ENDED.has(session.status)) return problem(400, "Bad Request", "Session has ended");
      session.messages.push(message);
      post(session, "user", message);
      if (session.script[session.step]?.until === "message") session.released = true;
      if (session.status === "suspended") session.waking = true;
      session.updated_at = now();
      return json(200, view(session, false));
    }
    if (!r.messages && req.method === "GET") {
      advance(session);
      return json(200, view(session, true));
    }
    if (!r.messages && req.method === "DELETE") {
      // Terminated for good; an ended session stays as it was, so a repeated DELETE is harmless.
      if (!ENDED.has(session.status)) show(session, { status: "exit" });
      session.terminated = true;
      if (url.searchParams.get("archive") === "true") session.is_archived = true;
      return json(200, view(session, false));
    }
    return problem(405, "Method Not Allowed", req.method);
  }

  async function create(orgId: string, body: unknown): Promise<Response> {
    const input = body as { prompt?: unknown; title?: string; playbook_id?: string; tags?: string[] } | null;
    if (!input || typeof input.prompt !== "string" || !input.prompt) return invalid(["body", "prompt"], "Field required", "missing");
    if (createDelayMs > 0) await new Promise((r) => setTimeout(r, createDelayMs));
    const id = `devin-${(++counter).toString(16).padStart(8, "0")}${Math.random().toString(16).slice(2, 10)}`;
    const tags = Array.isArray(input.tags) ? input.tags.map(String) : [];
    const at = now();
    const session: LiveSession = {
      session_id: id,
      url: `https://app.devin.ai/sessions/${id}`,
      status: "new",
      tags,
      // Devin names an untitled session itself.
      title: input.title ?? input.prompt.split("\n")[0]!.slice(0, 80),
      playbook_id: input.playbook_id ?? null,
      org_id: orgId,
      created_at: at,
      updated_at: at,
      acus_consumed: 0,
      pull_requests: [],
      is_archived: false,
      prompt: input.prompt,
      script: scriptFor(tags, counter),
      step: -1,
      messages: [],
      transcript: [],
      released: false,
      waking: false,
      terminated: false,
    };
    sessions.push(session);
    return json(200, view(session, false));
  }

  return { handle, requests, sessions: sessions as MockSession[] };
}

/**
 * Cursor paging as v3 does it: `first` (1–200, default 100) and an opaque `after`.
 * Assumption: items come oldest first, sessions as well as messages (the notes give no order for sessions).
 */
function paged<T>(all: T[], idOf: (item: T) => string, url: URL, show: (item: T) => unknown): Response {
  const firstParam = url.searchParams.get("first");
  const first = firstParam === null ? 100 : Number(firstParam);
  if (!Number.isInteger(first)) return invalid(["query", "first"], "Input should be a valid integer", "int_parsing");
  if (first < 1) return invalid(["query", "first"], "Input should be greater than or equal to 1", "greater_than_equal");
  if (first > 200) return invalid(["query", "first"], "Input should be less than or equal to 200", "less_than_equal");
  let start = 0;
  const after = url.searchParams.get("after");
  if (after) {
    const at = all.findIndex((item) => idOf(item) === decodeCursor(after));
    if (at < 0) return invalid(["query", "after"], "Invalid cursor", "value_error");
    start = at + 1;
  }
  const items = all.slice(start, start + first);
  const last = items.at(-1);
  return json(200, {
    items: items.map(show),
    end_cursor: last === undefined ? null : btoa(`cursor:${idOf(last)}`),
    has_next_page: start + first < all.length,
  });
}

function decodeCursor(cursor: string): string | null {
  try {
    const text = atob(cursor);
    return text.startsWith("cursor:") ? text.slice("cursor:".length) : null;
  } catch {
    return null;
  }
}

/** A session as the API shows it; `status_detail` only on get and list. */
function view(s: MockSession, withDetail: boolean) {
  return {
    session_id: s.session_id,
    url: s.url,
    status: s.status,
    ...(withDetail && s.status_detail !== undefined ? { status_detail: s.status_detail } : {}),
    tags: s.tags,
    org_id: s.org_id,
    created_at: s.created_at,
    updated_at: s.updated_at,
    acus_consumed: s.acus_consumed,
    pull_requests: s.pull_requests,
    title: s.title,
    playbook_id: s.playbook_id,
    is_archived: s.is_archived,
    origin: "api",
  };
}

export type DevinMock = ReturnType<typeof createDevinMock>;
