// What a person starting Tributary for the first time needs to be told, decided from plain
// values (pure): the log lines themselves are written by service.ts (this folder).
import { isIP } from "node:net";
import type { PollOutcome } from "../model/poll.js";
import type { Role } from "../model/role.js";

export interface RoundSummary {
  /** Sources that answered with a feed, a 304 or a 410: the partner was reached. */
  answered: number;
  failed: number;
  /** Failed sources counted by errorKind, e.g. `{ dns: 3, timeout: 1 }`. */
  failedByKind: Record<string, number>;
  /** Set when nothing answered: how to see the service work anyway. */
  hint?: string;
}

export const NO_PARTNER_HINT =
  "no partner answered: check this machine's network access to the partners; `npm run demo` shows the service with bundled sample feeds, without the internet";

/** The one line logged after the first poll round (undefined when nothing was polled). */
export function summariseRound(outcomes: readonly PollOutcome[]): RoundSummary | undefined {
  if (outcomes.length === 0) return undefined;
  const failedByKind: Record<string, number> = {};
  let failed = 0;
  for (const outcome of outcomes) {
    if (outcome.status !== "error") continue;
    failed += 1;
    const kind = outcome.errorKind ?? "unknown";
    failedByKind[kind] = (failedByKind[kind] ?? 0) + 1;
  }
  const answered = outcomes.length - failed;
  return { answered, failed, failedByKind, ...(answered === 0 ? { hint: NO_PARTNER_HINT } : {}) };
}

const isLoopbackHost = (host: string): boolean => {
  const bare = host.replace(/^\[|\]$/g, "").toLowerCase();
  if (bare === "localhost" || bare.endsWith(".localhost")) return true;
  if (isIP(bare) === 4) return bare.startsWith("127.");
  return bare === "::1";
};

/**
 * A warning when self links would name a loopback host (the default base URL is
 * `http://localhost:<port>`) while the server listens where other machines can reach it:
 * every feed's self link, id and `next` link would send a remote reader to its own machine.
 */
export function baseUrlWarning(baseUrl: string, listenHost: string): string | undefined {
  if (isLoopbackHost(listenHost)) return undefined;
  if (!isLoopbackHost(new URL(baseUrl).hostname)) return undefined;
  return `service.baseUrl is ${baseUrl} while listening on ${listenHost}: every self link and feed id names this loopback address, which readers on other machines cannot reach; set service.baseUrl (or TRIBUTARY_BASE_URL) to the public URL`;
}

/**
 * What an instance of a split role does, for the log right after `listening` (none for `all`).
 * Until polls are leased per source, every worker polls every source: hence the one worker.
 */
export function roleNote(role: Role): string | undefined {
  if (role === "api") {
    return "role api: serving HTTP from the shared store and never polling; run exactly one worker (serve --role worker, or all) on this Redis";
  }
  if (role === "worker") {
    return "role worker: polling on schedule and serving only /healthz, /readyz, /metrics and /admin; run exactly one worker per Redis (several would each poll every source)";
  }
  return undefined;
}
