/**
 * A stand-in for Devin's v3 API, used at the network boundary: by the vitest
 * plugin's `outboundService` (unit and integration tests) and behind a loopback
 * HTTP server (end-to-end test, local dev). It records what it received and can
 * be told to fail, through `/__mock/*` control routes.
 */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string[]>;
  authorization: string | null;
  contentType: string | null;
  body: unknown;
  /** Tags the request is about: the create body's tags or the list filter. */
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

/** One state a session shows to a GET; each GET moves it one state on, the last one stays. */
export interface SessionState {
  status: string;
  status_detail?: string;
  pull_requests?: { pr_url: string; pr_state: string }[];
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
  status_detail?: string;
  prompt: string;
  script: SessionState[];
  messages: string[];
}

/** Like a real session: it starts working, opens a pull request, then waits for review. */
function defaultScript(n: number): SessionState[] {
  const pr = [{ pr_url: `https://git.example.test/acme/app/pull/${n}`, pr_state: "open" }];
  return [
    { status: "running", status_detail: "working" },
    { status: "running", status_detail: "working", pull_requests: pr },
    { status: "running", status_detail: "waiting_for_user", pull_requests: pr },
  ];
}

export interface DevinMockOptions {
  apiKey?: string;
  /** Delay before answering a create, like the real API (about a second). */
  createDelayMs?: number;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });

const problem = (status: number, title: string, detail: string) =>
  json(status, { type: "about:blank", title, status, detail });

export function createDevinMock(options: DevinMockOptions = {}) {
  const requests: RecordedRequest[] = [];
  const sessions: MockSession[] = [];
  let faults: (Fault & { used: number })[] = [];
  let scripts: { tag: string; steps: SessionState[] }[] = [];
  let counter = 0;
  let createDelayMs = options.createDelayMs ?? 0;

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
    if (route === "faults" && req.method === "POST") {
      const fault = (await req.json()) as Fault;
      faults.push({ ...fault, used: 0 });
      return json(200, { ok: true });
    }
    if (route === "script" && req.method === "POST") {
      scripts.push((await req.json()) as { tag: string; steps: SessionState[] });
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
    const bodyTags = (body as { tags?: unknown })?.tags;
    const tags = Array.isArray(bodyTags) ? bodyTags.map(String) : (query.tags ?? []);
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
    if (options.apiKey && req.headers.get("authorization") !== `Bearer ${options.apiKey}`) {
      return problem(401, "Unauthorized", "Invalid or expired API key");
    }

    const m = url.pathname.match(/^\/v3\/organizations\/([^/]+)\/sessions(?:\/([^/]+))?(\/messages)?$/);
    if (!m) return problem(404, "Not Found", `no route ${req.method} ${url.pathname}`);
    const [, orgId, sessionId, messages] = m;

    if (!sessionId && req.method === "POST") {
      const input = body as { prompt?: unknown; title?: string; playbook_id?: string; tags?: string[] };
      if (!input || typeof input.prompt !== "string" || !input.prompt) {
        return json(422, { detail: [{ loc: ["body", "prompt"], msg: "Field required", type: "missing" }] });
      }
      if (createDelayMs > 0) await new Promise((r) => setTimeout(r, createDelayMs));
      const id = `devin-${(++counter).toString(16).padStart(8, "0")}${Math.random().toString(16).slice(2, 10)}`;
      const now = Math.floor(Date.now() / 1000);
      const session: MockSession = {
        session_id: id,
        url: `https://app.devin.ai/sessions/${id}`,
        status: "new",
        tags: input.tags ?? [],
        title: input.title ?? null,
        playbook_id: input.playbook_id ?? null,
        org_id: decodeURIComponent(orgId!),
        created_at: now,
        updated_at: now,
        acus_consumed: 0,
        pull_requests: [],
        prompt: input.prompt,
        script: [...(scripts.find((s) => session_tags(input.tags).includes(s.tag))?.steps ?? defaultScript(counter))],
        messages: [],
      };
      sessions.push(session);
      return json(200, view(session));
    }
    if (!sessionId && req.method === "GET") {
      const wanted = url.searchParams.getAll("tags");
      const items = sessions.filter((s) => wanted.every((t) => s.tags.includes(t))).map(view);
      return json(200, { items, end_cursor: null, has_next_page: false });
    }
    const session = sessions.find((s) => s.session_id === sessionId);
    if (!session) return problem(404, "Not Found", "Session not found");
    if (messages && req.method === "POST") {
      session.messages.push(String((body as { message?: unknown })?.message ?? ""));
      return json(200, { ok: true });
    }
    if (!messages && req.method === "GET") {
      const next = session.script.length > 1 ? session.script.shift()! : session.script[0];
      if (next) {
        session.status = next.status;
        session.status_detail = next.status_detail;
        session.pull_requests = next.pull_requests ?? session.pull_requests;
        session.updated_at = Math.floor(Date.now() / 1000);
      }
      return json(200, view(session));
    }
    return problem(405, "Method Not Allowed", req.method);
  }

  return { handle, requests, sessions };
}

function view(s: MockSession) {
  const { prompt: _prompt, script: _script, messages: _messages, ...rest } = s;
  return rest;
}

function session_tags(tags: unknown): string[] {
  return Array.isArray(tags) ? tags.map(String) : [];
}

export type DevinMock = ReturnType<typeof createDevinMock>;
