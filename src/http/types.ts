import type { RequestIdVariables } from "hono/request-id";
import type { Config } from "../config";

export interface AppEnv {
  Bindings: Env;
  Variables: RequestIdVariables & { config: Config };
}
