// Builds the long-lived collaborators from a validated Config. Only main.ts and the CLI
// commands call this; every module below receives plain values and collaborators.
import type { Config } from "./config/types.js";
import { ALL_CATEGORY } from "./http/categories.js";
import type { FetchOptions } from "./ingest/fetch.js";
import { type PollOutcome, refreshSource } from "./ingest/refresh.js";
import type { Logger } from "./log.js";
import { createPublisher } from "./publish/publisher.js";
import type { FeedPublisher } from "./publish/types.js";
import { Poller } from "./schedule/poller.js";
import { MemoryStore } from "./store/memory.js";
import { connectRedisStore } from "./store/redis.js";
import { redactRedisUrl } from "./store/redis-client.js";
import { ALL, type Store } from "./store/store.js";

export async function openStore(config: Config, logger: Logger): Promise<Store> {
  if (!config.redisUrl) {
    logger.info(
      { store: "memory" },
      "store: embedded memory (REDIS_URL unset; entries are lost on restart)",
    );
    return new MemoryStore();
  }
  const redis = redactRedisUrl(config.redisUrl);
  const store = await connectRedisStore({
    url: config.redisUrl,
    onError: (error) => logger.warn({ redis, err: error.message }, "redis connection problem"),
  });
  logger.info({ store: "redis", redis }, "store: redis");
  return store;
}

export function fetchOptionsOf(config: Config, signal?: AbortSignal): FetchOptions {
  const { timeoutMs, maxBytes, maxRedirects, userAgent, allowPrivateNetworks } = config.polling;
  return { timeoutMs, maxBytes, maxRedirects, userAgent, allowPrivateNetworks, signal };
}

export function createPoller(
  config: Config,
  store: Store,
  logger: Logger,
  signal?: AbortSignal,
): Poller {
  const deps = { store, fetchOptions: fetchOptionsOf(config, signal), retention: config.retention };
  return new Poller({
    store,
    concurrency: config.polling.concurrency,
    refresh: (source) => refreshSource(source, deps),
    onOutcome: (outcome) => logOutcome(logger, outcome),
  });
}

function logOutcome(logger: Logger, outcome: PollOutcome): void {
  const { sourceId, status, errorKind, error, added, updated, durationMs, movedTo } = outcome;
  const line = { source: sourceId, status, errorKind, added, updated, durationMs, movedTo };
  if (status === "error" || status === "gone") logger.warn({ ...line, error }, "poll failed");
  else logger.info(line, "poll");
  if (movedTo) {
    logger.warn(
      { source: sourceId, movedTo },
      "source moved permanently; consider updating its url",
    );
  }
}

export function createFeedPublisher(config: Config, store: Store): FeedPublisher {
  return createPublisher({
    store,
    categories: new Map([
      [ALL, { id: ALL, ...ALL_CATEGORY }],
      ...config.categories.map((c) => [c.id, c] as const),
    ]),
    sources: new Map(
      config.sources.map((s) => [s.id, { title: s.title, url: s.url, homepage: s.homepage }]),
    ),
    service: { title: config.service.title, baseUrl: config.service.baseUrl },
    defaultLimit: config.feeds.defaultLimit,
  });
}
