import type { ContentfulStatusCode } from "hono/utils/http-status";

/** Every error answer has this shape: `{"error":{"code","message"}}`. */
export interface ErrorBody {
  error: { code: string; message: string; [extra: string]: unknown };
}

export class ApiError extends Error {
  readonly status: ContentfulStatusCode;
  readonly code: string;
  readonly extra: Record<string, unknown>;
  constructor(status: ContentfulStatusCode, code: string, message: string, extra: Record<string, unknown> = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.extra = extra;
  }

  body(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...this.extra } };
  }
}
