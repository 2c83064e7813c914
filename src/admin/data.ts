import type { Config } from "../config";
import type { RunStatus, TicketRecord, TicketStore } from "../store/tickets";
import { trackers } from "../trackers";
import { writeBackTarget } from "../trackers/api";
import { envPrefix } from "../trackers/settings";

/** What the console calls each status. */
export const STATUS_WORDS: Record<RunStatus, string> = {
  deferred: "deferred",
  started: "running",
  waiting: "waiting for reporter",
  suspended: "suspended",
  finished: "finished",
  failed: "failed",
  stopped: "stopped",
};
export const STATUSES = Object.keys(STATUS_WORDS) as RunStatus[];

/** KV lists in key order, not time: read up to this many records, then sort. Beyond it the console says so. */
export const MAX_SCAN = 1000;
export const PAGE_SIZE = 25;

export interface TicketPage {
  records: TicketRecord[];
  page: number;
  pages: number;
  total: number;
  truncated: boolean;
}

/** Newest change first, filtered by status and source, one page of it. */
export async function ticketPage(
  store: Pick<TicketStore, "list">,
  filter: { status?: RunStatus; source?: string },
  page: number,
): Promise<TicketPage> {
  const all: TicketRecord[] = [];
  let cursor: string | undefined;
  let truncated = false;
  // Unfiltered by status: a retried ticket shows as its latest run only, whatever its earlier run's status.
  do {
    const batch = await store.list(undefined, cursor);
    all.push(...batch.records);
    cursor = batch.cursor;
    if (all.length >= MAX_SCAN && cursor) truncated = true;
  } while (cursor && !truncated);
  const superseded = new Set(all.map((r) => r.previous_instance_id).filter(Boolean));
  const wanted = all
    .filter((r) => !superseded.has(r.instance_id))
    .filter((r) => (!filter.status || r.status === filter.status) && (!filter.source || r.source === filter.source))
    .sort((a, b) => b.updated_at.localeCompare(a.updated_at));
  const pages = Math.max(1, Math.ceil(wanted.length / PAGE_SIZE));
  const current = Math.min(Math.max(1, page), pages);
  return { records: wanted.slice((current - 1) * PAGE_SIZE, current * PAGE_SIZE), page: current, pages, total: wanted.length, truncated };
}

/** The name a ticket is looked up by (its key within its source). */
export function ticketName(record: TicketRecord): string {
  return record.key ?? record.ticket_id;
}

export function ticketPath(record: TicketRecord): string {
  return `/admin/tickets/${encodeURIComponent(record.source)}/${ticketName(record).split("/").map(encodeURIComponent).join("/")}`;
}

export interface TimelineEvent {
  at: string;
  run: number;
  what: string;
}

/** What the records can tell: each run's start, its session, its PRs, and where it stands. */
export function timeline(runs: readonly TicketRecord[]): TimelineEvent[] {
  const events: TimelineEvent[] = [];
  for (const r of runs) {
    const run = r.run ?? 1;
    events.push({ at: r.created_at, run, what: run > 1 ? `run ${run} asked for (a retry)` : "ticket received" });
    if (r.session_id) events.push({ at: r.created_at, run, what: `Devin session ${r.session_id} started` });
    for (const pr of r.pull_requests ?? []) events.push({ at: r.updated_at, run, what: `pull request ${pr}` });
    const outcome =
      r.status === "stopped"
        ? `stopped${r.stopped_by ? `: ${r.stopped_by}` : ""}`
        : r.status === "failed"
          ? `failed${r.error ? `: ${r.error.message}` : ""}`
          : r.status === "deferred"
            ? `deferred by the spend limit${r.retry_at ? `, starts at ${r.retry_at}` : ""}`
            : STATUS_WORDS[r.status];
    events.push({ at: r.updated_at, run, what: `now ${outcome}` });
  }
  return events.sort((a, b) => b.at.localeCompare(a.at) || b.run - a.run);
}

export interface SourceView {
  id: string;
  name: string;
  /** Some `<ID>_*` variable is set: the operator meant this source. */
  configured: boolean;
  secret: "own" | "shared" | "none";
  baseUrl?: string;
  token: "own" | "shared" | "none";
  writeBack: string;
}

/** Each source as configured; never a secret's value, only whether it is set and where from. */
export function sourceViews(config: Config): SourceView[] {
  const env = config.env;
  const set = (name: string) => typeof env[name] === "string" && (env[name] as string).trim() !== "";
  return trackers.map((t) => {
    const prefix = envPrefix(t.id);
    const resolved = config.trackers.get(t.id);
    const secret = set(`${prefix}_WEBHOOK_SECRET`) ? "own" : resolved?.secrets.length ? "shared" : "none";
    const token = set(`${prefix}_API_TOKEN`) ? "own" : resolved?.apiToken ? "shared" : "none";
    // The same decision write-back itself takes: only the operator's base URL, never a payload's host.
    const target = writeBackTarget(config, t);
    const writeBack = "baseUrl" in target ? `on, to ${target.baseUrl}` : `off: ${target.reason}`;
    return {
      id: t.id,
      name: t.name,
      configured: Object.keys(env).some((k) => k.startsWith(`${prefix}_`) && set(k)),
      secret,
      baseUrl: resolved?.baseUrl,
      token,
      writeBack,
    };
  });
}
