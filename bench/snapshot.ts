import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from "node:fs";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";

/** What the Worker, its test helpers and the bench need; never `.dev.vars` (the bench passes every value with --var). */
const ENTRIES = [
  "src",
  "test/support",
  "bench",
  "wrangler.toml",
  "package.json",
  "tsconfig.json",
  "tsconfig.node.json",
  "worker-configuration.d.ts",
];

export interface Snapshot {
  dir: string;
  /** sha256 of every file under src/ and wrangler.toml, first 12 hex: which code was measured. */
  codeHash: string;
  remove(): void;
}

/**
 * A copy of the working tree at one moment, with node_modules linked. The bench
 * runs everything from it, so edits made meanwhile (a shared tree) neither
 * reload `wrangler dev` mid-run nor mix two versions of src/ in one result.
 */
export function takeSnapshot(root: string): Snapshot {
  const dir = mkdtempSync(join(tmpdir(), "bridge-bench-"));
  for (const entry of ENTRIES) {
    const from = join(root, entry);
    if (!existsSync(from)) continue;
    cpSync(from, join(dir, entry), {
      recursive: true,
      filter: (src) => !/[/\\]bench[/\\](out|results\.md)/.test(src),
    });
  }
  symlinkSync(join(root, "node_modules"), join(dir, "node_modules"), "dir");
  const hash = createHash("sha256");
  const walk = (d: string): string[] =>
    readdirSync(d)
      .sort()
      .flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : [join(d, n)]));
  for (const file of [...walk(join(dir, "src")), join(dir, "wrangler.toml")]) {
    hash.update(relative(dir, file)).update("\0").update(readFileSync(file)).update("\0");
  }
  return { dir, codeHash: hash.digest("hex").slice(0, 12), remove: () => rmSync(dir, { recursive: true, force: true }) };
}
