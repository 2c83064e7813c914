// The npm registry reachable from this project's machines lacks some platform
// builds (e.g. @cloudflare/workerd-darwin-64). npm still lists them as optional
// dependencies in package-lock.json without an entry of their own, and `npm ci`
// then refuses the lock as "out of sync". Run after any `npm install` that
// rewrites the lock: `npm run lock:prune`.
import { readFileSync, writeFileSync } from "node:fs";

const path = new URL("../package-lock.json", import.meta.url);
const lock = JSON.parse(readFileSync(path, "utf8"));
const keys = Object.keys(lock.packages);
const pruned = [];
for (const [name, entry] of Object.entries(lock.packages)) {
  for (const dep of Object.keys(entry.optionalDependencies ?? {})) {
    if (!keys.some((k) => k.endsWith(`node_modules/${dep}`))) {
      delete entry.optionalDependencies[dep];
      pruned.push(`${name} → ${dep}`);
    }
  }
  if (entry.optionalDependencies && Object.keys(entry.optionalDependencies).length === 0) delete entry.optionalDependencies;
}
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
console.log(pruned.length ? `pruned:\n  ${pruned.join("\n  ")}` : "nothing to prune");
