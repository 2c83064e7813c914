import { execFileSync, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

/**
 * Cleanups for whatever the bench started; run on success, failure, watchdog and Ctrl-C.
 * Kept on globalThis: run.ts loads load.ts (and so another copy of this module) from the snapshot.
 */
const REGISTRY = Symbol.for("devin-ticket-bridge.bench.cleanups");
const cleanups: Set<() => Promise<void>> = ((globalThis as Record<symbol, unknown>)[REGISTRY] ??= new Set()) as Set<() => Promise<void>>;

export function onCleanup(fn: () => Promise<void>): () => void {
  cleanups.add(fn);
  return () => void cleanups.delete(fn);
}

export async function cleanupAll(): Promise<void> {
  const fns = [...cleanups];
  cleanups.clear();
  await Promise.allSettled(fns.map((fn) => fn()));
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/**
 * Runs a Node script (`process.execPath`, i.e. the Node 24 npm put on PATH) in
 * its own process group, killed as a group on timeout or cleanup.
 */
export function runNode(args: string[], opts: { cwd: string; timeoutMs: number; env?: Record<string, string> }): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, {
      cwd: opts.cwd,
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1", FORCE_COLOR: "0", CI: "true", ...opts.env },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const kill = (signal: NodeJS.Signals) => {
      try {
        if (child.pid && child.exitCode === null) process.kill(-child.pid, signal);
      } catch {
        // already gone
      }
    };
    const stop = async () => {
      kill("SIGTERM");
      await new Promise((r) => setTimeout(r, 2_000));
      kill("SIGKILL");
    };
    const unregister = onCleanup(stop);
    const timer = setTimeout(() => {
      timedOut = true;
      void stop();
    }, opts.timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      unregister();
      resolve({ code, stdout, stderr, timedOut });
    });
  });
}

// ---------- CPU accounting of the processes the bench started (Linux /proc; elsewhere: unavailable) ----------

let ticksPerSecond: number | undefined;
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

interface ProcStat {
  pid: number;
  ppid: number;
  cpuTicks: number;
}

function readStats(): ProcStat[] {
  const out: ProcStat[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      // Fields after the command name (which may hold spaces) start at the last ')'.
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      out.push({ pid: Number(name), ppid: Number(f[1]), cpuTicks: Number(f[11]) + Number(f[12]) });
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/** The first process whose argument list satisfies `match`; undefined without /proc. */
export function findPid(match: (args: string[]) => boolean): number | undefined {
  try {
    for (const name of readdirSync("/proc")) {
      if (!/^\d+$/.test(name)) continue;
      try {
        if (match(readFileSync(`/proc/${name}/cmdline`, "utf8").split("\0"))) return Number(name);
      } catch {
        // exited meanwhile
      }
    }
  } catch {
    // no /proc
  }
  return undefined;
}

/** CPU time (ms, user + system) used so far by `pid` and its living descendants; undefined without /proc. */
export function treeCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stats = readStats();
    const children = new Map<number, ProcStat[]>();
    for (const s of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s]);
    const root = stats.find((s) => s.pid === pid);
    if (!root) return undefined;
    let ticks = 0;
    const stack = [root];
    while (stack.length) {
      const s = stack.pop()!;
      ticks += s.cpuTicks;
      stack.push(...(children.get(s.pid) ?? []));
    }
    return (ticks / clockTicks()) * 1000;
  } catch {
    return undefined;
  }
}
