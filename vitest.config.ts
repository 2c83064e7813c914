import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { createDevinMock } from "./test/support/devin-mock.ts";
import { TEST_BINDINGS } from "./test/support/bindings.ts";
import { createTrackerMock } from "./test/support/tracker-mock.ts";

// One mock Devin for the whole run, reached through the Worker's outbound fetch.
// Tests tell requests apart by the ticket tag, so test files may run side by side.
const devin = createDevinMock({ apiKey: TEST_BINDINGS.DEVIN_API_KEY });
const tracker = createTrackerMock();

// Real-shaped tracker payloads live beside the repository, in ../shared/fixtures.
const fixtures = fileURLToPath(new URL("../shared/fixtures", import.meta.url));

export default defineConfig({
  test: {
    projects: [
      {
        resolve: { alias: { "@fixtures": fixtures } },
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: TEST_BINDINGS,
              outboundService: async (request: Request) => {
                const url = new URL(request.url);
                if (url.hostname === "devin.mock") return devin.handle(request);
                if (url.hostname === "tracker.mock") return tracker.handle(request);
                // Anything else would be a real network call from a test: fail loudly.
                return new Response(`unexpected outbound request to ${url.origin}`, { status: 599 });
              },
            },
          }),
        ],
        test: { name: "worker", include: ["test/worker/**/*.test.ts"], testTimeout: 30_000 },
      },
      {
        test: { name: "e2e", include: ["test/e2e/**/*.test.ts"], environment: "node", testTimeout: 120_000, hookTimeout: 120_000 },
      },
    ],
  },
});
