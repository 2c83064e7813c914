import type { Config } from "../config";
import type { SourceSettings } from "./types";

/**
 * Per-source settings: `GITLAB_BASE_URL` for source `gitlab`, falling back to
 * the bare name (`BASE_URL`, `WEBHOOK_SECRET`) shared by every source.
 */
export function sourceSettings(config: Pick<Config, "env">, source: string): SourceSettings {
  const prefix = envPrefix(source);
  return {
    get(name) {
      for (const variable of [`${prefix}_${name}`, name]) {
        const value = config.env[variable];
        if (typeof value === "string" && value.trim() !== "") return value.trim();
      }
      return undefined;
    },
  };
}

/** `GITLAB` for source `gitlab`: the prefix of a source's own variables. */
export function envPrefix(source: string): string {
  return source.toUpperCase().replace(/[^A-Z0-9]+/g, "_");
}
