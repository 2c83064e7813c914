import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { ApiError } from "../http/errors";
import { requireConfig, requireJson } from "../http/middleware";
import type { AppEnv } from "../http/types";
import { intake, type IntakeResult } from "../intake";
import { log } from "../log";
import { findTracker, trackerIds } from "../trackers";
import { DeliveryStore } from "../store/deliveries";
import { TicketStore } from "../store/tickets";

export const MAX_BODY_BYTES = 1024 * 1024;

export const webhooks = new Hono<AppEnv>();

const tooLarge = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: () => {
    throw new ApiError(413, "payload_too_large", `the body exceeds ${MAX_BODY_BYTES} bytes`);
  },
});

webhooks.post("/:source/:secret?", requireConfig, requireJson, tooLarge, async (c) => {
  const name = c.req.param("source");
  const source = findTracker(name);
  // The name is not echoed: a secret posted to `/webhooks/<secret>` would come straight back.
  if (!source) throw new ApiError(404, "unknown_source", `no such webhook source; known: ${trackerIds().join(", ")}`);

  const raw = new Uint8Array(await c.req.arrayBuffer());
  const requestId = c.get("requestId");
  let result: IntakeResult;
  try {
    result = await intake(
      source,
      { raw, headers: c.req.raw.headers, url: new URL(c.req.url) },
      c.req.param("secret"),
      {
        config: c.get("config"),
        store: new TicketStore(c.env.TICKETS),
        deliveries: new DeliveryStore(c.env.TICKETS),
        enqueue: async (job) => {
          await c.env.TICKET_QUEUE.send(job);
        },
        requestId,
      },
    );
  } catch (err) {
    // KV or the queue failed us, not the sender: 503 asks the tracker to retry, and nothing was remembered.
    log("error", "webhook", {
      request_id: requestId,
      source: source.id,
      decision: "unavailable",
      error: err instanceof Error ? err.name : typeof err,
    });
    throw new ApiError(503, "unavailable", "the bridge could not take this delivery now; retry later");
  }

  const ticket_key =
    "job" in result ? result.job.ticketKey : "record" in result ? result.record.ticket_key : "ticketKey" in result ? result.ticketKey : undefined;
  log(result.kind === "unauthorized" || result.kind === "invalid" ? "warn" : "info", "webhook", {
    request_id: requestId,
    source: source.id,
    decision: result.kind,
    ticket_key,
    delivery_id: result.kind === "replayed" ? result.deliveryId : undefined,
    reason: "reason" in result ? result.reason : undefined,
    // A dry run exists to show what Devin would get; the secret's value is already redacted.
    devin_request: result.kind === "dry_run" ? result.request : undefined,
  });

  switch (result.kind) {
    case "unauthorized":
      throw new ApiError(401, "unauthorized", "missing or invalid webhook signature");
    case "invalid":
      throw new ApiError(400, "invalid_payload", result.reason);
    case "skipped":
      return c.json({ status: "skipped", reason: result.reason }, 200);
    case "replayed":
      return c.json({ status: "duplicate", reason: "delivery already seen", ...(result.ticketKey ? { ticket_key: result.ticketKey } : {}) }, 200);
    case "duplicate":
      return c.json(
        { status: "duplicate", ticket_key: result.record.ticket_key, session_id: result.record.session_id, url: result.record.url },
        200,
      );
    case "dry_run":
      return c.json(
        {
          status: "dry_run",
          ticket_key: result.job.ticketKey,
          label: result.job.label,
          // Which rule matched and why: what an operator checks a new ROUTES against.
          ...(result.job.route ? { route: { rule: result.job.route.rule ?? "PLAYBOOKS", kind: result.job.route.kind, why: result.job.route.why } } : {}),
          devin_request: result.request,
          write_back: result.writeBack,
        },
        200,
      );
    case "stopping":
      return c.json({ status: "stopping", ticket_key: result.job.ticketKey }, 202);
    case "forwarded":
      return c.json({ status: "forwarded", ticket_key: result.job.ticketKey, session_id: result.job.sessionId }, 202);
    case "accepted":
      return c.json(
        {
          status: "accepted",
          ticket_key: result.job.ticketKey,
          playbook: result.job.playbookId,
          label: result.job.label,
          ...(result.retry ? { retry: true } : {}),
          ...(result.job.run && result.job.run > 1 ? { run: result.job.run } : {}),
        },
        202,
      );
  }
});
