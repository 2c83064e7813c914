/**
 * Every size the bridge enforces, in one place: what the request path keeps,
 * what a queue message may carry, and what reaches Devin.
 */
/** Deeper JSON is no tracker's payload; real ones stay under 10 levels. */
export const MAX_JSON_DEPTH = 64;
/**
 * A queue message may be 128 KB (V8-serialised). Budget its JSON at 96 KB of
 * UTF-8, which is never smaller than the V8 form, to leave room for overhead.
 */
export const MAX_QUEUED_BYTES = 96_000;
/** Longer descriptions are cut: a prompt is not the place for logs and dumps. */
export const MAX_DESCRIPTION_CHARS = 20_000;
/**
 * An HTML description (`descriptionFormat: "html"`) is queued as HTML and converted in the
 * workflow: cut to this many characters, three times the text's cap (markup is longer than its words).
 */
export const MAX_HTML_DESCRIPTION_CHARS = 3 * MAX_DESCRIPTION_CHARS;
/** One title limit, for what is queued and what Devin reads. */
export const MAX_TITLE_CHARS = 300;
/** Devin's session title: id, title and tracker on one line. */
export const MAX_SESSION_TITLE_CHARS = 200;
/** Ids, keys and names (project, author). */
export const MAX_NAME_CHARS = 256;
export const MAX_URL_CHARS = 2_000;
// Labels only matter for routing, which has already seen them all; the job keeps a readable few.
export const MAX_LABELS = 50;
export const MAX_LABEL_CHARS = 100;
/** A forwarded comment. */
export const MAX_FOLLOW_UP_CHARS = 10_000;
/** A skip or refusal reason in an answer or a log line. */
export const MAX_REASON_CHARS = 300;
