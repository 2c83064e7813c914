import * as z from "../../zod";

/** A field the ticket can do without: a surprising shape there must not cost the whole event. */
export const lenient = <T extends z.ZodMiniType>(schema: T) => z.catch(z.nullish(schema), undefined);

/** A setting that is a plain string when set. */
export const text = () => z.optional(z.string().check(z.minLength(1)));

/** A yes/no setting: true, false, 1, 0, yes, no (any case). */
export const flag = () =>
  z.optional(
    z.pipe(
      z.string().check(z.regex(/^(true|false|1|0|yes|no)$/i, { error: "must be true or false" })),
      z.transform((v) => /^(true|1|yes)$/i.test(v)),
    ),
  );

/** An HTTP header name (a bad one would make `Headers.get` throw). */
export const headerName = () => z.optional(z.string().check(z.regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, { error: "must be a header name" })));
