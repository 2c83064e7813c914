import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Request-path CPU microbenchmark (bench/request-path.bench.ts), in Node, on the real src/ code.
// Run by `npm run bench` (bench/run.ts); alone: npx vitest bench --run --config bench/vitest.bench.config.ts
const root = fileURLToPath(new URL("..", import.meta.url));
// Every tracker's fixtures (src/trackers/<id>/fixtures), by file name.
const trackersDir = join(root, "src/trackers");
const fixtures: Record<string, string> = Object.fromEntries(
  readdirSync(trackersDir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) => {
      const dir = join(trackersDir, d.name, "fixtures");
      return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".json")).map((f) => [f, readFileSync(join(dir, f), "utf8")]) : [];
    }),
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
