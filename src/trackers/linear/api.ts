import type { StampedTicket, TrackerApi } from "../contract";
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

/** GraphQL `commentCreate`. GraphQL reports failure in a 200 answer, so `success` is checked. */
export async function writeBack(ticket: StampedTicket, body: string, api: TrackerApi): Promise<void> {
  const answer = (await trackerRequest("POST", withSuffix(api.baseUrl, "/graphql"), { authorization: linearAuthorization(api.token) }, {
    query: COMMENT_CREATE,
    variables: { input: { issueId: ticket.key, body } },
  })) as { data?: { commentCreate?: { success?: boolean } }; errors?: unknown[] } | null;
  if (answer?.data?.commentCreate?.success !== true) {
    throw new Error(`Linear commentCreate failed${Array.isArray(answer?.errors) ? ` (${answer.errors.length} GraphQL errors)` : ""}`);
  }
}
