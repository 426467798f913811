// Runs polls: bounded concurrency across sources and per host name, never two polls of one
// source at once, backoff and partners' hints respected for scheduled polls, every outcome
// reported (a poll never throws).
import type { SourceConfig } from "../config/types.js";
import { mayPoll } from "../ingest/poll-state.js";
import { crashedOutcome, type KnownState } from "../ingest/refresh.js";
import { type PollOutcome, STORE_UNAVAILABLE } from "../model/poll.js";
import type { Store } from "../store/store.js";
import { Limiter } from "./limiter.js";

export interface PollerDeps {
  store: Store;
  /** `known`: the state this poll already read (scheduled polls, for backoff), not read again. */
  refresh(source: SourceConfig, known?: KnownState): Promise<PollOutcome>;
  concurrency: number;
  /**
   * `polling.perHostConcurrency`: polls of sources on one host name at once (default
   * DEFAULT_PER_HOST_CONCURRENCY). Counted in this process only; a redirect to another host is
   * counted against the configured URL's host.
   */
  perHostConcurrency?: number;
  onOutcome?(outcome: PollOutcome): void;
  now?: () => Date;
}

/** The config default of `polling.perHostConcurrency`. */
export const DEFAULT_PER_HOST_CONCURRENCY = 2;

export interface PollOptions {
  /** Operator-requested polls ignore backoff and Retry-After; scheduled ones do not. */
  force?: boolean;
}

export class Poller {
  readonly #deps: PollerDeps;
  readonly #limiter: Limiter;
  /** One limiter per host name with polls running or waiting; dropped when it falls idle. */
  readonly #hosts = new Map<string, Limiter>();
  #perHost: number;
  readonly #inFlight = new Map<string, Promise<PollOutcome | undefined>>();
  /** Sources whose last poll could not reach the store: their fetched entries were not kept. */
  readonly #storeFailed = new Set<string>();

  constructor(deps: PollerDeps) {
    this.#deps = deps;
    this.#limiter = new Limiter(deps.concurrency);
    this.#perHost = deps.perHostConcurrency ?? DEFAULT_PER_HOST_CONCURRENCY;
  }

  /** Polls one source; resolves undefined when it was skipped (backoff, gone). */
  poll(source: SourceConfig, options: PollOptions = {}): Promise<PollOutcome | undefined> {
    const running = this.#inFlight.get(source.id);
    if (running) return running;
    // The host's slot first, then the global one: a poll waiting for its busy host holds no
    // global slot, so sources on other hosts are not held back behind it.
    const job = this.#onHost(source.url, () =>
      this.#limiter.run(() => this.#pollOnce(source, options)),
    ).finally(() => this.#inFlight.delete(source.id));
    this.#inFlight.set(source.id, job);
    return job;
  }

  async pollMany(sources: SourceConfig[], options: PollOptions = {}): Promise<PollOutcome[]> {
    const outcomes = await Promise.all(sources.map((source) => this.poll(source, options)));
    return outcomes.filter((outcome): outcome is PollOutcome => outcome !== undefined);
  }

  /**
   * After the store came back from an outage: polls the sources it cannot have current data
   * for — those whose last poll failed to reach it, and those it holds no state for (a Redis
   * that restarted empty). Backoff still applies. Rejects if the store is down again.
   */
  async pollAfterStoreOutage(sources: SourceConfig[]): Promise<PollOutcome[]> {
    const owed = await Promise.all(
      sources.map(
        async (source) =>
          this.#storeFailed.has(source.id) ||
          (await this.#deps.store.getSourceState(source.id)) === undefined,
      ),
    );
    return this.pollMany(sources.filter((_, i) => owed[i]));
  }

  /** Polls at once from now on (a reloaded `polling.concurrency`). */
  set concurrency(limit: number) {
    this.#limiter.limit = limit;
  }

  /** Polls of one host at once from now on (a reloaded `polling.perHostConcurrency`). */
  set perHostConcurrency(limit: number) {
    this.#perHost = limit;
    for (const limiter of this.#hosts.values()) limiter.limit = limit;
  }

  async #onHost<T>(url: string, job: () => Promise<T>): Promise<T> {
    const host = hostOf(url);
    let limiter = this.#hosts.get(host);
    if (limiter === undefined) {
      limiter = new Limiter(this.#perHost);
      this.#hosts.set(host, limiter);
    }
    try {
      return await limiter.run(job);
    } finally {
      const idle = limiter.active === 0 && limiter.waiting === 0;
      if (idle && this.#hosts.get(host) === limiter) this.#hosts.delete(host);
    }
  }

  /** Resolves when every poll in flight has finished. */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.#inFlight.values()]);
  }

  get inFlight(): number {
    return this.#inFlight.size;
  }

  async #pollOnce(source: SourceConfig, options: PollOptions): Promise<PollOutcome | undefined> {
    const now = this.#deps.now ?? (() => new Date());
    const started = Date.now();
    try {
      let known: KnownState | undefined;
      if (!options.force) {
        const state = await this.#deps.store.getSourceState(source.id);
        if (!mayPoll(state, source.url, now())) return undefined;
        known = { state };
      }
      const outcome = await this.#deps.refresh(source, known);
      this.#report(outcome);
      return outcome;
    } catch (error) {
      const outcome = crashedOutcome(source.id, error, Date.now() - started);
      this.#report(outcome);
      return outcome;
    }
  }

  #report(outcome: PollOutcome): void {
    if (outcome.errorKind === STORE_UNAVAILABLE) this.#storeFailed.add(outcome.sourceId);
    else this.#storeFailed.delete(outcome.sourceId);
    this.#deps.onOutcome?.(outcome);
  }
}

/**
 * The host name a source's polls are counted against: politeness is per server name, so
 * 127.0.0.2 and 127.0.0.3 are two hosts, and two ports of one name one. A URL config would
 * have refused counts as a host of its own (its poll fails at once anyway).
 */
function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return url;
  }
}
