import "./resolve-ts.ts";
import { readdirSync, existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Delivery, TrackerCases } from "../../src/trackers/case-table.ts";

const trackers = resolve(import.meta.dirname, "../../src/trackers");

/** Every tracker's case table (src/trackers/<id>/cases.ts), found on disk: no list to keep. */
export async function caseTables(): Promise<TrackerCases[]> {
  const tables: TrackerCases[] = [];
  for (const dir of readdirSync(trackers, { withFileTypes: true })) {
    const file = resolve(trackers, dir.name, "cases.ts");
    if (!dir.isDirectory() || !existsSync(file)) continue;
    tables.push(...[((await import(pathToFileURL(file).href)) as { cases: TrackerCases | TrackerCases[] }).cases].flat());
  }
  return tables;
}

/** The settings the case tables ask for, merged: the Worker under test runs with all of them. */
export async function caseTableEnv(): Promise<Record<string, string>> {
  return Object.assign({}, ...(await caseTables()).map((t) => t.env ?? {}));
}

/** Posts one of a case table's deliveries to a running bridge, signed as that tracker signs it. */
export async function postDelivery(bridgeUrl: string, table: TrackerCases, d: Delivery, secret: string): Promise<Response> {
  const signed = await table.sign(d.body, secret);
  return fetch(`${bridgeUrl}/webhooks/${table.tracker}${signed.suffix ?? ""}${d.suffix ?? ""}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...d.headers, ...signed.headers },
    body: d.body,
  });
}
