import type { StampedTicket, TrackerApi } from "../contract";
import { COMMENT_TEXT, describe, type CommentCall } from "../kit/comment-call";
import { trackerRequest } from "../kit/http";
import { withSuffix } from "../kit/url";

const COMMENT_CREATE = "mutation CommentCreate($input: CommentCreateInput!) { commentCreate(input: $input) { success } }";

/**
 * Personal API keys (`lin_api_…`) go bare in Authorization; OAuth access
 * tokens as `Bearer` (Linear's API docs, "Authentication").
 */
export function linearAuthorization(token: string): string {
  return token.startsWith("lin_api_") ? token : `Bearer ${token}`;
}

type GraphQLAnswer = { data?: { commentCreate?: { success?: boolean } | null } | null; errors?: unknown } | null;

/**
 * GraphQL reports failure inside a 200: `errors`, or `success: false`. An
 * answer without a GraphQL envelope (a proxy's, the dev stack's mock) is taken
 * as delivered, since the HTTP status already said so.
 */
export function commentCreated(answer: unknown): boolean {
  const a = (typeof answer === "object" ? answer : null) as GraphQLAnswer;
  if (Array.isArray(a?.errors) && a.errors.length > 0) return false;
  return a?.data === undefined || a.data?.commentCreate?.success === true;
}

/** GraphQL `commentCreate` on the issue (its UUID is the ticket key). */
export function commentCall(ticket: StampedTicket, body: string, api: TrackerApi): CommentCall {
  return {
    method: "POST",
    url: withSuffix(api.baseUrl, "/graphql"),
    headers: { authorization: linearAuthorization(api.token) },
    body: { query: COMMENT_CREATE, variables: { input: { issueId: ticket.key, body } } },
    // In a prompt the token's shape is unknown: the bare form is said in words.
    note: `a personal API key (lin_api_…) goes without "Bearer "; an answer with "errors" or "success": false did not comment`,
  };
}

/** Not the kit's `send`: GraphQL's 200 may still carry a failure. */
export async function writeBack(ticket: StampedTicket, body: string, api: TrackerApi): Promise<void> {
  const call = commentCall(ticket, body, api);
  const answer = await trackerRequest(call.method, call.url, call.headers, call.body);
  if (!commentCreated(answer)) throw new Error("Linear commentCreate failed");
}

export const commentInstruction = (ticket: StampedTicket, api: TrackerApi) => describe(commentCall(ticket, COMMENT_TEXT, api));
