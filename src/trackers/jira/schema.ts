import * as z from "../../zod";
import { lenient } from "../kit/schema";

/** Data Center names people by `name`, Cloud only by `accountId` and `displayName`. */
const Person = z.looseObject({ name: z.nullish(z.string()), displayName: z.nullish(z.string()), accountId: z.nullish(z.string()) });
export type Person = z.infer<typeof Person>;

// `toString` is read by hand (see events.ts): on an object without it, lookup finds Object.prototype.toString.
export const ChangeItem = z.looseObject({ field: z.string(), fromString: z.nullish(z.string()) });
export type ChangeItem = z.infer<typeof ChangeItem>;

export const Comment = z.looseObject({
  id: lenient(z.union([z.string(), z.number()])),
  // Data Center sends wiki markup; Cloud may send an ADF tree, as for descriptions.
  body: z.optional(z.unknown()),
  author: lenient(Person),
});
export type Comment = z.infer<typeof Comment>;

/** `comment_created`: only the issue's key matters, and older Jira leaves the issue out altogether. */
export const CommentEvent = z.looseObject({
  webhookEvent: z.literal("comment_created"),
  issue: z.nullish(z.looseObject({ key: z.string().check(z.minLength(1)) })),
  comment: Comment,
});

export const IssueEvent = z.looseObject({
  webhookEvent: z.string(),
  issue_event_type_name: z.nullish(z.string()),
  user: lenient(Person),
  issue: z.looseObject({
    key: z.string().check(z.minLength(1)),
    self: z.nullish(z.string()),
    fields: z.looseObject({
      summary: z.string().check(z.minLength(1)),
      // Data Center sends wiki markup, Cloud may send an Atlassian Document Format tree.
      description: z.optional(z.unknown()),
      labels: z.nullish(z.array(z.string())),
      components: z.nullish(z.array(z.looseObject({ name: z.string() }))),
      // `service_desk` for a Jira Service Management project: its comments are replies to the customer.
      project: z.nullish(z.looseObject({ key: z.string(), projectTypeKey: z.nullish(z.string()) })),
      reporter: lenient(Person),
      status: lenient(z.looseObject({ statusCategory: lenient(z.looseObject({ key: z.string() })) })),
    }),
  }),
  changelog: z.nullish(z.looseObject({ items: z.nullish(z.array(ChangeItem)) })),
  // Data Center puts the new comment on the `issue_commented` update.
  comment: z.nullish(Comment),
});
export type IssueEvent = z.infer<typeof IssueEvent>;
