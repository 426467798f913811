// Runs polls: bounded concurrency across sources, never two polls of one source at once,
// backoff respected for scheduled polls, every outcome reported (a poll never throws).
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
  onOutcome?(outcome: PollOutcome): void;
  now?: () => Date;
}

export interface PollOptions {
  /** Operator-requested polls ignore backoff and Retry-After; scheduled ones do not. */
  force?: boolean;
}

export class Poller {
  readonly #deps: PollerDeps;
  readonly #limiter: Limiter;
  readonly #inFlight = new Map<string, Promise<PollOutcome | undefined>>();
  /** Sources whose last poll could not reach the store: their fetched entries were not kept. */
  readonly #storeFailed = new Set<string>();

  constructor(deps: PollerDeps) {
    this.#deps = deps;
    this.#limiter = new Limiter(deps.concurrency);
  }

  /** Polls one source; resolves undefined when it was skipped (backoff, gone). */
  poll(source: SourceConfig, options: PollOptions = {}): Promise<PollOutcome | undefined> {
    const running = this.#inFlight.get(source.id);
    if (running) return running;
    const job = this.#limiter
      .run(() => this.#pollOnce(source, options))
      .finally(() => this.#inFlight.delete(source.id));
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
