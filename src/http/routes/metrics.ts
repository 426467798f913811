// GET /metrics: the Prometheus text exposition of this instance (see src/metrics.ts).
import type Router from "@koa/router";
import type { AppDeps } from "../deps.js";

export function registerMetricsRoute(router: Router, deps: AppDeps): void {
  const { metrics } = deps;
  if (!metrics) return;
  router.get("/metrics", async (ctx) => {
    const body = await metrics.render({
      config: deps.getConfig(),
      store: deps.store,
      isStale: deps.isStale ?? (() => false),
    });
    ctx.status = 200;
    ctx.set("Content-Type", metrics.contentType);
    ctx.set("Cache-Control", "no-store");
    ctx.body = body;
  });
}
