// A running Tributary: store, publisher, poller, scheduler and HTTP server, and a clean stop().
// `tributary serve`, the end-to-end tests and the benchmark all start it through here.
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { ReloadResult } from "../config/reload.js";
import type { Config } from "../config/types.js";
import { createApp } from "../http/app.js";
import { answerClientError } from "../http/client-error.js";
import { withFeedFastPath } from "../http/fast-path.js";
import { reapplyRules } from "../ingest/recategorise.js";
import type { IngestFn, IngestPool } from "../ingest/worker/pool.js";
import type { Logger } from "../log.js";
import { Metrics } from "../metrics.js";
import { type Role, rolePolls, roleServesReaders } from "../model/role.js";
import { RenderGate, type RenderGateOptions } from "../publish/render-gate.js";
import { StoreRecovery } from "../publish/store-recovery.js";
import type { Poller } from "../schedule/poller.js";
import type { Scheduler } from "../schedule/scheduler.js";
import { describeSources } from "../status/sources.js";
import { instrumentStore } from "../store/instrumented.js";
import { ALL, type Store } from "../store/store.js";
import { PublishNotifier } from "../websub/publish-notifier.js";
import type { PingPolicy } from "../websub/publish-pings.js";
import { LiveRuntime } from "./live.js";
import { baseUrlWarning, roleNote, summariseRound } from "./start-notes.js";
import { createWebSub } from "./websub.js";
import {
  createFeedPublisher,
  createIngestPool,
  createPagePublisher,
  createPoller,
  openStore,
  rulesOfSource,
} from "./wiring.js";

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
  /** The budget of uncached feed renders (defaults: RENDER_GATE_DEFAULTS). */
  renderGate?: RenderGateOptions;
  /**
   * What this instance does (serve --role, default all). `api`: HTTP only, and no schedule, poll
   * at start, re-poll after a store loss or parse workers. `worker`: polls, and serves only
   * health, readiness, metrics and admin. The caller checks that the store is shared (Redis).
   */
  role?: Role;
  /** Retries of WebSub publish pings (defaults: PING_DEFAULTS in websub/publish-pings.ts). */
  websubPings?: Partial<PingPolicy>;
}

export interface RunningService {
  url: string;
  server: Server;
  store: Store;
  poller: Poller;
  scheduler: Scheduler;
  metrics: Metrics;
  /** Tells WebSub hubs of changes this instance wrote. */
  hubNotifier: PublishNotifier;
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
  const role = options.role ?? "all";
  const polls = rolePolls(role);
  const metrics = new Metrics({ role });
  const openedStore =
    options.store ?? (await openStore(config, logger, { onReconnect: () => afterStoreOutage() }));
  // Bound below, once the notifier exists: every write of this instance may change the feeds.
  let notifyHubs = () => {};
  const store = instrumentStore(
    openedStore,
    (operation) => metrics.recordStoreError(operation),
    () => notifyHubs(),
  );
  const shutdown = new AbortController();
  // Feeds are parsed in worker threads with a time limit, so a hostile one never blocks HTTP.
  // The limit is read per parse, from the config in force (`live` exists by the first poll).
  // An instance that never polls starts no pool: nothing would be parsed.
  const ownPool = polls && !options.ingestPool;
  const ingestPool =
    options.ingestPool ?? (polls ? createIngestPool(() => live.config) : undefined);
  const ingest: IngestFn = ingestPool?.ingest ?? neverParses;
  // An instance without a pool (role api) makes one for WebSub pushes, on the first push.
  let pushPool: IngestPool | undefined;
  const pushIngest = (): IngestFn => {
    if (ingestPool !== undefined) return ingestPool.ingest;
    pushPool ??= createIngestPool(() => live.config);
    return pushPool.ingest;
  };
  const closeOwnPool = async () => {
    if (ownPool) await ingestPool?.close();
    await pushPool?.close();
  };
  const subscribing = createWebSub({
    config: () => live.config,
    store,
    logger,
    metrics,
    ingest: pushIngest,
    scheduleIntervalMs: (source) => live.scheduleIntervalMs(source),
    polls,
  });
  // Shared by every publisher a reload builds: the render budget, and whether the store's data
  // is trusted. A loss a feed request notices starts the same re-poll as a reconnect.
  const publishing = {
    gate: new RenderGate(options.renderGate),
    recovery: new StoreRecovery({ onLoss: () => afterStoreOutage() }),
  };
  // Whatever this instance writes — polls, pushes reaching its callback, takedowns, re-filed
  // entries — is checked against what the hubs were last told; the store's marks pick one
  // instance per change when several saw it.
  const hubNotifier = new PublishNotifier({
    settings: () => {
      const current = live.config;
      return {
        hubs: current.websub.hubs,
        delayMs: current.websub.publishDelayMs,
        baseUrl: current.service.baseUrl,
        categories: current.categories.map((category) => category.id),
        defaultLimit: current.feeds.defaultLimit,
        userAgent: current.polling.userAgent,
      };
    },
    publisher: () => live.publisher,
    marks: store.pingedTopics,
    pollsInFlight: () => live.poller.inFlight,
    logger,
    metrics,
    policy: options.websubPings,
  });
  notifyHubs = () => hubNotifier.changed();
  const live = new LiveRuntime({
    config,
    logger,
    metrics,
    makePoller: (current, onOutcome, nextDueAt) =>
      createPoller(
        current,
        store,
        logger,
        shutdown.signal,
        (outcome) => {
          onOutcome(outcome);
          subscribing.observe(outcome);
        },
        ingest,
        nextDueAt,
        subscribing.heldBack,
      ),
    buildPublisher: (current) => createFeedPublisher(current, store, publishing),
    buildPages: (current) =>
      createPagePublisher(
        current,
        store,
        () =>
          describeSources(
            current,
            store,
            (id, state) => live.nextPollAt(id, state),
            (source, state) => live.isStale(source, state),
            (source) => live.scheduleIntervalMs(source),
          ),
        publishing.gate,
      ),
    loadConfig: options.reloadConfig,
    polls,
    refile: (source, current, lease) =>
      reapplyRules(store, source.id, source.categories, rulesOfSource(current, source), { lease }),
  });
  const { poller, scheduler } = live;
  const enabled = live.enabledSources();
  // A Redis that restarted empty would serve empty feeds until the next scheduled poll. Until
  // this re-poll has finished, feeds are served as they were before the loss, marked stale.
  // One at a time; an outage or loss during one makes another follow it.
  let repolling = false;
  let repollOwed = false;
  // An instance that never polls (role api) leaves the re-poll to the worker and takes the
  // store's data as it now is: marking it stale would last until its own re-poll, never.
  const trustStoreAsItIs = async () => {
    try {
      publishing.recovery.settled((await store.categoryVersion(ALL)).generation);
    } catch (error) {
      logger.warn({ err: String(error) }, "could not read the store after it returned");
    }
  };
  afterStoreOutage = () => {
    if (stopping) return;
    if (!polls) {
      void trustStoreAsItIs();
      return;
    }
    repollOwed = true;
    if (repolling) return;
    repolling = true;
    void (async () => {
      while (repollOwed && !stopping) {
        repollOwed = false;
        try {
          const outcomes = await poller.pollAfterStoreOutage(live.enabledSources());
          logger.info({ polled: outcomes.length }, "polled after the store returned");
          publishing.recovery.settled((await store.categoryVersion(ALL)).generation);
        } catch (error) {
          logger.warn({ err: String(error) }, "could not poll after the store returned");
        }
      }
    })().finally(() => {
      repolling = false;
    });
  };
  const app = createApp(
    {
      getConfig: () => live.config,
      store,
      getPublisher: () => live.publisher,
      getPages: () => live.pages,
      nextPollAt: (id, state) => live.nextPollAt(id, state),
      logger,
      metrics,
      isStale: (source, state) => live.isStale(source, state),
      scheduleIntervalMs: (source) => live.scheduleIntervalMs(source),
      admin: {
        pollAll: () => live.pollAll(),
        pollSource: (id) => live.pollSource(id),
        reload: live.canReload ? () => live.reload("admin") : undefined,
      },
      websub: subscribing.callback,
    },
    { role },
  );
  // Cached feed pages are answered before Koa (http/fast-path.ts); everything else by Koa.
  const server = createServer(
    roleServesReaders(role)
      ? withFeedFastPath(
          { getConfig: () => live.config, getPublisher: () => live.publisher, logger, metrics },
          app.callback(),
        )
      : app.callback(),
  );
  // Feed readers poll every few minutes; keep idle sockets short so shutdown is quick.
  server.keepAliveTimeout = 5_000;
  server.on("clientError", answerClientError);
  closeKeepAliveWhenStopping(server);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(config.service.port, config.service.host, () => resolve());
    });
  } catch (error) {
    // A port in use: cron tasks and parse workers would keep the failed process alive.
    await live.stop();
    await subscribing.stop();
    await hubNotifier.stop();
    await closeOwnPool();
    if (!options.store) await store.close();
    throw error;
  }
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  logger.info({ url, role, sources: enabled.length }, "listening");
  const note = roleNote(role);
  if (note) logger.info({ role }, note);

  const unreachableSelf = baseUrlWarning(config.service.baseUrl, config.service.host);
  if (unreachableSelf) logger.warn(unreachableSelf);

  const initialPoll =
    options.pollAtStart === false || !polls
      ? Promise.resolve()
      : poller.pollMany(enabled).then((outcomes) => {
          // One line a newcomer can read: did any partner answer, and if not, what to try.
          const summary = summariseRound(outcomes);
          if (summary?.hint) logger.warn(summary, "first poll round: no partner answered");
          else if (summary) logger.info(summary, "first poll round finished");
          return outcomes;
        });

  let stopping: Promise<void> | undefined;
  const drainMs = options.drainMs ?? 5_000;
  const stop = () => {
    stopping ??= (async () => {
      // One drain time for polls and HTTP alike, so stop() ends within it and the last steps.
      const drainEnds = delay(drainMs);
      await live.stop();
      // Renewals stop; pushes already accepted are stored if they can be within the drain time.
      await finishesFirst(subscribing.stop(), drainEnds);
      await hubNotifier.stop();
      const httpClosed = stopAccepting(server);
      const [pollsDrained, httpDrained] = await Promise.all([
        finishesFirst(poller.drain(), drainEnds),
        finishesFirst(httpClosed, drainEnds),
      ]);
      if (!pollsDrained) {
        logger.warn({ inFlight: poller.inFlight }, "aborting polls still in flight");
        shutdown.abort();
        // A parse in flight would otherwise run on to its time limit.
        await closeOwnPool();
        await poller.drain();
      }
      if (!httpDrained) {
        // Responses still being written, and requests still arriving: a client that sent half
        // a request would otherwise hold the server open forever (Node stops timing requests
        // out once the server is closing).
        logger.warn("closing HTTP connections still open");
        server.closeAllConnections();
        await httpClosed;
      }
      await poller.close();
      await closeOwnPool();
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
    hubNotifier,
    getConfig: () => live.config,
    reload: (trigger) => live.reload(trigger),
    initialPoll,
    stop,
  };
}

/** The parser of an instance that never polls: reaching it is a bug, said plainly. */
const neverParses: IngestFn = () =>
  Promise.reject(new Error("this instance does not poll (role api): it has no parse workers"));

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref());

/** True when `work` settles before `deadline`. */
const finishesFirst = (work: Promise<unknown>, deadline: Promise<unknown>): Promise<boolean> =>
  Promise.race([work.then(() => true), deadline.then(() => false)]);

/** Stops accepting connections and closes the idle ones; resolves once every one is gone. */
function stopAccepting(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  return closed;
}

/**
 * Once the server stopped listening, a keep-alive connection whose response has just finished is
 * closed as soon as it is idle, rather than lingering for keepAliveTimeout and holding stop().
 */
function closeKeepAliveWhenStopping(server: Server): void {
  server.on("request", (_request, response: ServerResponse) => {
    response.once("finish", () => {
      if (!server.listening) setImmediate(() => server.closeIdleConnections());
    });
  });
}
