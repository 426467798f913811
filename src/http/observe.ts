// Per-request metrics, a debug log line for every request, and the outage log. Outermost
// middleware, so it sees the final status of every response, errors included.
import type { Context, Next } from "koa";
import type { Logger } from "pino";
import type { Metrics } from "../metrics.js";
import type { OutageLog } from "./outage-log.js";

/** ctx.state key: the client-facing message of an expected failure, for the request line. */
const FAILURE = "failure";

/** Records why a request failed, so its one log line says it (no stack: it is no bug). */
export function noteFailure(ctx: Context, message: string): void {
  ctx.state[FAILURE] = message;
}

/**
 * The route pattern the router matched (`/feeds/:file`), never the raw path: a label per URL
 * would let any client grow the metrics without bound.
 */
function routeOf(ctx: Context): string {
  const matched = (ctx as { _matchedRoute?: string | RegExp })._matchedRoute;
  return matched === undefined ? "unmatched" : String(matched);
}

export function observeRequests(logger: Logger, metrics: Metrics | undefined, outage: OutageLog) {
  return async (ctx: Context, next: Next): Promise<void> => {
    const started = performance.now();
    try {
      await next();
    } finally {
      const ms = performance.now() - started;
      const route = routeOf(ctx);
      metrics?.recordRequest(route, ctx.method, ctx.status, ms / 1000);
      outage.observe(ctx, route);
      const error = ctx.state[FAILURE] as string | undefined;
      // Headers are left out on purpose: Authorization carries the admin token.
      logger.debug(
        {
          method: ctx.method,
          route,
          path: ctx.path,
          status: ctx.status,
          ms: Math.round(ms * 10) / 10,
          ...(error === undefined ? {} : { error }),
        },
        "request",
      );
    }
  };
}
