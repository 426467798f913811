// Koa assembly: the only module that builds the HTTP application. Errors from every route end
// in `errorBoundary`, the one place that decides status, message, form and logging.
import Router from "@koa/router";
import Koa, { type Context, type Next } from "koa";
import { type Role, roleServesReaders } from "../model/role.js";
import { CORS_HEADERS, isPublicPath } from "./cors.js";
import type { AppDeps } from "./deps.js";
import { errorPage } from "./error-page.js";
import { describeError, HttpError } from "./errors.js";
import { answersHtml } from "./html-routes.js";
import { noteFailure, observeRequests } from "./observe.js";
import { markStoreUnavailable, outageLog } from "./outage-log.js";
import { sendHtml, sendJson } from "./respond.js";
import { EXACT_PATHS } from "./route-matching.js";
import { adminRoutes } from "./routes/admin.js";
import { registerApiRoutes } from "./routes/api.js";
import { registerEmbedScriptRoute } from "./routes/embed-script.js";
import { registerFeedRoutes } from "./routes/feeds.js";
import { registerMetricsRoute } from "./routes/metrics.js";
import { registerOpmlRoutes } from "./routes/opml.js";
import { registerOpsRoutes } from "./routes/ops.js";
import { registerPageRoutes } from "./routes/pages.js";
import { registerWebSubRoutes } from "./routes/websub.js";

export interface AppOptions {
  /**
   * What this instance serves (serve --role, default all): a worker only answers /healthz,
   * /readyz, /metrics and /admin, with JSON errors, and renders no feed or page.
   */
  role?: Role;
}

export const NOT_SERVED_BY_WORKER = "not served by a worker instance (role worker)";

export function createApp(deps: AppDeps, options: AppOptions = {}): Koa {
  const role = options.role ?? "all";
  const readers = roleServesReaders(role);
  const app = new Koa();
  const router = new Router(EXACT_PATHS);
  if (readers) {
    registerFeedRoutes(router, deps);
    registerApiRoutes(router, deps);
    registerOpmlRoutes(router, deps);
    registerPageRoutes(router, deps);
    registerEmbedScriptRoute(router, deps);
  }
  registerOpsRoutes(router, deps);
  registerMetricsRoute(router, deps);
  // Hubs call back whichever instance the address leads to; any role answers from the store.
  registerWebSubRoutes(router, deps);

  app.use(observeRequests(deps.logger, deps.metrics, outageLog(deps.logger, deps.outageSummaryMs)));
  app.use(standardHeaders);
  app.use(errorBoundary(deps, readers));
  // Looks at what the routers below answered, the router's 405 for another method included.
  if (!readers) app.use(notServedByWorker);
  app.use(adminRoutes(deps, role));
  app.use(router.routes());
  app.use(router.allowedMethods());

  // Only reached for failures after the response started (a socket error): nothing to send.
  app.on("error", (err: unknown) => deps.logger.error({ err }, "http error outside a request"));
  return app;
}

/** Outside the error boundary: headers every response carries, errors included (set after). */
async function standardHeaders(ctx: Context, next: Next): Promise<void> {
  await next();
  // Error messages echo query values; never let a browser sniff them into HTML.
  ctx.set("X-Content-Type-Options", "nosniff");
  // Errors on public paths carry CORS too, so partner scripts can read the message.
  if (isPublicPath(ctx.path)) ctx.set(CORS_HEADERS);
}

/**
 * Around the routes of a worker: when none answered, a reader's path gets a 404 that says it is
 * served elsewhere; the /admin tree (disabled without ADMIN_TOKEN) keeps its plain 404.
 */
async function notServedByWorker(ctx: Context, next: Next): Promise<void> {
  await next();
  if (ctx.body !== undefined && ctx.body !== null) return;
  if (ctx.status !== 404) return; // 405/501 of a served path: the error boundary says which
  const admin = ctx.path === "/admin" || ctx.path.startsWith("/admin/");
  throw new HttpError(404, admin ? "not found" : NOT_SERVED_BY_WORKER);
}

/** `htmlErrors`: browsers get the error page (rendered with the pages' templates), else JSON. */
function errorBoundary(deps: AppDeps, htmlErrors: boolean) {
  const { logger } = deps;
  return async (ctx: Context, next: Next): Promise<void> => {
    try {
      await next();
      throwIfUnanswered(ctx);
    } catch (err) {
      const response = describeError(err);
      // Only a bug gets a stack in the log. Expected failures are one request line each (at
      // debug), and an outage is logged as a whole by the outage log.
      if (response.log === "error") {
        logger.error({ err, request: { method: ctx.method, url: ctx.url } }, "request failed");
      } else {
        noteFailure(ctx, response.message);
      }
      if (response.log === "outage") {
        markStoreUnavailable(ctx, err instanceof Error ? err.message : String(err));
      }
      // Drop whatever the handler set before failing (an ETag, a Content-Encoding…).
      for (const name of ctx.res.getHeaderNames()) ctx.res.removeHeader(name);
      ctx.set(response.headers);
      if (htmlErrors && answersHtml(ctx)) {
        const page = errorPage(pagesOf(deps), response.status, response.message, logger);
        ctx.set(page.headers);
        sendHtml(ctx, page.html, response.status);
      } else {
        sendJson(ctx, { error: response.message }, response.status);
      }
    }
  };
}

/** The pages of the config in force; none when they cannot be had (the plain page is sent). */
function pagesOf(deps: AppDeps) {
  try {
    return deps.getPages();
  } catch {
    return undefined;
  }
}

/** No route answered (404), or the path exists for other methods (405/501 from the router). */
function throwIfUnanswered(ctx: Context): void {
  if (ctx.body !== undefined && ctx.body !== null) return;
  if (ctx.status === 404) throw new HttpError(404, "not found");
  if (ctx.status === 405 || ctx.status === 501) {
    const message = ctx.status === 405 ? "method not allowed" : "method not implemented";
    throw new HttpError(ctx.status, message, { Allow: ctx.response.get("Allow") });
  }
}
