// What the HTTP application is given by the composition root. In a module of its own so the
// routes read it without importing the app that registers them.
import type { Logger } from "pino";
import type { ReloadResult } from "../config/reload.js";
import type { Config, SourceConfig } from "../config/types.js";
import type { Metrics } from "../metrics.js";
import type { OperatorPoll } from "../model/poll.js";
import type { SourceState } from "../model/source.js";
import type { PagePublisher } from "../pages/pages.js";
import type { FeedPublisher } from "../publish/types.js";
import type { Store } from "../store/store.js";
import type { WebSubCallback } from "../websub/callback.js";

export interface AppDeps {
  /** Read per request: the config may be reloaded while the server runs. */
  getConfig(): Config;
  store: Store;
  getPublisher(): FeedPublisher;
  /** The pages of the config in force (with its templates); replaced with it on a reload. */
  getPages(): PagePublisher;
  /** When the source will next be polled, given its stored state (backoff, gone). */
  nextPollAt(sourceId: string, state: SourceState | undefined): Date | undefined;
  logger: Logger;
  /** Without it there is no GET /metrics. */
  metrics?: Metrics;
  /** No successful fetch for `polling.staleAfterMultiple` schedule intervals; default never. */
  isStale?(source: SourceConfig, state: SourceState | undefined): boolean;
  /** The longest gap of the source's schedule (for the WebSub polling stretch); default unknown. */
  scheduleIntervalMs?(source: SourceConfig): number | undefined;
  /** Behind /admin/*, which also needs `adminToken` in the config; without either, a 404. */
  admin?: AdminActions;
  /** The WebSub callback (verification and content pushes); without it, no callback routes. */
  websub?: Pick<WebSubCallback, "verify" | "push">;
  /** How often a store outage is summarised in the log; default 30 s. */
  outageSummaryMs?: number;
}

export interface AdminActions {
  /** Starts a poll of every enabled source (backoff ignored): their ids, and the outcomes. */
  pollAll(): OperatorPoll;
  /** Starts a poll of one configured source; false when there is no such source. */
  pollSource(sourceId: string): OperatorPoll | undefined;
  /** Reads and applies the config file; absent when the service runs without one. */
  reload?(): Promise<ReloadResult>;
}
