import * as z from "../../zod";
import { lenient } from "../kit/schema";

const Id = z.string().check(z.trim(), z.minLength(1), z.maxLength(64));
const Label = z.looseObject({ id: Id, name: z.string().check(z.trim(), z.minLength(1), z.maxLength(256)) });
const Person = z.looseObject({ name: z.nullish(z.string().check(z.maxLength(256))) });

/** Every Linear data-change webhook: `{action, type, data, updatedFrom?, actor, url, webhookTimestamp, …}`. */
export const Envelope = z.looseObject({
  action: z.string(),
  type: z.string(),
  data: z.unknown(),
  updatedFrom: lenient(z.record(z.string(), z.unknown())),
  actor: lenient(Person),
});
export type Envelope = z.infer<typeof Envelope>;

export const Issue = z.looseObject({
  id: Id,
  identifier: z.string().check(z.trim(), z.minLength(1), z.maxLength(64)),
  title: z.string().check(z.trim(), z.minLength(1), z.maxLength(2_000)),
  description: lenient(z.string()),
  url: lenient(z.string().check(z.maxLength(2_000))),
  labelIds: z.catch(z.array(z.string()).check(z.maxLength(200)), []),
  // A label that does not parse costs only itself, never the issue.
  labels: z.pipe(z.catch(z.array(z.unknown()).check(z.maxLength(200)), []), z.transform((items) => items.flatMap((i) => Label.safeParse(i).data ?? []))),
  state: lenient(z.looseObject({ name: z.nullish(z.string()), type: z.nullish(z.string()) })),
  team: lenient(z.looseObject({ key: z.nullish(z.string()), name: z.nullish(z.string()) })),
  creator: lenient(Person),
  trashed: lenient(z.boolean()),
});
export type Issue = z.infer<typeof Issue>;

/** `updatedFrom` holds the previous value of each field that changed. */
export const UpdatedFrom = z.looseObject({
  labelIds: lenient(z.array(z.string())),
  stateId: lenient(z.string()),
});

export const Comment = z.looseObject({
  id: lenient(z.string()),
  body: lenient(z.string()),
  // Comments on project updates and documents have no issue: not for a ticket's session.
  issueId: Id,
  issue: lenient(z.looseObject({ identifier: z.nullish(z.string()) })),
  user: lenient(Person),
  botActor: lenient(z.looseObject({ name: z.nullish(z.string()) })),
});
