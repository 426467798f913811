// The parts of a running service that follow the config: the config itself, the publisher, the
// schedule, and what depends on them (staleness, per-source metrics). `reload()` swaps them for
// a new valid config without a restart; an invalid one leaves everything as it was.
import { ConfigError } from "../config/errors.js";
import {
  applicableConfig,
  diffSources,
  type ReloadResult,
  type SourceChanges,
  sourcesToPollNow,
  sourcesWithFewerDrops,
  sourcesWithNewRules,
} from "../config/reload.js";
import type { Config, SourceConfig } from "../config/types.js";
import type { Recategorised } from "../ingest/recategorise.js";
import type { Logger } from "../log.js";
import type { Metrics } from "../metrics.js";
import type { OperatorPoll, PollOutcome } from "../model/poll.js";
import type { SourceState } from "../model/source.js";
import { isStale } from "../model/staleness.js";
import type { PagePublisher } from "../pages/pages.js";
import type { FeedPublisher } from "../publish/types.js";
import { scheduleIntervalMs } from "../schedule/interval.js";
import type { Poller } from "../schedule/poller.js";
import { type Scheduler, startScheduler } from "../schedule/scheduler.js";
import type { PollLease } from "../store/leases.js";
import { plannedSchedule } from "./planned-schedule.js";

/** The longest between two sweeps for overdue sources. */
const SWEEP_MS = 5_000;

export interface LiveRuntimeDeps {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  /**
   * Builds the poller once; it reads the current config through `current` on every poll, and
   * asks `nextDueAt` when a source it polled is next due (this runtime's schedule).
   */
  makePoller(
    current: () => Config,
    onOutcome: (outcome: PollOutcome) => void,
    nextDueAt: (source: SourceConfig, notBefore: Date | undefined) => Date | undefined,
  ): Poller;
  buildPublisher(config: Config): FeedPublisher;
  /** The pages of a config; throws ConfigError when its templates are invalid. */
  buildPages(config: Config): PagePublisher;
  /** Reads the config again (the file). Without it there is nothing to reload. */
  loadConfig?: () => Promise<Config>;
  /**
   * False for an instance that never polls (role api): no cron task runs and a reload polls
   * nothing; the schedule only answers when a source is next due. Default true.
   */
  polls?: boolean;
  /**
   * Files a source's stored entries again under `config`'s rules and categories
   * (ingest/recategorise.ts), when a reload changed them, holding the source's claim (`lease`).
   * Without it a reload re-files nothing.
   */
  refile?: (source: SourceConfig, config: Config, lease: PollLease) => Promise<Recategorised>;
  now?: () => Date;
}

export class LiveRuntime {
  readonly poller: Poller;
  readonly scheduler: Scheduler;
  readonly #deps: LiveRuntimeDeps;
  readonly #now: () => Date;
  #config: Config;
  #publisher: FeedPublisher;
  #pages: PagePublisher;
  /** When each enabled source became due in this process: start-up, or the reload adding it. */
  readonly #expectedSince = new Map<string, Date>();
  /** Longest gap of each schedule expression in use (computing it takes a few ms). */
  #intervals = new Map<string, number | undefined>();
  /** Reloads run one at a time, in the order they were asked for. */
  #queue: Promise<unknown> = Promise.resolve();
  #stopped = false;
  #sweep: NodeJS.Timeout | undefined;
  /** A sweep still reading or polling: the next one waits for it. */
  #sweeping = false;

  constructor(deps: LiveRuntimeDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? (() => new Date());
    this.#config = deps.config;
    this.#publisher = deps.buildPublisher(deps.config);
    this.#pages = deps.buildPages(deps.config);
    this.#track([], deps.config);
    this.poller = deps.makePoller(
      () => this.#config,
      (outcome) => this.#recordOutcome(outcome),
      (source, notBefore) => this.scheduler.nextPollAt(source.id, notBefore),
    );
    this.scheduler = (deps.polls === false ? plannedSchedule : startScheduler)({
      sources: deps.config.sources,
      defaultSchedule: deps.config.polling.schedule,
      onDue: (sources) => void this.poller.pollMany(sources),
    });
    if (deps.polls !== false) this.#startSweep();
  }

  /**
   * Under the cron ticks, a short sweep for overdue sources: those whose worker died mid-poll
   * (taken over once its lease expired) or whose tick this instance missed. A few times per
   * lease, at most every SWEEP_MS.
   */
  #startSweep(): void {
    const leaseMs = this.#config.polling.leaseSeconds * 1000;
    this.#sweep = setInterval(
      () => {
        if (this.#sweeping) return;
        this.#sweeping = true;
        this.poller
          .pollOverdue(this.enabledSources())
          .catch(() => {}) // the store is down: the outage is logged and handled elsewhere
          .finally(() => {
            this.#sweeping = false;
          });
      },
      Math.min(SWEEP_MS, leaseMs / 3),
    );
    this.#sweep.unref();
  }

  get config(): Config {
    return this.#config;
  }

  get publisher(): FeedPublisher {
    return this.#publisher;
  }

  get pages(): PagePublisher {
    return this.#pages;
  }

  get canReload(): boolean {
    return this.#deps.loadConfig !== undefined;
  }

  enabledSources(): SourceConfig[] {
    return this.#config.sources.filter((s) => s.enabled);
  }

  /**
   * Gone sources are not polled again; otherwise the first tick at or after the floor a scheduled
   * poll respects (backoff, Retry-After, the partner's caching hints: poll-state.ts `mayPoll`).
   * Like `mayPoll`, a state recorded for another URL than the configured one puts no floor.
   */
  nextPollAt(sourceId: string, state: SourceState | undefined): Date | undefined {
    const url = this.#config.sources.find((s) => s.id === sourceId)?.url;
    const current = state?.url === undefined || url === undefined || state.url === url;
    if (current && state?.status === "gone") return undefined;
    const notBefore = current && state?.notBefore ? new Date(state.notBefore) : undefined;
    return this.scheduler.nextPollAt(sourceId, notBefore);
  }

  /** The longest gap of the source's schedule (ms), as the staleness rule reads it. */
  scheduleIntervalMs(source: SourceConfig): number | undefined {
    return this.#intervals.get(source.schedule ?? this.#config.polling.schedule);
  }

  isStale(source: SourceConfig, state: SourceState | undefined): boolean {
    const { polling } = this.#config;
    return isStale({
      enabled: source.enabled,
      state,
      intervalMs: this.#intervals.get(source.schedule ?? polling.schedule),
      multiple: polling.staleAfterMultiple,
      since: this.#expectedSince.get(source.id) ?? this.#now(),
      now: this.#now(),
    });
  }

  /**
   * Starts an operator-requested poll (backoff ignored) of every enabled source; `done` resolves
   * with their outcomes (a source already being polled joins that poll).
   */
  pollAll(): OperatorPoll {
    const sources = this.enabledSources();
    return { sources: sources.map((s) => s.id), done: this.#operatorPoll(sources) };
  }

  /**
   * Starts an operator-requested poll of one configured source, even a disabled one (as
   * `tributary poll --source`); undefined when there is no such source.
   */
  pollSource(sourceId: string): OperatorPoll | undefined {
    const source = this.#config.sources.find((s) => s.id === sourceId);
    if (!source) return undefined;
    return { sources: [source.id], done: this.#operatorPoll([source]) };
  }

  /** Operators asked for these polls: backoff does not apply. Never rejects. */
  #operatorPoll(sources: SourceConfig[]): Promise<PollOutcome[]> {
    return this.poller.pollMany(sources, { force: true });
  }

  /**
   * Reads the config again and applies it if valid. Invalid: the running config stays, and the
   * problems (`path: message` lines, as check-config prints them) are logged and returned.
   */
  reload(trigger: string): Promise<ReloadResult> {
    const run = this.#queue.then(() => this.#reloadNow(trigger));
    this.#queue = run.catch(() => {});
    return run;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#sweep);
    await this.scheduler.stop();
  }

  async #reloadNow(trigger: string): Promise<ReloadResult> {
    const { loadConfig, logger } = this.#deps;
    if (this.#stopped || !loadConfig) {
      const problem = this.#stopped
        ? "the service is stopping"
        : "no config file to reload: the service was started without one";
      return { reloaded: false, problems: [problem] };
    }
    let next: Config;
    let pages: PagePublisher;
    try {
      next = await loadConfig();
      // Templates are read with the config they belong to: invalid ones reject the reload.
      pages = this.#deps.buildPages(applicableConfig(this.#config, next).config);
    } catch (error) {
      const problems =
        error instanceof ConfigError
          ? error.problems
          : [`config: ${error instanceof Error ? error.message : String(error)}`];
      logger.error({ trigger, problems }, "config reload rejected; the running config stays");
      return { reloaded: false, problems };
    }
    if (this.#stopped) return { reloaded: false, problems: ["the service is stopping"] };
    return this.#apply(next, pages, trigger);
  }

  async #apply(next: Config, pages: PagePublisher, trigger: string): Promise<ReloadResult> {
    const { logger, metrics } = this.#deps;
    const before = this.#config;
    const { config, restartRequired } = applicableConfig(before, next);
    const changes: SourceChanges = diffSources(before.sources, config.sources);
    const pollNow = sourcesToPollNow(before.sources, config.sources);

    // Requests read config and publisher per request: swap both together.
    const publisher = this.#deps.buildPublisher(config);
    this.#track(before.sources, config);
    this.#config = config;
    this.#publisher = publisher;
    this.#pages = pages;
    await this.scheduler.update(config.sources, config.polling.schedule);
    this.poller.concurrency = config.polling.concurrency;
    this.poller.perHostConcurrency = config.polling.perHostConcurrency;
    this.poller.leaseMs = config.polling.leaseSeconds * 1000;
    metrics.forgetSources(changes.removed);

    logger.info({ trigger, ...changes }, "config reloaded");
    if (restartRequired.length > 0) {
      logger.warn(
        { trigger, fields: restartRequired },
        "config changes that need a restart to apply; the running values stay",
      );
    }
    this.#pollInBackground(pollNow);
    const rules = await this.#refile(before, config, trigger);
    // After the re-filing, so that its writes and the fetch's do not cross.
    const refetch = sourcesWithFewerDrops(before, config).filter(
      (source) => !pollNow.some((s) => s.id === source.id),
    );
    if (refetch.length > 0 && this.#deps.polls !== false) {
      logger.info(
        { trigger, sources: refetch.map((s) => s.id) },
        "a drop rule was removed: fetching the whole feed again for the entries it kept out",
      );
      void this.poller.pollMany(refetch, { ignoreDue: true, refetch: true });
    }
    return { reloaded: true, ...changes, restartRequired, ...(rules ? { rules } : {}) };
  }

  /**
   * Re-applies changed category rules to the stored entries of the sources they concern, no
   * fetch needed. Only an instance that polls does it (role api leaves the store to workers);
   * several workers reloading the same file write it once: the second finds nothing to change.
   * A failure (the store down) is logged and leaves the entries as they were until the next
   * reload or poll.
   */
  async #refile(before: Config, config: Config, trigger: string) {
    const { refile, logger } = this.#deps;
    if (refile === undefined || this.#deps.polls === false) return undefined;
    const results: NonNullable<Extract<ReloadResult, { reloaded: true }>["rules"]> = [];
    for (const source of sourcesWithNewRules(before, config)) {
      try {
        // Under the source's claim: a poll of it on any worker waits, or is waited for.
        const done = await this.poller.underClaim(source, (lease) => refile(source, config, lease));
        if (done === undefined) throw new Error("a poll of the source held it for a whole lease");
        const { recategorised, dropped, unchanged } = done;
        results.push({ source: source.id, recategorised, dropped, unchanged });
        logger.info(
          { trigger, source: source.id, recategorised, dropped, unchanged },
          "category rules re-applied to stored entries",
        );
      } catch (error) {
        logger.error(
          {
            trigger,
            source: source.id,
            error: error instanceof Error ? error.message : String(error),
          },
          "category rules could not be re-applied to stored entries; they keep their categories",
        );
      }
    }
    return results;
  }

  /** Keeps the staleness bookkeeping in line with a new config. */
  #track(before: SourceConfig[], config: Config): void {
    const wasEnabled = new Set(before.filter((s) => s.enabled).map((s) => s.id));
    const enabledNow = new Set(config.sources.filter((s) => s.enabled).map((s) => s.id));
    const now = this.#now();
    for (const id of [...this.#expectedSince.keys()]) {
      if (!enabledNow.has(id)) this.#expectedSince.delete(id);
    }
    for (const id of enabledNow) {
      if (!wasEnabled.has(id)) this.#expectedSince.set(id, now);
    }
    const intervals = new Map<string, number | undefined>();
    for (const source of config.sources) {
      const expression = source.schedule ?? config.polling.schedule;
      if (intervals.has(expression)) continue;
      const known = this.#intervals.has(expression);
      intervals.set(
        expression,
        known ? this.#intervals.get(expression) : scheduleIntervalMs(expression),
      );
    }
    this.#intervals = intervals;
  }

  #pollInBackground(sources: SourceConfig[]): void {
    if (sources.length === 0 || this.#deps.polls === false) return;
    // Backoff applies: a source back in the config may still be in backoff from before.
    void this.poller.pollMany(sources, { ignoreDue: true });
  }

  /** Outcomes of polls that finish after their source left the config are not recorded. */
  #recordOutcome(outcome: PollOutcome): void {
    if (!this.#config.sources.some((s) => s.id === outcome.sourceId)) return;
    this.#deps.metrics.recordPoll(outcome);
  }
}
