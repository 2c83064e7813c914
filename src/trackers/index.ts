import type { Tracker } from "./contract";
import { azureDevOps } from "./azure-devops";
import { bugzilla } from "./bugzilla";
import { forgejo, gitea } from "./gitea";
import { github } from "./github";
import { gitlab } from "./gitlab";
import { gogs } from "./gogs";
import { jira } from "./jira";
import { linear } from "./linear";
import { openproject } from "./openproject";
import { phorge } from "./phorge";
import { plane } from "./plane";
import { redmine } from "./redmine";
import { sentry } from "./sentry";
import { servicenow } from "./servicenow";
import { shortcut } from "./shortcut";
import { taiga } from "./taiga";
import { tickets } from "./tickets";
import { youtrack } from "./youtrack";
import { zammad } from "./zammad";

/** Every tracker the bridge serves: adding one is a folder and a line here. */
export const trackers: readonly Tracker<any>[] = [
  tickets,
  github,
  gitea,
  forgejo,
  gitlab,
  jira,
  youtrack,
  redmine,
  bugzilla,
  zammad,
  openproject,
  plane,
  taiga,
  gogs,
  linear,
  shortcut,
  azureDevOps,
  servicenow,
  sentry,
  phorge,
];

const byId = new Map(trackers.map((t) => [t.id, t]));

export function findTracker(id: string): Tracker<any> | undefined {
  return byId.get(id);
}

export function trackerIds(): string[] {
  return [...byId.keys()];
}
