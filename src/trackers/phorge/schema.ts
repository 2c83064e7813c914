import * as z from "../../zod";
import { lenient } from "../kit/schema";

/**
 * A Herald webhook body (HeraldWebhookWorker): PHIDs only. `action.test` marks
 * a request sent from the webhook's "New Test Request" page.
 */
export const Herald = z.looseObject({
  object: z.looseObject({
    type: z.string(),
    phid: z.string().check(z.regex(/^PHID-[A-Z]{4}-[a-z0-9]{1,64}$/)),
  }),
  action: lenient(z.looseObject({ test: lenient(z.boolean()) })),
});

/**
 * Conduit's envelope: HTTP 200 whether or not the call worked; `error_code` says. A 2xx body
 * without `result` (the dev stack's stand-in tracker answers `{id}`) counts as done, as other trackers' writes do.
 */
export const Envelope = z.looseObject({ result: z.optional(z.unknown()), error_code: z.nullish(z.string()), error_info: z.nullish(z.string()) });

/** `maniphest.search` with the `projects` attachment. */
export const TaskSearch = z.looseObject({
  data: z.array(
    z.looseObject({
      id: z.number().check(z.int(), z.positive()),
      phid: z.string(),
      fields: z.looseObject({
        name: z.string(),
        description: lenient(z.looseObject({ raw: lenient(z.string()) })),
      }),
      attachments: lenient(z.looseObject({ projects: lenient(z.looseObject({ projectPHIDs: lenient(z.array(z.string())) })) })),
    }),
  ),
});

/** `project.search`: a tag's name is its project's name. */
export const ProjectSearch = z.looseObject({
  data: z.array(z.looseObject({ phid: z.string(), fields: z.looseObject({ name: z.string() }) })),
});
