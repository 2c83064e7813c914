import { generic } from "./generic";
import { forgejo, gitea } from "./gitea";
import { github } from "./github";
import { gitlab } from "./gitlab";
import { jira } from "./jira";
import { youtrack } from "./youtrack";
import { bugzilla } from "./bugzilla";
import { redmine } from "./redmine";
import { zammad } from "./zammad";
import { openproject } from "./openproject";
import { plane } from "./plane";
import { taiga } from "./taiga";
import type { TicketSource } from "./types";

const all: TicketSource[] = [generic, github, gitea, forgejo, gitlab, jira, youtrack, redmine, bugzilla, zammad, openproject, plane, taiga];

const byName = new Map(all.map((s) => [s.name, s]));

export function findSource(name: string): TicketSource | undefined {
  return byName.get(name);
}

export function sourceNames(): string[] {
  return [...byName.keys()];
}
