import { spawn, type ChildProcess } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { TEST_BINDINGS } from "./bindings.ts";
import { serveLoopback, type Handler } from "./serve.ts";

const root = resolve(import.meta.dirname, "../..");

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once("error", rej);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => res(port));
    });
  });
}

export interface DevServer {
  url: string;
  output(): string;
  stop(): Promise<void>;
}

export interface WranglerDevOptions {
  /**
   * Serve a copy of the Worker (src/, wrangler.toml, package.json, tsconfig.json) taken at start,
   * not the working tree: `wrangler dev` reloads on every source change, and a reload strands a
   * local Workflow instance that sleeps (its timer lives in memory). For tests that outlive
   * someone else's edit.
   */
  snapshot?: boolean;
}

/** A copy of the Worker's sources in a temp folder, with node_modules linked; removed by `stop()`. */
function snapshotWorker(): string {
  const dir = mkdtempSync(join(tmpdir(), "bridge-e2e-src-"));
  cpSync(join(root, "src"), join(dir, "src"), { recursive: true });
  for (const file of ["wrangler.toml", "package.json", "tsconfig.json"]) cpSync(join(root, file), join(dir, file));
  symlinkSync(join(root, "node_modules"), join(dir, "node_modules"), "dir");
  return dir;
}

/**
 * `wrangler dev` on the real wrangler.toml, configured only with `--var`
 * (as an operator would locally), with fresh local state in a temp folder.
 */
export async function startWranglerDev(vars: Record<string, string>, timeoutMs = 90_000, options: WranglerDevOptions = {}): Promise<DevServer> {
  const port = await freePort();
  const persist = mkdtempSync(join(tmpdir(), "bridge-e2e-"));
  const cwd = options.snapshot ? snapshotWorker() : root;
  const args = [
    join(root, "node_modules/wrangler/bin/wrangler.js"),
    "dev",
    "--ip",
    "127.0.0.1",
    "--port",
    String(port),
    "--inspector-port",
    String(await freePort()),
    "--persist-to",
    persist,
    "--show-interactive-dev-session=false",
    ...Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
  ];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd,
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true", NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let log = "";
  child.stdout!.on("data", (d) => (log += d));
  child.stderr!.on("data", (d) => (log += d));

  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.pid) {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        // already gone
      }
      await new Promise((r) => {
        const t = setTimeout(() => {
          try {
            process.kill(-child.pid!, "SIGKILL");
          } catch {
            // already gone
          }
          r(undefined);
        }, 5_000);
        child.once("exit", () => {
          clearTimeout(t);
          r(undefined);
        });
      });
    }
    rmSync(persist, { recursive: true, force: true });
    if (cwd !== root) rmSync(cwd, { recursive: true, force: true });
  };

  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      const res = await fetch(`${url}/health`);
      if (res.status === 200 || res.status === 503) return { url, output: () => log, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  await stop();
  throw new Error(`wrangler dev did not start:\n${log.slice(-4000)}`);
}

/** The Devin and tracker doubles on loopback, and the bridge under `wrangler dev` (a snapshot of the sources) pointed at them. */
export interface BridgeWithDoubles {
  devinServer: Loopback;
  trackerServer: Loopback;
  bridge: DevServer;
  stop(): Promise<void>;
}

type Loopback = Awaited<ReturnType<typeof serveLoopback>>;

/**
 * What the end-to-end tests start: the doubles' handlers served on loopback (the test bindings'
 * `*.mock` hosts exist only inside the vitest pool) and every tracker the tests write to pointed at
 * the tracker double. `vars` adds to or overrides the test bindings.
 */
export async function startBridge(
  devin: { handle: Handler },
  tracker: { handle: Handler },
  vars: Record<string, string> = {},
  timeoutMs = 90_000,
): Promise<BridgeWithDoubles> {
  const devinServer = await serveLoopback(devin.handle);
  const trackerServer = await serveLoopback(tracker.handle);
  const t = trackerServer.url;
  const bridge = await startWranglerDev(
    {
      ...TEST_BINDINGS,
      DEVIN_API_BASE: devinServer.url,
      GITHUB_BASE_URL: t,
      TICKETS_COMMENT_URL: `${t}/api/tickets/{id}/comments`,
      BUGZILLA_BASE_URL: t,
      REDMINE_BASE_URL: t,
      ...vars,
    },
    timeoutMs,
    { snapshot: true },
  );
  return {
    devinServer,
    trackerServer,
    bridge,
    async stop() {
      await bridge.stop();
      await Promise.all([devinServer.close(), trackerServer.close()]);
    },
  };
}
