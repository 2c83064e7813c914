import type { TrackerEvent } from "../contract";
import { Herald } from "./schema";

/**
 * A Herald webhook names the task by PHID and nothing else: no title, no tags,
 * no status, no comment text. The Herald rule that called it chose the task,
 * and `?label=` on the hook's URL names the route; the workflow reads the rest
 * with Conduit (api.ts). Comments and closing cannot be told apart here.
 */
export function parsePhorge(payload: unknown, url: URL): TrackerEvent {
  const parsed = Herald.safeParse(payload);
  if (!parsed.success) return { kind: "skip", reason: "not a Herald webhook body" };
  const { object, action } = parsed.data;
  if (action?.test) return { kind: "skip", reason: "Herald test request" };
  if (object.type !== "TASK") return { kind: "skip", reason: `${object.type.slice(0, 8)} object, not a Maniphest task` };
  const label = url.searchParams.get("label")?.trim();
  return {
    kind: "ticket",
    ticket: {
      key: object.phid,
      id: object.phid,
      // Stand-ins until the workflow reads the task (they stay if Conduit cannot be reached).
      title: `Maniphest task ${object.phid}`,
      description: `Herald sent only this task's PHID (${object.phid}); read the task with Conduit maniphest.search.`,
      labels: label ? [label] : [],
      triggerLabels: label ? [label] : [],
    },
  };
}
