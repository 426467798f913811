// A running Tributary: store, publisher, poller, scheduler and HTTP server, and a clean stop().
// `tributary serve`, the end-to-end tests and the benchmark all start it through here.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Config } from "./config/types.js";
import { createApp } from "./http/app.js";
import type { IngestPool } from "./ingest/worker-pool.js";
import { LiveRuntime } from "./live-runtime.js";
import type { Logger } from "./log.js";
import { Metrics } from "./metrics.js";
import type { ReloadResult } from "./reload.js";
import { createFeedPublisher, createIngestPool, createPoller, openStore } from "./runtime.js";
import type { Poller } from "./schedule/poller.js";
import type { Scheduler } from "./schedule/scheduler.js";
import { baseUrlWarning, summariseRound } from "./start-notes.js";
import { instrumentStore } from "./store/instrumented.js";
import type { Store } from "./store/store.js";

export interface ServiceOptions {
  /** Poll every enabled source right away (default true). */
  pollAtStart?: boolean;
  /** Use this store instead of opening one from the config. */
  store?: Store;
  /** How long stop() waits for in-flight polls before aborting them. */
  drainMs?: number;
  /** Parse with this worker pool instead of starting one (the caller closes it). */
  ingestPool?: IngestPool;
  /**
   * Reads the config again for a reload (SIGHUP, a file change, POST /admin/reload): the file
   * `serve` started from. Without it there is nothing to reload (e.g. demo mode).
   */
  reloadConfig?: () => Promise<Config>;
}

export interface RunningService {
  url: string;
  server: Server;
  store: Store;
  poller: Poller;
  scheduler: Scheduler;
  metrics: Metrics;
  /** The config in force: the start-up one until a reload replaces it. */
  getConfig(): Config;
  /** Reads the config again and applies it if valid; `trigger` names the cause in the log. */
  reload(trigger: string): Promise<ReloadResult>;
  /** Resolves when the polls started at start-up have finished. */
  initialPoll: Promise<unknown>;
  stop(): Promise<void>;
}

export async function startService(
  config: Config,
  logger: Logger,
  options: ServiceOptions = {},
): Promise<RunningService> {
  // Bound below, once the poller exists; Redis cannot reconnect before it has been lost.
  let afterStoreOutage = () => {};
  const metrics = new Metrics();
  const openedStore =
    options.store ?? (await openStore(config, logger, { onReconnect: () => afterStoreOutage() }));
  const store = instrumentStore(openedStore, (operation) => metrics.recordStoreError(operation));
  const shutdown = new AbortController();
  // Feeds are parsed in worker threads with a time limit, so a hostile one never blocks HTTP.
  // The limit is read per parse, from the config in force (`live` exists by the first poll).
  const ingestPool = options.ingestPool ?? createIngestPool(() => live.config);
  const live = new LiveRuntime({
    config,
    logger,
    metrics,
    makePoller: (current, onOutcome) =>
      createPoller(current, store, logger, shutdown.signal, onOutcome, ingestPool.ingest),
    buildPublisher: (current) => createFeedPublisher(current, store),
    loadConfig: options.reloadConfig,
  });
  const { poller, scheduler } = live;
  const enabled = live.enabledSources();
  afterStoreOutage = () => {
    if (stopping) return;
    // A Redis that restarted empty would serve empty feeds until the next scheduled poll.
    poller.pollAfterStoreOutage(live.enabledSources()).then(
      (outcomes) => logger.info({ polled: outcomes.length }, "polled after the store returned"),
      (error: unknown) =>
        logger.warn({ err: String(error) }, "could not poll after the store returned"),
    );
  };
  const app = createApp({
    getConfig: () => live.config,
    store,
    getPublisher: () => live.publisher,
    nextPollAt: (id, state) => live.nextPollAt(id, state),
    logger,
    metrics,
    isStale: (source, state) => live.isStale(source, state),
    admin: {
      pollAll: () => live.pollAll(),
      pollSource: (id) => live.pollSource(id),
      reload: live.canReload ? () => live.reload("admin") : undefined,
    },
  });
  const server = createServer(app.callback());
  // Feed readers poll every few minutes; keep idle sockets short so shutdown is quick.
  server.keepAliveTimeout = 5_000;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(config.service.port, config.service.host, () => resolve());
    });
  } catch (error) {
    // A port in use: cron tasks and parse workers would keep the failed process alive.
    await live.stop();
    if (!options.ingestPool) await ingestPool.close();
    if (!options.store) await store.close();
    throw error;
  }
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  logger.info({ url, sources: enabled.length }, "listening");

  const unreachableSelf = baseUrlWarning(config.service.baseUrl, config.service.host);
  if (unreachableSelf) logger.warn(unreachableSelf);

  const initialPoll =
    options.pollAtStart === false
      ? Promise.resolve()
      : poller.pollMany(enabled).then((outcomes) => {
          // One line a newcomer can read: did any partner answer, and if not, what to try.
          const summary = summariseRound(outcomes);
          if (summary?.hint) logger.warn(summary, "first poll round: no partner answered");
          else if (summary) logger.info(summary, "first poll round finished");
          return outcomes;
        });

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      await live.stop();
      const drained = await Promise.race([
        poller.drain().then(() => true),
        delay(options.drainMs ?? 5_000).then(() => false),
      ]);
      if (!drained) {
        logger.warn({ inFlight: poller.inFlight }, "aborting polls still in flight");
        shutdown.abort();
        // A parse in flight would otherwise run on to its time limit.
        if (!options.ingestPool) await ingestPool.close();
        await poller.drain();
      }
      if (!options.ingestPool) await ingestPool.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      if (!options.store) await store.close();
      logger.info("stopped");
    })();
    return stopping;
  };
  return {
    url,
    server,
    store,
    poller,
    scheduler,
    metrics,
    getConfig: () => live.config,
    reload: (trigger) => live.reload(trigger),
    initialPoll,
    stop,
  };
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref());
