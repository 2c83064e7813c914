import { registerHooks } from "node:module";

/**
 * Lets plain Node import the Worker's TypeScript (case tables, their fixtures
 * and helpers) as the bundler does: `./api` finds `./api.ts` or `./api/index.ts`.
 * Used by `npm run send` and by vitest.config.ts, which read case tables in Node.
 */
registerHooks({
  resolve(specifier, context, next) {
    try {
      return next(specifier, context);
    } catch (err) {
      if (!specifier.startsWith(".") || /\.[cm]?[jt]s$|\.json$/.test(specifier)) throw err;
      for (const candidate of [`${specifier}.ts`, `${specifier}/index.ts`]) {
        try {
          return next(candidate, context);
        } catch {
          // try the next spelling
        }
      }
      throw err;
    }
  },
});
