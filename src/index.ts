import { Hono } from "hono";
import { methodNotAllowed } from "hono/method-not-allowed";
import { admin } from "./admin";
import { ApiError } from "./http/errors";
import type { AppEnv } from "./http/types";
import { log } from "./log";
import { consumeDeadLetters, consumeTickets } from "./queue/consumer";
import { health } from "./routes/health";
import { tickets } from "./routes/tickets";
import { webhooks } from "./routes/webhooks";
import type { QueueMessage } from "./queue/messages";

export { SpendGuard } from "./guards/spend-guard";
export { TicketRun } from "./workflows/ticket-run";

const app = new Hono<AppEnv>();

// The bridge's own id for every request: a client's X-Request-Id is neither trusted nor echoed (it would forge log lines).
app.use(async (c, next) => {
  const id = crypto.randomUUID();
  c.set("requestId", id);
  c.header("x-request-id", id);
  await next();
});
app.route("/", health);
app.route("/webhooks", webhooks);
app.route("/tickets", tickets);
app.route("/admin", admin);
app.use(
  methodNotAllowed({
    app,
    onMethodNotAllowed: (c, methods) =>
      c.json({ error: { code: "method_not_allowed", message: `use ${methods.join(", ")}` } }, 405, {
        Allow: methods.join(", "),
      }),
  }),
);
app.notFound((c) => c.json({ error: { code: "not_found", message: "no such route" } }, 404));
app.onError((err, c) => {
  if (err instanceof ApiError) return c.json(err.body(), err.status);
  log("error", "unhandled", { request_id: c.get("requestId"), error: err.name });
  return c.json({ error: { code: "internal", message: "internal error" } }, 500);
});

export default {
  fetch: app.fetch,
  async queue(batch, env) {
    if (batch.queue.endsWith("-dlq")) await consumeDeadLetters(batch, env);
    else await consumeTickets(batch, env);
  },
} satisfies ExportedHandler<Env, QueueMessage>;
