import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { runNode } from "./proc.ts";

export interface BundleResult {
  files: { name: string; bytes: number; gzipBytes: number }[];
  rawBytes: number;
  gzipBytes: number;
  /** Wrangler's own "Total Upload: … / gzip: …" line, when it printed one. */
  wranglerLine?: string;
}

/** `wrangler deploy --dry-run --outdir <tmp>`: what would be uploaded, raw and gzipped (node:zlib, level 9). */
export async function runBundle(root: string): Promise<BundleResult> {
  const outdir = mkdtempSync(join(tmpdir(), "bridge-bundle-"));
  try {
    const res = await runNode([join(root, "node_modules/wrangler/bin/wrangler.js"), "deploy", "--dry-run", "--outdir", outdir], {
      cwd: root,
      timeoutMs: 120_000,
    });
    if (res.code !== 0) throw new Error(`wrangler deploy --dry-run failed (${res.timedOut ? "timeout" : `exit ${res.code}`}):\n${(res.stdout + res.stderr).slice(-3000)}`);
    const files = readdirSync(outdir, { recursive: true, encoding: "utf8" })
      .filter((f) => /\.(m?js|wasm)$/.test(f) && statSync(join(outdir, f)).isFile())
      .map((name) => {
        const bytes = readFileSync(join(outdir, name));
        return { name, bytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length };
      });
    if (files.length === 0) throw new Error(`wrangler wrote no module to ${outdir}`);
    const wranglerLine = /Total Upload:[^\n]*/.exec(res.stdout + res.stderr)?.[0]?.trim();
    return {
      files,
      rawBytes: files.reduce((n, f) => n + f.bytes, 0),
      gzipBytes: files.reduce((n, f) => n + f.gzipBytes, 0),
      wranglerLine,
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
