// The WebSub callback routes, `GET|POST /websub/callback/{source}/{token}`: what to answer is
// decided by websub/callback.ts; this only maps a request to it and its answer to a response.
// A 404 or 410 goes through the error boundary like any other; a 413 also closes the
// connection, since the rest of that body is never read.
import type Router from "@koa/router";
import type { AppDeps } from "../deps.js";
import { HttpError } from "../errors.js";

export const CALLBACK_PATH = "/websub/callback/:source/:token";

export function registerWebSubRoutes(router: Router, deps: AppDeps): void {
  const callback = deps.websub;
  if (callback === undefined) return;
  router.get(CALLBACK_PATH, async (ctx) => {
    const query: Record<string, string | undefined> = {};
    for (const [name, value] of Object.entries(ctx.query)) {
      // A repeated parameter is ambiguous: none of them is taken.
      query[name] = typeof value === "string" ? value : undefined;
    }
    const answer = await callback.verify(ctx.params.source ?? "", ctx.params.token ?? "", query);
    if (answer.status >= 400) throw new HttpError(answer.status, answer.body ?? "not found");
    ctx.set("Cache-Control", "no-store");
    ctx.type = "text/plain; charset=utf-8";
    ctx.status = answer.status;
    ctx.body = answer.body ?? "";
  });
  router.post(CALLBACK_PATH, async (ctx) => {
    const length = ctx.get("Content-Length");
    const answer = await callback.push(ctx.params.source ?? "", ctx.params.token ?? "", {
      ...(/^\d+$/.test(length) ? { contentLength: Number(length) } : {}),
      ...(ctx.get("Content-Type") === "" ? {} : { contentType: ctx.get("Content-Type") }),
      ...(ctx.get("X-Hub-Signature") === "" ? {} : { signature: ctx.get("X-Hub-Signature") }),
      body: ctx.req,
    });
    if (answer.status === 413) {
      throw new HttpError(413, answer.body ?? "too large", { Connection: "close" });
    }
    if (answer.status >= 400) throw new HttpError(answer.status, answer.body ?? "not found");
    ctx.status = answer.status;
    ctx.type = "text/plain; charset=utf-8";
    ctx.body = answer.body ?? "";
  });
}
