import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig, type TestProjectConfiguration } from "vitest/config";
import { caseTableEnv } from "./test/support/case-tables.ts";
import { TEST_BINDINGS } from "./test/support/bindings.ts";
import { createDevinMock } from "./test/support/devin-mock.ts";
import { createTrackerMock } from "./test/support/tracker-mock.ts";

// One mock Devin and one mock tracker for the whole run, reached through the Worker's outbound fetch.
// Tests tell requests apart by ticket (numbers and ids made per test), so test files may run side by side.
const devin = createDevinMock({ apiKey: TEST_BINDINGS.DEVIN_API_KEY });
const tracker = createTrackerMock();
// Every tracker's case table says what its tests need (its base URL on the tracker mock, …).
const bindings = { ...TEST_BINDINGS, ...(await caseTableEnv()) };
const variantBindings = { ...TEST_BINDINGS, ...(await caseTableEnv(true)) };

/** A project running in workerd with the real bindings of wrangler.toml and these settings. */
function workerd(name: string, include: string[], vars: Record<string, string>, exclude: string[] = [], base = bindings): TestProjectConfiguration {
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: { ...base, ...vars },
          outboundService: async (request: Request) => {
            const url = new URL(request.url);
            if (url.hostname === "devin.mock") return devin.handle(request);
            if (url.hostname === "tracker.mock") return tracker.handle(request);
            // "Another host" for redirect tests: recorded like the tracker mock, so a test can see it was never reached.
            if (url.hostname === "elsewhere.mock") return tracker.handle(request);
            // Anything else would be a real network call from a test: fail loudly.
            return new Response(`unexpected outbound request to ${url.origin}`, { status: 599 });
          },
        },
      }),
    ],
    test: { name, include, exclude, testTimeout: 30_000, provide: { variants: name === "variants" } },
  };
}

export default defineConfig({
  test: {
    projects: [
      // The contract suite alone starts dozens of sessions: the spend limits are the spend suite's subject, not theirs.
      workerd("worker", ["test/worker/**/*.test.ts"], { MAX_SESSIONS_PER_HOUR: "10000", MAX_SESSIONS_PER_DAY: "100000" }, ["test/worker/spend.test.ts"]),
      // The spend guard under its default limits (20 an hour, 100 a day), GitHub held to a share of 3 an hour.
      workerd("spend", ["test/worker/spend.test.ts"], { GITHUB_MAX_SESSIONS_PER_HOUR: "3" }),
      // The case tables of a tracker's second configuration (Jira Cloud): the contract suite again, on their settings.
      workerd("variants", ["test/worker/contract.test.ts"], { MAX_SESSIONS_PER_HOUR: "10000", MAX_SESSIONS_PER_DAY: "100000" }, [], variantBindings),
      {
        test: { name: "e2e", include: ["test/e2e/**/*.test.ts"], environment: "node", testTimeout: 120_000, hookTimeout: 120_000 },
      },
    ],
  },
});
