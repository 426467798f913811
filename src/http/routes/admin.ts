// Operator actions: POST /admin/poll, POST /admin/sources/{id}/poll, POST /admin/reload, and the
// takedown of an entry: POST /admin/updates/{id}/hide and …/unhide, GET /admin/hidden.
// They live in a router of their own, every path under /admin and matched exactly, whose first
// middleware is the token check: the guard belongs to the routes, so the only way to an action
// is through it, and no spelling of a path can reach one without it.
// Without ADMIN_TOKEN the router is not consulted at all, so every /admin path ends as the 404
// of an unknown path; with one, every path of the tree and every method needs the token first.
import Router, { type RouterContext } from "@koa/router";
import type { Middleware } from "koa";
import type { OperatorPoll } from "../../model/poll.js";
import { type Role, rolePolls } from "../../model/role.js";
import { bearerToken, tokenMatches } from "../auth.js";
import type { AppDeps } from "../deps.js";
import { HttpError, notFound } from "../errors.js";
import { sendJson } from "../respond.js";
import { EXACT_PATHS } from "../route-matching.js";

/** What an admin poll on an instance that never polls answers (409), naming where to go. */
export const NOT_POLLING =
  "this instance does not poll (role api): ask a worker instance (serve --role worker or all) to poll";

/**
 * The admin tree as one middleware: the guarded router, or nothing at all when disabled. On an
 * instance of `role` api the poll actions answer 409 (after the token check); reload still works.
 */
export function adminRoutes(deps: AppDeps, role: Role = "all"): Middleware {
  const router = new Router(EXACT_PATHS);
  // Router middleware runs only for requests that one of this router's routes matched: all of
  // them, and only them.
  router.use(requireAdminToken(deps));
  registerAdminActions(router, deps, rolePolls(role));
  // Last, so it runs only when no action answered: other methods and unknown paths of the tree
  // are reached after the guard too, and so say nothing about what exists without the token.
  const actions = router.stack.filter((layer) => layer.methods.length > 0);
  router.all(["/admin", "/admin/{*rest}"], (ctx: RouterContext) => {
    const allowed = (ctx.matched ?? [])
      .filter((layer) => actions.includes(layer))
      .flatMap((layer) => layer.methods);
    if (allowed.length === 0) throw notFound("not found");
    throw new HttpError(405, "method not allowed", { Allow: [...new Set(allowed)].join(", ") });
  });
  const routes = router.routes();
  return (ctx, next) => (adminEnabled(deps) ? routes(ctx as RouterContext, next) : next());
}

function adminEnabled(deps: AppDeps): boolean {
  return Boolean(deps.admin && deps.getConfig().adminToken);
}

/** 401 without detail for a missing or wrong token; the token is never logged or echoed. */
function requireAdminToken(deps: AppDeps): Middleware {
  return async (ctx, next) => {
    const expected = deps.getConfig().adminToken;
    // A reload may have removed the token since adminEnabled looked: still disabled.
    if (!expected) throw notFound("not found");
    if (!tokenMatches(bearerToken(ctx.get("Authorization")), expected)) {
      throw new HttpError(401, "unauthorized", { "WWW-Authenticate": "Bearer" });
    }
    ctx.set("Cache-Control", "no-store");
    return next();
  };
}

function registerAdminActions(router: Router, deps: AppDeps, polls: boolean): void {
  const actions = () => {
    if (!deps.admin) throw notFound("not found"); // unreachable: the router is off without it
    return deps.admin;
  };
  const pollActions = () => {
    if (!polls) throw new HttpError(409, NOT_POLLING);
    return actions();
  };

  router.post("/admin/poll", async (ctx) => {
    await answerPoll(ctx, pollActions().pollAll());
  });

  router.post("/admin/sources/:id/poll", async (ctx) => {
    const id = ctx.params.id ?? "";
    const poll = pollActions().pollSource(id);
    if (!poll) {
      const known = deps
        .getConfig()
        .sources.map((s) => s.id)
        .join(", ");
      throw notFound(`unknown source ${JSON.stringify(id)} (known: ${known || "none"})`);
    }
    await answerPoll(ctx, poll);
  });

  // Takedown: the store takes the entry out of every listing and bumps the versions, so every
  // instance drops its cached feeds, pages and API pages at once. Any role: no poll involved.
  router.post("/admin/updates/:id/hide", async (ctx) => {
    actions();
    const id = ctx.params.id ?? "";
    if (!(await deps.store.hide(id, new Date())))
      throw notFound(`no stored entry ${JSON.stringify(id)}`);
    const entry = (await deps.store.hidden()).find((hidden) => hidden.id === id);
    sendJson(ctx, { hidden: true, ...entry });
  });

  router.post("/admin/updates/:id/unhide", async (ctx) => {
    actions();
    const id = ctx.params.id ?? "";
    if (!(await deps.store.unhide(id))) throw notFound(`entry ${JSON.stringify(id)} is not hidden`);
    sendJson(ctx, { hidden: false, id });
  });

  router.get("/admin/hidden", async (ctx) => {
    actions();
    sendJson(ctx, await deps.store.hidden());
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

/**
 * 202 at once (the outcomes show in /api/sources, /metrics and the log), or with `?wait=1` 200
 * with every outcome once the polls have finished: what `tributary poll --url` prints.
 */
async function answerPoll(ctx: RouterContext, poll: OperatorPoll): Promise<void> {
  const wait = ctx.query.wait;
  if (wait === undefined) {
    sendJson(ctx, { accepted: true, sources: poll.sources }, 202);
    return;
  }
  if (wait !== "1" && wait !== "true") {
    throw new HttpError(400, `wait must be 1 or true, got ${JSON.stringify(String(wait))}`);
  }
  const outcomes = await poll.done;
  sendJson(ctx, { sources: poll.sources, outcomes });
}
