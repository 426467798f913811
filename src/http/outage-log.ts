// What the log says about requests while the store is unavailable. Every request during an
// outage fails the same way, so a line (and a stack) per request would bury everything else:
// the first outage answer logs the start, a summary follows every interval while answers keep
// coming (how many were served stale and how many were a 503), and the first answer the store
// gives again on a route that failed logs the end. Single requests stay in the debug line of
// observe.ts.
import type { Context } from "koa";
import type { Logger } from "pino";

export const OUTAGE_LOG_DEFAULTS = { summaryIntervalMs: 30_000 } as const;

/** The header every stale answer carries (feeds and the home page); see feed-response.ts. */
const STALE_HEADER = "X-Tributary-Stale";

/** ctx.state key set by the error boundary when the store could not answer at all. */
const UNAVAILABLE = "storeUnavailable";

/** Marks a response as the 503 of an unavailable store; `error` is the store's message. */
export function markStoreUnavailable(ctx: Context, error: string): void {
  ctx.state[UNAVAILABLE] = error;
}

export interface OutageLog {
  /** Called once per response, with its route pattern, after it is complete. */
  observe(ctx: Context, route: string): void;
}

interface Outage {
  started: number;
  /** Routes that answered stale or 503: one of them answering normally ends the outage. */
  routes: Set<string>;
  total: { stale: number; unavailable: number };
  sinceSummary: { stale: number; unavailable: number };
  timer: NodeJS.Timeout;
}

export function outageLog(
  logger: Logger,
  summaryIntervalMs: number = OUTAGE_LOG_DEFAULTS.summaryIntervalMs,
): OutageLog {
  let outage: Outage | undefined;

  const summarise = () => {
    if (!outage) return;
    const { stale, unavailable } = outage.sinceSummary;
    // Nobody asked: nothing to report until someone does.
    if (stale + unavailable === 0) return;
    logger.warn(
      { downForMs: Date.now() - outage.started, stale, unavailable, intervalMs: summaryIntervalMs },
      "store outage continues",
    );
    outage.sinceSummary = { stale: 0, unavailable: 0 };
  };

  const begin = (route: string, error: string | undefined): Outage => {
    logger.warn({ route, ...(error ? { error } : {}) }, "store outage: answering stale or 503");
    const timer = setInterval(summarise, summaryIntervalMs);
    // A log timer must never keep a stopping process alive; the end clears it.
    timer.unref();
    return {
      started: Date.now(),
      routes: new Set(),
      total: { stale: 0, unavailable: 0 },
      sinceSummary: { stale: 0, unavailable: 0 },
      timer,
    };
  };

  const end = (current: Outage) => {
    clearInterval(current.timer);
    logger.info({ downForMs: Date.now() - current.started, ...current.total }, "store outage over");
  };

  return {
    observe(ctx, route) {
      const unavailable = ctx.state[UNAVAILABLE] as string | undefined;
      const kind =
        unavailable !== undefined ? "unavailable" : ctx.response.get(STALE_HEADER) ? "stale" : "";
      if (kind === "") {
        // Only an answer the store gave again on a route that failed counts as the end: a
        // /healthz or a 404 says nothing about the store.
        if (outage?.routes.has(route) && ctx.status < 400) {
          end(outage);
          outage = undefined;
        }
        return;
      }
      outage ??= begin(route, unavailable);
      outage.routes.add(route);
      outage.total[kind]++;
      outage.sinceSummary[kind]++;
    },
  };
}
