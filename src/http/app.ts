// Koa assembly: the only module that builds the HTTP application. Errors from every route end
// in `errorBoundary`, the one place that decides status, message and logging.
import Router from "@koa/router";
import Koa, { type Context, type Next } from "koa";
import type { Logger } from "pino";
import type { Config } from "../config/types.js";
import type { SourceState } from "../model/source.js";
import type { FeedPublisher } from "../publish/types.js";
import type { Store } from "../store/store.js";
import { corsHeaders } from "./cors.js";
import { describeError, HttpError } from "./errors.js";
import { sendJson } from "./respond.js";
import { registerApiRoutes } from "./routes/api.js";
import { registerFeedRoutes } from "./routes/feeds.js";
import { registerHomeRoute } from "./routes/home.js";
import { registerOpsRoutes } from "./routes/ops.js";

export interface AppDeps {
  /** Read per request: the config may be reloaded while the server runs. */
  getConfig(): Config;
  store: Store;
  getPublisher(): FeedPublisher;
  /** When the source will next be polled, given its stored state (backoff, gone). */
  nextPollAt(sourceId: string, state: SourceState | undefined): Date | undefined;
  logger: Logger;
}

export function createApp(deps: AppDeps): Koa {
  const app = new Koa();
  const router = new Router();
  registerFeedRoutes(router, deps);
  registerApiRoutes(router, deps);
  registerOpsRoutes(router, deps);
  registerHomeRoute(router, deps);

  app.use(corsHeaders);
  app.use(commonHeaders);
  app.use(errorBoundary(deps.logger));
  app.use(unansweredAsErrors);
  app.use(router.routes());
  app.use(router.allowedMethods());

  // Only reached for failures after the response started (a socket error): nothing to send.
  app.on("error", (err: unknown) => deps.logger.error({ err }, "http error outside a request"));
  return app;
}

async function commonHeaders(ctx: Context, next: Next): Promise<void> {
  await next();
  // Error messages echo query values; never let a browser sniff them into HTML.
  ctx.set("X-Content-Type-Options", "nosniff");
}

function errorBoundary(logger: Logger) {
  return async (ctx: Context, next: Next): Promise<void> => {
    try {
      await next();
    } catch (err) {
      const response = describeError(err);
      const request = { method: ctx.method, url: ctx.url };
      if (response.log === "error") logger.error({ err, request }, "request failed");
      if (response.log === "warn") logger.warn({ err, request }, response.message);
      // Drop whatever the handler set before failing (an ETag, a Content-Encoding…).
      for (const name of ctx.res.getHeaderNames()) ctx.res.removeHeader(name);
      ctx.set(response.headers);
      sendJson(ctx, { error: response.message }, response.status);
    }
  };
}

/** No route answered (404), or the path exists for other methods (405/501 from the router). */
async function unansweredAsErrors(ctx: Context, next: Next): Promise<void> {
  await next();
  if (ctx.body !== undefined && ctx.body !== null) return;
  if (ctx.status === 404) throw new HttpError(404, "not found");
  if (ctx.status === 405 || ctx.status === 501) {
    const message = ctx.status === 405 ? "method not allowed" : "method not implemented";
    throw new HttpError(ctx.status, message, { Allow: ctx.response.get("Allow") });
  }
}
