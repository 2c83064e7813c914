import * as z from "../../zod";
import { lenient } from "../kit/schema";

/**
 * What Sentry's integration platform sends (docs.sentry.io/integrations/integration-platform/webhooks/)
 * and what its issue-event API answers. Loose: only the fields the bridge reads.
 */
const Id = z.pipe(z.union([z.string().check(z.regex(/^\d{1,20}$/)), z.number().check(z.int(), z.positive())]), z.transform(String));
const Text = lenient(z.string());

export const Actor = z.looseObject({ type: Text, name: Text });

/** `Sentry-Hook-Resource: issue`: created, resolved, assigned, archived (ignored), unresolved. */
export const IssueHook = z.looseObject({
  action: z.string(),
  data: z.looseObject({
    issue: z.looseObject({
      id: Id,
      shortId: Text,
      title: z.string().check(z.trim(), z.minLength(1)),
      culprit: Text,
      web_url: Text,
      status: Text,
      project: lenient(z.looseObject({ name: Text, slug: Text })),
      metadata: lenient(z.looseObject({ type: Text, value: Text })),
    }),
  }),
  actor: lenient(Actor),
});

/** An alert rule action's saved form: `[{name, value}]` (the fields the integration's schema declares). */
const Setting = z.looseObject({ name: z.string(), value: lenient(z.union([z.string(), z.number(), z.boolean()])) });

/** `Sentry-Hook-Resource: event_alert`: the rule fired for this event; its action's settings route it. */
export const EventAlertHook = z.looseObject({
  action: z.string(),
  data: z.looseObject({
    event: z.looseObject({
      issue_id: Id,
      title: z.string().check(z.trim(), z.minLength(1)),
      web_url: Text,
      culprit: Text,
      project: lenient(z.union([z.string(), z.number()])),
    }),
    triggered_rule: Text,
    issue_alert: lenient(z.looseObject({ title: Text, settings: lenient(z.array(Setting)) })),
  }),
});

/** `Sentry-Hook-Resource: comment`: the text and the issue's id only. */
export const CommentHook = z.looseObject({
  action: z.string(),
  data: z.looseObject({
    comment: z.nullish(z.string()),
    comment_id: lenient(Id),
    issue_id: Id,
    project_slug: Text,
  }),
  actor: lenient(Actor),
});

const Frame = z.looseObject({
  filename: Text,
  absPath: Text,
  abs_path: Text,
  module: Text,
  function: Text,
  lineNo: lenient(z.number()),
  lineno: lenient(z.number()),
  inApp: lenient(z.boolean()),
  in_app: lenient(z.boolean()),
  context_line: Text,
  /** The API's `[[line, code], …]` around the frame. */
  context: lenient(z.array(z.tuple([z.number(), z.nullish(z.string())]))),
});
export type Frame = z.infer<typeof Frame>;

const Exception = z.looseObject({
  type: Text,
  value: Text,
  stacktrace: lenient(z.looseObject({ frames: lenient(z.array(Frame)) })),
});
export type Exception = z.infer<typeof Exception>;

/**
 * One event, in either spelling: the API's (`GET /api/0/issues/{id}/events/latest/`: `entries`,
 * `release.version`, `tags[{key, value}]`, camelCase frames) or the raw one webhooks carry
 * (`exception.values`, `release` and `environment` as strings, `tags[[key, value]]`).
 */
export const Event = z.looseObject({
  title: Text,
  message: Text,
  culprit: Text,
  environment: Text,
  release: lenient(z.union([z.string(), z.looseObject({ version: Text })])),
  tags: lenient(z.array(z.union([z.looseObject({ key: z.string(), value: Text }), z.tuple([z.string(), z.nullish(z.string())])]))),
  exception: lenient(z.looseObject({ values: lenient(z.array(Exception)) })),
  entries: lenient(z.array(z.looseObject({ type: z.string(), data: z.unknown() }))),
});
export type Event = z.infer<typeof Event>;

export const ExceptionEntry = z.looseObject({ values: lenient(z.array(Exception)) });
export const MessageEntry = z.looseObject({ formatted: Text, message: Text });
