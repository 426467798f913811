// WebSub subscribing, assembled for a running service: the callback every instance answers,
// the subscriber that instances which poll run (subscribe after polls, renew, unsubscribe), and
// the polling stretch the poller asks about. All of it reads the config in force per decision,
// so a reload that turns `websub.subscribe` off or removes a source takes effect at the next
// sweep (unsubscribing) and the next request (the callback answers 404).
//
// Who processes a push: the instance the hub's POST reaches, whatever its role. It has the
// store, the config and (made on its first push, when it does not poll) a parse worker pool,
// which is all a push needs; handing pushes to a worker would need a queue in Redis and buy
// nothing but a hop.
import type { Config, SourceConfig } from "../config/types.js";
import { postToHub } from "../ingest/fetch/hub-request.js";
import { storePushed } from "../ingest/push.js";
import type { IngestFn } from "../ingest/worker/pool.js";
import type { Logger } from "../log.js";
import type { Metrics } from "../metrics.js";
import type { PollOutcome } from "../model/poll.js";
import type { SourceState } from "../model/source.js";
import { heldBackByPushes, pushHoldOf } from "../model/websub.js";
import type { Store } from "../store/store.js";
import { WebSubCallback } from "../websub/callback.js";
import { type HubPost, Subscriber, type SubscriberSettings } from "../websub/subscriptions.js";
import { rulesOfSource } from "./wiring.js";

export interface WebSubDeps {
  config(): Config;
  store: Store;
  logger: Logger;
  metrics: Metrics;
  /** The parser pushes go through (the instance's pool, made on first use if it has none). */
  ingest(): IngestFn;
  /** The source's schedule interval (LiveRuntime.scheduleIntervalMs). */
  scheduleIntervalMs(source: SourceConfig): number | undefined;
  /** Only instances that poll subscribe, renew and unsubscribe. */
  polls: boolean;
  post?: HubPost;
}

export interface WebSubParts {
  callback: WebSubCallback;
  /** Undefined on an instance that does not poll. */
  subscriber: Subscriber | undefined;
  /** For the poller (PollerDeps.heldBack). */
  heldBack(source: SourceConfig, state: SourceState | undefined, now: Date): Promise<boolean>;
  /** For the poller's outcomes. */
  observe(outcome: PollOutcome): void;
  stop(): Promise<void>;
}

function enabledIds(config: Config): Set<string> {
  return new Set(config.sources.filter((s) => s.enabled).map((s) => s.id));
}

export function createWebSub(deps: WebSubDeps): WebSubParts {
  const { store, logger, metrics } = deps;
  const settings = (): SubscriberSettings => {
    const config = deps.config();
    return {
      enabled: config.websub.subscribe,
      baseUrl: config.service.baseUrl,
      leaseSeconds: config.websub.leaseSeconds,
      sourceIds: enabledIds(config),
      hubRequest: {
        timeoutMs: config.polling.timeoutMs,
        userAgent: config.polling.userAgent,
        allowPrivateNetworks: config.polling.allowPrivateNetworks,
      },
    };
  };
  const callback = new WebSubCallback({
    subscriptions: store.subscriptions,
    settings: () => {
      const config = deps.config();
      return {
        enabled: config.websub.subscribe,
        maxBytes: config.polling.maxBytes,
        sourceIds: enabledIds(config),
      };
    },
    process: async (job) => {
      const config = deps.config();
      const source = config.sources.find((s) => s.id === job.subscription.sourceId);
      if (source === undefined) throw new Error("the source left the config");
      return storePushed(source, job.body, job.contentType, job.subscription.topic, {
        store,
        retention: config.retention,
        ingest: deps.ingest(),
        rules: rulesOfSource(config, source),
      });
    },
    logger,
    onPush: (source, outcome) => metrics.recordPush(source, outcome),
  });
  const subscriber = deps.polls
    ? new Subscriber({
        subscriptions: store.subscriptions,
        settings,
        post: deps.post ?? postToHub,
        logger,
        onHubRequest: (mode, accepted) => metrics.recordHubRequest(mode, accepted),
      })
    : undefined;
  subscriber?.start();
  return {
    callback,
    subscriber,
    heldBack: async (source, state, now) => {
      const config = deps.config();
      if (!config.websub.subscribe) return false;
      return heldBackByPushes(
        pushHoldOf(await store.subscriptions.get(source.id), state, {
          nowMs: now.getTime(),
          scheduleIntervalMs: deps.scheduleIntervalMs(source),
          safetyPollMs: config.websub.safetyPollSeconds * 1000,
        }),
      );
    },
    observe: (outcome) => {
      if (subscriber !== undefined && outcome.advertised !== undefined) {
        void subscriber.observe(outcome);
      }
    },
    stop: async () => {
      await subscriber?.stop();
      await callback.drain();
    },
  };
}
