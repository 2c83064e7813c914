/** `https://host/sub/` → `https://host/sub`: one spelling of a base URL for every tracker. */
export function trimBase(url: string): string {
  return url.trim().replace(/\/+$/, "");
}

/** The URL when it is absolute http(s), trimmed; otherwise undefined. */
export function httpBase(url: string | null | undefined): string | undefined {
  const trimmed = url ? trimBase(url) : "";
  return /^https?:\/\/[^/]/i.test(trimmed) && URL.canParse(trimmed) ? trimmed : undefined;
}

/** `base` + `suffix` unless the base already ends with it (operators give either the site or its API root). */
export function withSuffix(base: string, suffix: string): string {
  const trimmed = trimBase(base);
  return trimmed.toLowerCase().endsWith(suffix.toLowerCase()) ? trimmed : `${trimmed}${suffix}`;
}

/** The part of `url` before `marker` (`https://jira/rest/api/2/issue/1` → `https://jira`), when it is an http(s) URL. */
export function rootBefore(url: string | null | undefined, marker: string): string | undefined {
  const at = url?.indexOf(marker) ?? -1;
  return at > 0 ? httpBase(url!.slice(0, at)) : undefined;
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/**
 * The base URL write-back may send the API token to: https, or http to a
 * loopback host (local development) or where the operator allowed it.
 */
export function writeBackBase(url: string | undefined, allowHttp: boolean): string | undefined {
  const base = httpBase(url);
  if (!base) return undefined;
  const { protocol, hostname, username, password } = new URL(base);
  if (username || password) return undefined;
  if (protocol === "https:") return base;
  return allowHttp || LOOPBACK.test(hostname) ? base : undefined;
}
