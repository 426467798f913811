// Builds the long-lived collaborators from a validated Config. Only main.ts and the CLI
// commands call this; every module below receives plain values and collaborators.
import { ConfigError, problemLine } from "../config/errors.js";
import { parseRedisUrl } from "../config/schema.js";
import type { Config, SourceConfig } from "../config/types.js";
import { SourceRules } from "../ingest/categorise.js";
import { SharedConnections } from "../ingest/fetch/connections.js";
import type { FetchOptions } from "../ingest/fetch/fetch.js";
import { refreshSource } from "../ingest/refresh.js";
import { DEFAULT_POOL, heapMbFor, type IngestFn, IngestPool } from "../ingest/worker/pool.js";
import type { Logger } from "../log.js";
import { ALL_CATEGORY } from "../model/category.js";
import type { PollOutcome } from "../model/poll.js";
import { createPages, type PagePublisher } from "../pages/pages.js";
import { loadTemplates } from "../pages/templates.js";
import { createPublisher } from "../publish/publisher.js";
import { RenderGate } from "../publish/render-gate.js";
import type { StoreRecovery } from "../publish/store-recovery.js";
import type { FeedPublisher } from "../publish/types.js";
import { nextRunAt } from "../schedule/next-run.js";
import { Poller, type PollerDeps } from "../schedule/poller.js";
import type { SourceView } from "../status/sources.js";
import { MemoryStore } from "../store/memory.js";
import { connectRedisStore } from "../store/redis.js";
import { clusterKeyPrefix, describeRedisTarget } from "../store/redis-client.js";
import { DEFAULT_REDIS_PREFIX } from "../store/redis-keys.js";
import { redisConnectionLog } from "../store/redis-log.js";
import { ALL, type Store } from "../store/store.js";
import { watchVersions } from "../store/version-watch.js";

export interface StoreHooks {
  /**
   * Redis answers again after an outage: a lost connection is back, or a hung Redis answers
   * (never called for the memory store).
   */
  onReconnect?: () => void;
}

export async function openStore(
  config: Config,
  logger: Logger,
  hooks: StoreHooks = {},
): Promise<Store> {
  if (!config.redisUrl) {
    logger.info(
      { store: "memory" },
      "store: embedded memory (no Redis configured; entries are lost on restart)",
    );
    return new MemoryStore();
  }
  // Valid when it comes from loadConfig; a Config built by hand may hold anything.
  const read = parseRedisUrl(config.redisUrl);
  if (!read.ok) throw new ConfigError([problemLine("redisUrl", read.problem)]);
  const target = read.target;
  const redis = describeRedisTarget(target);
  const connectionLog = redisConnectionLog(logger, redis);
  const store = await connectRedisStore({
    target,
    // In a cluster every key must share one hash slot (see clusterKeyPrefix).
    prefix:
      target.kind === "cluster" ? clusterKeyPrefix(DEFAULT_REDIS_PREFIX) : DEFAULT_REDIS_PREFIX,
    commandTimeoutMs: config.redisCommandTimeoutMs,
    onError: connectionLog.onError,
    onReconnect: () => {
      connectionLog.onReconnect();
      hooks.onReconnect?.();
    },
    onHang: connectionLog.onHang,
    // Polls that failed while Redis hung are owed, as after a lost connection.
    onAnswering: (hungForMs) => {
      connectionLog.onAnswering(hungForMs);
      hooks.onReconnect?.();
    },
  });
  logger.info({ store: "redis", redis }, "store: redis");
  const built = await store.buildStories();
  if (built > 0)
    logger.info(
      { entries: built },
      "stories: entries stored before stories existed now in stories",
    );
  // Category versions pushed by pub/sub: a cached feed or page request then needs no Redis
  // round trip. Until subscribed, and whenever the subscription is lost, reads are direct.
  return watchVersions(store, (listener) =>
    store.subscribeVersions(listener, (error) =>
      logger.warn(
        { redis, error: error.message },
        "redis: cannot subscribe to version changes; reading versions on every request",
      ),
    ),
  );
}

export function fetchOptionsOf(config: Config, signal?: AbortSignal): FetchOptions {
  const { timeoutMs, maxBytes, maxRedirects, userAgent, allowPrivateNetworks } = config.polling;
  return { timeoutMs, maxBytes, maxRedirects, userAgent, allowPrivateNetworks, signal };
}

/**
 * `config` may be a getter: a reloaded config's fetch limits and retention apply from the next
 * poll on. `observe` sees every outcome after it is logged (metrics).
 */
export function createPoller(
  config: Config | (() => Config),
  store: Store,
  logger: Logger,
  signal?: AbortSignal,
  observe?: (outcome: PollOutcome) => void,
  /** Normally an IngestPool's `ingest`; without it feeds are parsed on the calling thread. */
  ingest?: IngestFn,
  /**
   * When a source is next due after a poll (the running scheduler's ticks); by default the first
   * run of its cron expression at or after `notBefore`, computed afresh (commands).
   */
  nextDueAt?: PollerDeps["nextDueAt"],
  /** Scheduled polls a WebSub hub's pushes make unnecessary for now (PollerDeps.heldBack). */
  heldBack?: PollerDeps["heldBack"],
): Poller {
  const current = typeof config === "function" ? config : () => config;
  const connections = new SharedConnections();
  // Compiled once per config (a reload brings a new one), per source on first use.
  let rulesOf = {
    config: undefined as Config | undefined,
    bySource: new Map<string, SourceRules>(),
  };
  const rulesFor = (c: Config) => (sourceId: string) => {
    if (rulesOf.config !== c) rulesOf = { config: c, bySource: new Map() };
    let rules = rulesOf.bySource.get(sourceId);
    if (rules === undefined) {
      rules = new SourceRules(c.rules, c.sources.find((s) => s.id === sourceId)?.rules ?? []);
      rulesOf.bySource.set(sourceId, rules);
    }
    return rules.empty ? undefined : rules;
  };
  const depsOf = (c: Config) => ({
    store,
    fetchOptions: { ...fetchOptionsOf(c, signal), agent: connections.agentFor(c.polling) },
    retention: c.retention,
    maxHintSeconds: c.polling.maxHintSeconds,
    adaptive: c.polling.adaptive,
    rulesFor: rulesFor(c),
    ingest,
  });
  return new Poller({
    store,
    concurrency: current().polling.concurrency,
    perHostConcurrency: current().polling.perHostConcurrency,
    leaseMs: current().polling.leaseSeconds * 1000,
    nextDueAt:
      nextDueAt ??
      ((source, notBefore) => nextRunAt(source.schedule ?? current().polling.schedule, notBefore)),
    refresh: (source, known, lease) => refreshSource(source, depsOf(current()), known, lease),
    ...(heldBack === undefined ? {} : { heldBack }),
    onOutcome: (outcome) => {
      logOutcome(logger, outcome);
      observe?.(outcome);
    },
    close: () => connections.close(),
  });
}

function logOutcome(logger: Logger, outcome: PollOutcome): void {
  const { sourceId, status, errorKind, error, added, updated, durationMs, bytes, movedTo } =
    outcome;
  const line = { source: sourceId, status, errorKind, added, updated, durationMs, bytes, movedTo };
  if (status === "error" || status === "gone") logger.warn({ ...line, error }, "poll failed");
  else logger.info(line, "poll");
  // Proposed only once several polls in a row saw the same 301/308 (poll-state.ts); the
  // config file is never rewritten, the operator decides.
  if (outcome.proposedUrl) {
    logger.warn(
      { source: sourceId, proposedUrl: outcome.proposedUrl },
      `source moved permanently; update its url in the config to ${outcome.proposedUrl}`,
    );
  }
}

/** Worker threads that parse fetched feeds off the event loop; whoever creates one closes it. */
export function createIngestPool(config: Config | (() => Config)): IngestPool {
  const current = typeof config === "function" ? config : () => config;
  return new IngestPool({
    size: DEFAULT_POOL.size,
    timeoutMs: () => current().polling.parseTimeoutMs,
    // Whatever body the fetcher accepts can be parsed, also after a reload raised the cap.
    maxHeapMb: () => heapMbFor(current().polling.maxBytes),
  });
}

/** What the publishers a config reload replaces keep sharing. */
export interface PublisherShared {
  gate?: RenderGate;
  recovery?: StoreRecovery;
}

export function createFeedPublisher(
  config: Config,
  store: Store,
  shared: PublisherShared = {},
): FeedPublisher {
  return createPublisher({
    store,
    gate: shared.gate,
    recovery: shared.recovery,
    categories: new Map([
      [ALL, { ...ALL_CATEGORY }],
      ...config.categories.map((c) => [c.id, c] as const),
    ]),
    sources: new Map(
      config.sources.map((s) => [
        s.id,
        { title: s.title, url: s.url, publicUrl: s.publicUrl, homepage: s.homepage },
      ]),
    ),
    service: { title: config.service.title, baseUrl: config.service.baseUrl },
    defaultLimit: config.feeds.defaultLimit,
    maxLimit: config.feeds.maxLimit,
    hubs: config.websub.hubs,
  });
}

/**
 * The pages of `config`, with its templates parsed now: a template error is a ConfigError
 * (file and line) at start-up or reload, never a failing request.
 */
export function createPagePublisher(
  config: Config,
  store: Store,
  sourceStatus: () => Promise<SourceView[]>,
  gate: RenderGate = new RenderGate(),
): PagePublisher {
  return createPages({ config, store, templates: loadTemplates(config.pages), gate, sourceStatus });
}

/** A source's category rules under `config` (global, then its own), or undefined for none. */
export function rulesOfSource(config: Config, source: SourceConfig): SourceRules | undefined {
  const rules = new SourceRules(config.rules, source.rules ?? []);
  return rules.empty ? undefined : rules;
}
