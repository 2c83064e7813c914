/** The configuration tests run with. Values are fake but shaped like real ones. */
export const TEST_BINDINGS = {
  DEVIN_API_KEY: "cog_test_key_1f2e3d4c5b6a",
  DEVIN_ORG_ID: "org-test-0001",
  TICKET_API_TOKEN: "tkt_test_token_9a8b7c6d",
  // The secret the case tables sign their deliveries with (src/trackers/<id>/cases.ts).
  WEBHOOK_SECRET: "devin-bridge-test-secret",
  DEVIN_API_BASE: "http://devin.mock",
  PLAYBOOKS: JSON.stringify({ "devin-autofix": "playbook-autofix-0001", "devin-feature": "playbook-feature-0002" }),
  // Bugzilla sends no description: the bridge reads comment 0 from its REST API (the tracker mock).
  BUGZILLA_BASE_URL: "http://tracker.mock",
  BUGZILLA_API_KEY: "bz-test-key-5e6f",
  // Redmine 7's payload carries no URL: write-back needs the base (the tracker mock).
  REDMINE_BASE_URL: "http://tracker.mock",
  // The tracker mock is plain http on a non-loopback name: the operator's opt-in, as a private network would need.
  ALLOW_HTTP_WRITEBACK: "true",
  // Write-back for the generic source, and the status endpoints.
  TICKETS_COMMENT_URL: "http://tracker.mock/api/tickets/{id}/comments",
  ADMIN_TOKEN: "admin-test-token-0123456789",
  // Follow sessions every minute, at most a day (the tests skip the sleeps).
  FOLLOW_INTERVAL_SECONDS: "60",
} as const;
