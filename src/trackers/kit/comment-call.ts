import { trackerRequest } from "./http";

/**
 * One comment call on a tracker's API, as data: what write-back sends and
 * what the prompt tells Devin to send. A tracker builds it once; `send` and
 * `describe` are the only two readers, so the two cannot drift apart.
 */
export interface CommentCall {
  method: string;
  url: string;
  /** The auth header (and any other the API insists on); the token is `api.token`, `$TICKET_API_TOKEN` in a prompt. */
  headers: Record<string, string>;
  body: unknown;
  /** What Devin must know beyond the call itself (a version to read first, an encoding). */
  note?: string;
}

/** The token as a prompt names it: Devin's session secret of that name. */
export const PROMPT_TOKEN = "$TICKET_API_TOKEN";

/**
 * `Basic base64(user:password)`, from `credentials` = `user:password` as UTF-8. In a prompt the
 * password is the secret's name, which Devin expands and encodes: the header says how, unwrapped
 * (`-w0`), since `base64` breaks lines after 76 characters and a long key would split the header.
 */
export function basicAuth(credentials: string): string {
  if (credentials.includes(PROMPT_TOKEN)) return `Basic $(printf '%s' "${credentials}" | base64 -w0)`;
  return `Basic ${btoa(String.fromCharCode(...new TextEncoder().encode(credentials)))}`;
}

/** Where the comment's text goes in a described call's body. */
export const COMMENT_TEXT = "<your comment>";

export async function send(call: CommentCall): Promise<void> {
  await trackerRequest(call.method, call.url, call.headers, call.body);
}

/** `POST <url> with the header(s) `name: value` and the JSON body {...}.` */
export function describe(call: CommentCall): string {
  const headers = Object.entries(call.headers).map(([name, value]) => `"${name}: ${value}"`);
  return [
    `To comment, send ${call.method} ${call.url} with the header${headers.length > 1 ? "s" : ""} ${headers.join(", ")}`,
    `and the JSON body ${JSON.stringify(call.body)}${call.note ? `; ${call.note}` : ""}.`,
  ].join(" ");
}
