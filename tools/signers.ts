/**
 * How each tracker signs a webhook: the headers it sends and how it
 * authenticates. Pure WebCrypto, so it runs in Node (`npm run send`) and
 * inside workerd (the test that holds every signer against its adapter).
 */
export interface SignedRequest {
  /** Path under the bridge, e.g. `/webhooks/gitlab` (the path-secret form for senders that cannot sign). */
  path: string;
  headers: Record<string, string>;
}

export interface SourceSample {
  /** Fixture file in ../shared/fixtures; `null` = built-in generic ticket. */
  fixture: string | null;
  sign(body: Uint8Array<ArrayBuffer>, secret: string): Promise<SignedRequest>;
}

const enc = new TextEncoder();

async function hmacHex(hash: "SHA-256" | "SHA-1", secret: string, body: Uint8Array<ArrayBuffer>): Promise<string> {
  const key = await crypto.subtle.importKey("raw", enc.encode(secret), { name: "HMAC", hash }, false, ["sign"]);
  const sig = new Uint8Array(await crypto.subtle.sign("HMAC", key, body));
  return [...sig].map((b) => b.toString(16).padStart(2, "0")).join("");
}

const json = { "content-type": "application/json" };
const delivery = () => crypto.randomUUID();

const giteaLike = (name: "Gitea" | "Forgejo", fixture: string): SourceSample => ({
  fixture,
  async sign(body, secret) {
    const id = delivery();
    const hex = await hmacHex("SHA-256", secret, body);
    return {
      path: `/webhooks/${name.toLowerCase()}`,
      headers: {
        ...json,
        [`x-${name.toLowerCase()}-event`]: "issues",
        [`x-${name.toLowerCase()}-event-type`]: "issues",
        [`x-${name.toLowerCase()}-delivery`]: id,
        [`x-${name.toLowerCase()}-signature`]: hex,
        "x-hub-signature-256": `sha256=${hex}`,
      },
    };
  },
});

export const SAMPLES: Record<string, SourceSample> = {
  tickets: {
    fixture: null,
    async sign(body, secret) {
      return { path: "/webhooks/tickets", headers: { ...json, "x-hub-signature-256": `sha256=${await hmacHex("SHA-256", secret, body)}` } };
    },
  },
  github: {
    fixture: "github-issue-labeled.json",
    async sign(body, secret) {
      return {
        path: "/webhooks/github",
        headers: {
          ...json,
          "x-github-event": "issues",
          "x-github-delivery": delivery(),
          "x-hub-signature-256": `sha256=${await hmacHex("SHA-256", secret, body)}`,
        },
      };
    },
  },
  gitea: giteaLike("Gitea", "gitea-issue-opened.json"),
  forgejo: giteaLike("Forgejo", "gitea-issue-opened.json"),
  gitlab: {
    fixture: "gitlab-issue-open.json",
    async sign(_body, secret) {
      return {
        path: "/webhooks/gitlab",
        headers: { ...json, "x-gitlab-event": "Issue Hook", "x-gitlab-event-uuid": delivery(), "idempotency-key": delivery(), "x-gitlab-token": secret },
      };
    },
  },
  jira: {
    fixture: "jira-dc-issue-created.json",
    // Jira Data Center signs nothing: the secret is the last path segment.
    async sign(_body, secret) {
      return { path: `/webhooks/jira/${encodeURIComponent(secret)}`, headers: { ...json } };
    },
  },
  youtrack: {
    fixture: "youtrack-workflow-issue-created.json",
    async sign(_body, secret) {
      return { path: "/webhooks/youtrack", headers: { ...json, authorization: `Bearer ${secret}` } };
    },
  },
  redmine: {
    fixture: "redmine-issue-created.json",
    async sign(body, secret) {
      return { path: "/webhooks/redmine", headers: { ...json, "x-redmine-signature-256": `sha256=${await hmacHex("SHA-256", secret, body)}` } };
    },
  },
  bugzilla: {
    fixture: "bugzilla-bmo-bug-create.json",
    async sign(_body, secret) {
      return { path: "/webhooks/bugzilla", headers: { ...json, "x-devin-bridge-key": secret } };
    },
  },
  zammad: {
    fixture: "zammad-ticket-created.json",
    async sign(body, secret) {
      return {
        path: "/webhooks/zammad",
        headers: {
          ...json,
          "x-zammad-trigger": "Devin: autofix tag added",
          "x-zammad-delivery": delivery(),
          "x-hub-signature": `sha1=${await hmacHex("SHA-1", secret, body)}`,
        },
      };
    },
  },
  openproject: {
    fixture: "openproject-work-package-created.json",
    async sign(body, secret) {
      return { path: "/webhooks/openproject", headers: { ...json, "x-op-signature": `sha1=${await hmacHex("SHA-1", secret, body)}` } };
    },
  },
  plane: {
    fixture: "plane-issue-created.json",
    async sign(body, secret) {
      return {
        path: "/webhooks/plane",
        headers: { ...json, "x-plane-event": "issue", "x-plane-delivery": delivery(), "x-plane-signature": await hmacHex("SHA-256", secret, body) },
      };
    },
  },
  taiga: {
    fixture: "taiga-issue-created.json",
    async sign(body, secret) {
      const hex = await hmacHex("SHA-1", secret, body);
      return { path: "/webhooks/taiga", headers: { ...json, "x-taiga-webhook-signature": hex, "x-hub-signature": `sha1=${hex}` } };
    },
  },
};

/** The generic sample ticket, for `/webhooks/tickets`. */
export function genericTicket(id = `DEMO-${Date.now().toString(36)}`): string {
  return JSON.stringify({
    id,
    title: "Checkout returns 500 when cart is empty",
    description: "Steps: empty the cart, press Checkout.\nExpected: a validation message. Actual: HTTP 500.",
    labels: ["bug", "devin-autofix"],
    url: `https://tickets.example.test/${id}`,
    project: "shop",
  });
}
