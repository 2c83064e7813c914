import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { caseTableEnv } from "../test/support/case-tables.ts";

// Request-path CPU microbenchmark (bench/request-path.bench.ts), in Node, on the real src/ code.
// Run by `npm run bench` (bench/run.ts; `npm run bench -- --only cpu` for this part alone);
// directly: BENCH_ROUNDS=1 npx vitest bench --run --config bench/vitest.bench.config.ts
const root = fileURLToPath(new URL("..", import.meta.url));
// Every tracker folder with a case table (src/trackers/<id>/cases.ts): the bench builds its deliveries from them.
const trackersDir = join(root, "src/trackers");
const caseDirs = readdirSync(trackersDir, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(trackersDir, d.name, "cases.ts")))
  .map((d) => d.name);

export default defineConfig({
  root,
  resolve: {
    alias: { "cloudflare:workers": fileURLToPath(new URL("./stubs/cloudflare-workers.ts", import.meta.url)) },
  },
  test: {
    environment: "node",
    include: [],
    // The settings the case tables ask for (base URLs, URL labels, …), as the contract suite runs with them.
    provide: { caseDirs, caseEnv: await caseTableEnv() },
    benchmark: {
      include: ["bench/*.bench.ts"],
      outputJson: process.env.BENCH_CPU_JSON ?? "bench/out/cpu.json",
    },
  },
});
