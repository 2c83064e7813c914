import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Request-path CPU microbenchmark (bench/request-path.bench.ts), in Node, on the real src/ code.
// Run by `npm run bench` (bench/run.ts); alone: npx vitest bench --run --config bench/vitest.bench.config.ts
const root = fileURLToPath(new URL("..", import.meta.url));
// bench/run.ts runs this from a snapshot of the tree and says where the fixtures are.
const fixturesDir = process.env.BENCH_FIXTURES ?? fileURLToPath(new URL("../../shared/fixtures", import.meta.url));
const fixtures: Record<string, string> = Object.fromEntries(
  readdirSync(fixturesDir)
    .filter((f) => f.endsWith(".json"))
    .map((f) => [f, readFileSync(join(fixturesDir, f), "utf8")]),
);

export default defineConfig({
  root,
  resolve: {
    alias: { "cloudflare:workers": fileURLToPath(new URL("./stubs/cloudflare-workers.ts", import.meta.url)) },
  },
  test: {
    environment: "node",
    include: [],
    provide: { fixtures },
    benchmark: {
      include: ["bench/*.bench.ts"],
      outputJson: process.env.BENCH_CPU_JSON ?? "bench/out/cpu.json",
    },
  },
});
