// Liveness and readiness for orchestrators. /healthz says the process answers; /readyz says
// it can serve, i.e. a config is loaded and the store answers within a second (an outage must
// not hang the probe).
import type Router from "@koa/router";
import type { Store } from "../../store/store.js";
import type { AppDeps } from "../deps.js";
import { sendJson } from "../respond.js";

export const READY_TIMEOUT_MS = 1000;

export type Readiness = { status: "ok" } | { status: "unavailable"; reason: string };

export function registerOpsRoutes(router: Router, deps: AppDeps): void {
  router.get("/healthz", (ctx) => {
    ctx.set("Cache-Control", "no-store");
    sendJson(ctx, { status: "ok" });
  });
  router.get("/readyz", async (ctx) => {
    const readiness = configReadiness(deps) ?? (await checkReadiness(deps.store, READY_TIMEOUT_MS));
    if (readiness.status !== "ok") {
      deps.logger.warn({ reason: readiness.reason }, "not ready");
    }
    ctx.set("Cache-Control", "no-store");
    sendJson(ctx, readiness, readiness.status === "ok" ? 200 : 503);
  });
}

/** A reload in progress keeps the running config loaded; only having none at all is not ready. */
function configReadiness(deps: AppDeps): Readiness | undefined {
  try {
    if (deps.getConfig()) return undefined;
  } catch {
    // falls through: no config to serve with
  }
  return { status: "unavailable", reason: "config: not loaded" };
}

export async function checkReadiness(store: Store, timeoutMs: number): Promise<Readiness> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([store.ping(), timeout]);
    return { status: "ok" };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { status: "unavailable", reason: `store: ${message}` };
  } finally {
    clearTimeout(timer);
  }
}
