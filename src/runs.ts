import type { Config } from "./config";
import { fitForQueue } from "./bounds";
import type { StopJob } from "./queue/messages";
import type { Route } from "./routing";
import type { TicketRecord, TicketStore } from "./store/tickets";
import { runInstanceId, type TicketEvent, type TicketJob } from "./ticket";

/**
 * The two things anyone may ask of a ticket's run, whoever asks (a comment, a
 * label, the operator console): the job that stops it, and the job that starts
 * its next run. The queue consumer carries both out.
 */
export function stopJobFor(record: TicketRecord, why: string, requestId?: string): StopJob {
  return {
    kind: "stop",
    source: record.source,
    ticketKey: record.ticket_key,
    instanceId: record.instance_id,
    why,
    receivedAt: new Date().toISOString(),
    requestId,
  };
}

export type NextRun = { kind: "job"; job: TicketJob } | { kind: "too_large" } | { kind: "exists" };

/**
 * The next run of a ticket whose last run ended. Its instance id follows from
 * the run number, so concurrent retries of the same run start it once.
 */
export async function nextRunJob(
  previous: TicketRecord,
  ticket: TicketEvent,
  deps: { config: Pick<Config, "playbooks">; store: Pick<TicketStore, "get">; requestId?: string },
  /** Another route that asked for the next run (a different label once the last run ended). */
  next?: Route,
): Promise<NextRun> {
  const run = (previous.run ?? 1) + 1;
  const route = next ?? previous.route;
  const playbook = route ? route.playbookId : (deps.config.playbooks.get(previous.label) ?? previous.playbook);
  const job = fitForQueue({
    ticketKey: previous.ticket_key,
    instanceId: await runInstanceId(previous.ticket_key, run),
    ticket,
    label: next?.label ?? previous.label,
    ...(route ? { route } : {}),
    // The run keeps its rule's playbook; runs from before rules take PLAYBOOKS' current one for their label.
    ...(playbook ? { playbookId: playbook } : {}),
    receivedAt: new Date().toISOString(),
    requestId: deps.requestId,
    run,
    previousInstanceId: previous.instance_id,
    previousSessionUrl: previous.url,
  });
  if (!job) return { kind: "too_large" };
  if (await deps.store.get(job.instanceId)) return { kind: "exists" };
  return { kind: "job", job };
}
