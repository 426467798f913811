// Per-request metrics and a debug log line for every request. Outermost middleware, so it sees
// the final status of every response, errors included.
import type { Context, Next } from "koa";
import type { Logger } from "pino";
import type { Metrics } from "../metrics.js";

/**
 * The route pattern the router matched (`/feeds/:file`), never the raw path: a label per URL
 * would let any client grow the metrics without bound.
 */
function routeOf(ctx: Context): string {
  const matched = (ctx as { _matchedRoute?: string | RegExp })._matchedRoute;
  return matched === undefined ? "unmatched" : String(matched);
}

export function observeRequests(logger: Logger, metrics: Metrics | undefined) {
  return async (ctx: Context, next: Next): Promise<void> => {
    const started = performance.now();
    try {
      await next();
    } finally {
      const ms = performance.now() - started;
      const route = routeOf(ctx);
      metrics?.recordRequest(route, ctx.method, ctx.status, ms / 1000);
      // Headers are left out on purpose: Authorization carries the admin token.
      logger.debug(
        {
          method: ctx.method,
          route,
          path: ctx.path,
          status: ctx.status,
          ms: Math.round(ms * 10) / 10,
        },
        "request",
      );
    }
  };
}
