// A running Tributary: store, publisher, poller, scheduler and HTTP server, and a clean stop().
// `tributary serve`, the end-to-end tests and the benchmark all start it through here.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Config } from "./config/types.js";
import { createApp } from "./http/app.js";
import type { Logger } from "./log.js";
import type { SourceState } from "./model/source.js";
import { createFeedPublisher, createPoller, openStore } from "./runtime.js";
import type { Poller } from "./schedule/poller.js";
import { type Scheduler, startScheduler } from "./schedule/scheduler.js";
import type { Store } from "./store/store.js";

export interface ServiceOptions {
  /** Poll every enabled source right away (default true). */
  pollAtStart?: boolean;
  /** Use this store instead of opening one from the config. */
  store?: Store;
  /** How long stop() waits for in-flight polls before aborting them. */
  drainMs?: number;
}

export interface RunningService {
  url: string;
  server: Server;
  store: Store;
  poller: Poller;
  scheduler: Scheduler;
  /** Resolves when the polls started at start-up have finished. */
  initialPoll: Promise<unknown>;
  stop(): Promise<void>;
}

export async function startService(
  config: Config,
  logger: Logger,
  options: ServiceOptions = {},
): Promise<RunningService> {
  const store = options.store ?? (await openStore(config, logger));
  const shutdown = new AbortController();
  const poller = createPoller(config, store, logger, shutdown.signal);
  const publisher = createFeedPublisher(config, store);
  const enabled = config.sources.filter((s) => s.enabled);
  const scheduler = startScheduler({
    sources: enabled,
    defaultSchedule: config.polling.schedule,
    onDue: (sources) => void poller.pollMany(sources),
  });
  const app = createApp({
    getConfig: () => config,
    store,
    getPublisher: () => publisher,
    nextPollAt: (id, state) => nextPollAt(scheduler, id, state),
    logger,
  });
  const server = createServer(app.callback());
  // Feed readers poll every few minutes; keep idle sockets short so shutdown is quick.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.service.port, config.service.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  logger.info({ url, sources: enabled.length }, "listening");

  const initialPoll = options.pollAtStart === false ? Promise.resolve() : poller.pollMany(enabled);

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      await scheduler.stop();
      const drained = await Promise.race([
        poller.drain().then(() => true),
        delay(options.drainMs ?? 5_000).then(() => false),
      ]);
      if (!drained) {
        logger.warn({ inFlight: poller.inFlight }, "aborting polls still in flight");
        shutdown.abort();
        await poller.drain();
      }
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      if (!options.store) await store.close();
      logger.info("stopped");
    })();
    return stopping;
  };
  return { url, server, store, poller, scheduler, initialPoll, stop };
}

/** Gone sources are not polled again; otherwise the first tick after any backoff. */
function nextPollAt(scheduler: Scheduler, sourceId: string, state: SourceState | undefined) {
  if (state?.status === "gone") return undefined;
  return scheduler.nextPollAt(sourceId, state?.notBefore ? new Date(state.notBefore) : undefined);
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref());
