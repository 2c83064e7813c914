/**
 * A stand-in for trackers' REST APIs (comments, Bugzilla's comment list, …),
 * at host `tracker.mock`. It records every request and answers from canned
 * routes set through `POST /__mock/routes`; unrouted reads get 404, unrouted
 * writes 201.
 */
export interface TrackerRoute {
  method: string;
  /** Exact path, query string excluded. */
  path: string;
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface TrackerRequest {
  method: string;
  path: string;
  search: string;
  headers: Record<string, string>;
  body: unknown;
  at: number;
}

export function createTrackerMock(options: { permissiveReads?: boolean } = {}) {
  const requests: TrackerRequest[] = [];
  let routes: TrackerRoute[] = [];

  async function handle(req: Request): Promise<Response> {
    const url = new URL(req.url);
    if (url.pathname === "/__mock/routes" && req.method === "POST") {
      const route = (await req.json()) as TrackerRoute;
      routes = [route, ...routes.filter((r) => r.method !== route.method || r.path !== route.path)];
      return Response.json({ ok: true });
    }
    if (url.pathname === "/__mock/requests" && req.method === "GET") {
      const prefix = url.searchParams.get("path") ?? "";
      return Response.json(requests.filter((r) => r.path.startsWith(prefix)));
    }
    const text = req.method === "GET" || req.method === "HEAD" ? "" : await req.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      // keep the text
    }
    requests.push({
      method: req.method,
      path: url.pathname,
      search: url.search,
      headers: Object.fromEntries(req.headers),
      body,
      at: Date.now(),
    });
    const route = routes.find((r) => r.method === req.method && r.path === url.pathname);
    // Unrouted writes succeed, like a tracker that accepts any comment; unrouted reads are 404.
    if (!route) {
      if (req.method !== "GET") return Response.json({ id: requests.length }, { status: 201 });
      return options.permissiveReads ? Response.json({ id: requests.length, version: 1 }) : Response.json({ error: "no mock route" }, { status: 404 });
    }
    return Response.json(route.body ?? {}, { status: route.status ?? 200, headers: route.headers });
  }

  return { handle, requests };
}
