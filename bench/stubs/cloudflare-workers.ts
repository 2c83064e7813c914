/**
 * Node stand-in for `cloudflare:workers`, so the CPU benchmark can import the
 * whole Worker (src/index.ts). Only the base classes src/ extends when its
 * modules load; workflows and Durable Objects never run in the benchmark.
 */
class Base {
  ctx: unknown;
  env: unknown;
  constructor(ctx: unknown, env: unknown) {
    this.ctx = ctx;
    this.env = env;
  }
}

export class WorkflowEntrypoint extends Base {}
export class DurableObject extends Base {}
export class WorkerEntrypoint extends Base {}
export class RpcTarget {}
export const env = {};
