// The HTTP layer's errors and the one table that decides what a client may see of any error.
// Handlers and the pure validators throw these; app.ts turns every thrown value into a
// response through `describeError`, so exposure is decided in exactly one place.
import { InvalidCursorError, StoreUnavailableError } from "../store/store.js";

/** An error whose message is written for the client. */
export class HttpError extends Error {
  override name = "HttpError";
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;

  constructor(status: number, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.headers = headers;
  }
}

export const badRequest = (message: string): HttpError => new HttpError(400, message);
export const notFound = (message: string): HttpError => new HttpError(404, message);

/** Seconds a client should wait before retrying while the store is down. */
export const STORE_RETRY_AFTER_SECONDS = 5;

export interface ErrorResponse {
  status: number;
  message: string;
  headers: Record<string, string>;
  /**
   * How the server logs it: an unknown error is a bug, logged with its stack; an outage is
   * summarised (outage-log.ts); anything else is the client's, seen in the request line.
   */
  log: "none" | "outage" | "error";
}

/**
 * Maps anything thrown while handling a request to what the client is told. Only messages
 * written for clients pass through; everything else becomes "internal error" so stack traces,
 * paths and backend addresses never leave the process.
 */
export function describeError(err: unknown): ErrorResponse {
  if (err instanceof HttpError) {
    return { status: err.status, message: err.message, headers: { ...err.headers }, log: "none" };
  }
  if (err instanceof InvalidCursorError) {
    return {
      status: 400,
      message: "cursor: not a valid cursor; pass the `next` value of a page unchanged",
      headers: {},
      log: "none",
    };
  }
  if (err instanceof StoreUnavailableError) {
    // The detail (host, errno) goes to the log, not to the client.
    return {
      status: 503,
      message: "store unavailable, retry later",
      headers: { "Retry-After": String(STORE_RETRY_AFTER_SECONDS) },
      log: "outage",
    };
  }
  const status = exposedClientStatus(err);
  if (status !== undefined && err instanceof Error) {
    // http-errors thrown by Koa itself (e.g. a malformed request) mark client errors `expose`.
    return { status, message: err.message, headers: {}, log: "none" };
  }
  return { status: 500, message: "internal error", headers: {}, log: "error" };
}

function exposedClientStatus(err: unknown): number | undefined {
  if (typeof err !== "object" || err === null) return undefined;
  const { status, expose } = err as { status?: unknown; expose?: unknown };
  if (expose !== true || typeof status !== "number") return undefined;
  return status >= 400 && status < 500 ? status : undefined;
}
