import { generic } from "./generic";
import type { TicketSource } from "./types";

const all: TicketSource[] = [generic];

const byName = new Map(all.map((s) => [s.name, s]));

export function findSource(name: string): TicketSource | undefined {
  return byName.get(name);
}

export function sourceNames(): string[] {
  return [...byName.keys()];
}
