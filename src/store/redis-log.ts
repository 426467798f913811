// Logging of the Redis connection's ups and downs. During an outage ioredis reports an error on
// every reconnect attempt (every ≤ 2 s, forever), which would bury every other log line: the
// first error is logged, then at most one reminder per interval, and one line when it is back.
// A Redis that hangs instead (connection open, no answers) logs one line when the store starts
// failing calls at once, and one when Redis answers again.
import type { Logger } from "../log.js";

export const REDIS_LOG_DEFAULTS = { intervalMs: 30_000 } as const;

export interface RedisConnectionLog {
  onError(error: Error): void;
  onReconnect(): void;
  /** The store's circuit opened: a command timed out, calls now fail at once. */
  onHang(error: Error): void;
  /** The circuit closed again after `hungForMs`. */
  onAnswering(hungForMs: number): void;
}

/** `redis` is the redacted URL, named in every line. */
export function redisConnectionLog(
  logger: Logger,
  redis: string,
  intervalMs: number = REDIS_LOG_DEFAULTS.intervalMs,
): RedisConnectionLog {
  let downSince: number | undefined;
  let lastLogged = 0;
  let suppressed = 0;
  return {
    onError(error) {
      const now = Date.now();
      if (downSince === undefined) {
        downSince = now;
        lastLogged = now;
        suppressed = 0;
        logger.warn({ redis, err: error.message }, "redis connection problem");
        return;
      }
      if (now - lastLogged < intervalMs) {
        suppressed++;
        return;
      }
      logger.warn(
        { redis, err: error.message, downForMs: now - downSince, suppressed },
        "redis still unreachable",
      );
      lastLogged = now;
      suppressed = 0;
    },
    onReconnect() {
      // downForMs is absent when Redis came back before any reconnect attempt failed.
      const downForMs = downSince === undefined ? undefined : Date.now() - downSince;
      logger.info({ redis, downForMs }, "redis reconnected");
      downSince = undefined;
    },
    onHang(error) {
      logger.warn(
        { redis, err: error.message },
        "redis not answering; store calls fail at once until it does",
      );
    },
    onAnswering(hungForMs) {
      logger.info({ redis, hungForMs }, "redis answering again");
    },
  };
}
