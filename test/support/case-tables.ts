import "./resolve-ts.ts";
import { readdirSync, existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Delivery, TrackerCases } from "../../src/trackers/case-table.ts";

const trackers = resolve(import.meta.dirname, "../../src/trackers");

/** Every tracker's case table (src/trackers/<id>/cases.ts), found on disk: no list to keep. A variant table (Jira Cloud) only with `variants`. */
export async function caseTables(variants = false): Promise<TrackerCases[]> {
  const tables: TrackerCases[] = [];
  for (const dir of readdirSync(trackers, { withFileTypes: true })) {
    const file = resolve(trackers, dir.name, "cases.ts");
    if (!dir.isDirectory() || !existsSync(file)) continue;
    tables.push(...[((await import(pathToFileURL(file).href)) as { cases: TrackerCases | TrackerCases[] }).cases].flat());
  }
  return variants ? tables : tables.filter((t) => !t.variant);
}

/** The settings the case tables ask for, merged: the Worker under test runs with all of them. With `variants`, the variant tables' on top. */
export async function caseTableEnv(variants = false): Promise<Record<string, string>> {
  const tables = await caseTables(true);
  return Object.assign({}, ...tables.filter((t) => !t.variant).map((t) => t.env ?? {}), ...(variants ? tables.filter((t) => t.variant).map((t) => t.env ?? {}) : []));
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
