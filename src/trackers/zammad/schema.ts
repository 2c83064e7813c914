import * as z from "../../zod";
import { lenient } from "../kit/schema";

const Named = z.looseObject({ name: z.string() });
const NameOrObject = z.union([z.string(), Named]);
const Person = z.looseObject({ login: z.nullish(z.string()), email: z.nullish(z.string()) });

/** A trigger's webhook with Zammad's default payload (record_payload/base.rb), or a custom one that adds tags. */
export const ZammadPayload = z.looseObject({
  ticket: z.looseObject({
    id: z.union([z.number().check(z.int(), z.nonnegative()), z.string().check(z.trim(), z.minLength(1), z.maxLength(64))]),
    number: z.union([z.string().check(z.trim(), z.minLength(1), z.maxLength(64)), z.number().check(z.int(), z.nonnegative())]),
    title: z.string().check(z.trim(), z.minLength(1), z.maxLength(2_000)),
    state: lenient(NameOrObject),
    // `#{ticket.tags}` in a custom payload renders as a comma-separated string.
    tags: lenient(z.union([z.array(z.string().check(z.maxLength(256))).check(z.maxLength(200)), z.string().check(z.maxLength(10_000))])),
    group: lenient(NameOrObject),
    customer: lenient(Person),
    article_ids: lenient(z.array(z.number())),
    article_count: lenient(z.number()),
  }),
  // `{}` when the update that fired the trigger added no article.
  article: lenient(
    z.looseObject({
      id: lenient(z.number()),
      body: z.nullish(z.string()),
      content_type: z.nullish(z.string()),
      sender: lenient(NameOrObject),
      from: lenient(z.string()),
      created_by: lenient(Person),
    }),
  ),
});
export type Payload = z.infer<typeof ZammadPayload>;
export type Article = NonNullable<Payload["article"]>;

export const nameOf = (value: string | { name: string } | null | undefined) => (typeof value === "string" ? value : value?.name);
