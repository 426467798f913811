// Operator actions: POST /admin/poll, POST /admin/sources/{id}/poll, POST /admin/reload.
// Every /admin path is guarded by `adminGuard` (in app.ts, before the router), so without
// ADMIN_TOKEN the whole tree is a 404 and with a wrong token a 401, whatever the path or method.
import type Router from "@koa/router";
import type { Context, Next } from "koa";
import type { ReloadResult } from "../../reload.js";
import type { AppDeps } from "../app.js";
import { bearerToken, tokenMatches } from "../auth.js";
import { HttpError, notFound } from "../errors.js";
import { sendJson } from "../respond.js";

export interface AdminActions {
  /** Starts a poll of every enabled source (backoff ignored); returns their ids. */
  pollAll(): string[];
  /** Starts a poll of one configured source; false when there is no such source. */
  pollSource(sourceId: string): boolean;
  /** Reads and applies the config file; absent when the service runs without one. */
  reload?(): Promise<ReloadResult>;
}

const isAdminPath = (path: string) => path === "/admin" || path.startsWith("/admin/");

/** Disabled (404) without a token configured; 401 without detail for a missing or wrong one. */
export function adminGuard(deps: AppDeps) {
  return async (ctx: Context, next: Next): Promise<void> => {
    if (!isAdminPath(ctx.path)) return next();
    const expected = deps.getConfig().adminToken;
    if (!expected || !deps.admin) throw new HttpError(404, "not found");
    // Never log or echo the presented token: the error carries only the status.
    if (!tokenMatches(bearerToken(ctx.get("Authorization")), expected)) {
      throw new HttpError(401, "unauthorized", { "WWW-Authenticate": "Bearer" });
    }
    ctx.set("Cache-Control", "no-store");
    return next();
  };
}

export function registerAdminRoutes(router: Router, deps: AppDeps): void {
  const actions = () => {
    if (!deps.admin) throw notFound("not found"); // unreachable behind adminGuard
    return deps.admin;
  };

  router.post("/admin/poll", (ctx) => {
    const sources = actions().pollAll();
    sendJson(ctx, { accepted: true, sources }, 202);
  });

  router.post("/admin/sources/:id/poll", (ctx) => {
    const id = ctx.params.id ?? "";
    if (!actions().pollSource(id)) {
      const known = deps
        .getConfig()
        .sources.map((s) => s.id)
        .join(", ");
      throw notFound(`unknown source ${JSON.stringify(id)} (known: ${known || "none"})`);
    }
    sendJson(ctx, { accepted: true, sources: [id] }, 202);
  });

  router.post("/admin/reload", async (ctx) => {
    const reload = actions().reload;
    if (!reload) {
      throw new HttpError(409, "no config file to reload: the service was started without one");
    }
    const result = await reload();
    if (result.reloaded) sendJson(ctx, result);
    else sendJson(ctx, { error: "invalid config", problems: result.problems }, 422);
  });
}
