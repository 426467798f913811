// Runs polls: bounded concurrency across sources and per host name, never two polls of one
// source at once — in this process, and across every worker sharing the store, through a
// claimed lease (store/leases.ts) — backoff and partners' hints respected for scheduled polls,
// every outcome reported (a poll never throws).
import { randomUUID } from "node:crypto";
import type { SourceConfig } from "../config/types.js";
import { mayPoll } from "../ingest/poll-state.js";
import { crashedOutcome, type KnownState } from "../ingest/refresh.js";
import { type PollOutcome, STORE_UNAVAILABLE } from "../model/poll.js";
import type { SourceState } from "../model/source.js";
import type { PollLease } from "../store/leases.js";
import type { Store } from "../store/store.js";
import { hostOf, PollClaim, sourceClaim } from "./claim.js";
import { Limiter } from "./limiter.js";

export interface PollerDeps {
  store: Store;
  /**
   * `known`: the state this poll already read (scheduled polls, for backoff), not read again.
   * `lease`: the claim every write of the poll carries.
   */
  refresh(
    source: SourceConfig,
    known: KnownState | undefined,
    lease: PollLease,
  ): Promise<PollOutcome>;
  concurrency: number;
  /**
   * `polling.perHostConcurrency`: fetches from one host name at once (default
   * DEFAULT_PER_HOST_CONCURRENCY), in this process and across every worker on the store. A
   * redirect to another host is counted against the configured URL's host.
   */
  perHostConcurrency?: number;
  /** `polling.leaseSeconds` in ms (default DEFAULT_LEASE_MS): a claim lasts this long unrenewed. */
  leaseMs?: number;
  /**
   * When the source is next due after a poll that left `notBefore` (backoff, Retry-After, hints):
   * its schedule's first tick at or after it; undefined leaves the due time as the claim set it
   * (the lease's end). Without this dep, a source is due again at `notBefore`, or at once.
   */
  nextDueAt?(source: SourceConfig, notBefore: Date | undefined): Date | undefined;
  /**
   * True while a scheduled poll of the source should be skipped because its WebSub hub pushes
   * its changes (model/websub.ts `heldBackByPushes`); asked at every due tick, so the
   * source returns to its schedule as soon as that stops being true. Operator polls ignore it.
   */
  heldBack?(source: SourceConfig, state: SourceState | undefined, now: Date): Promise<boolean>;
  onOutcome?(outcome: PollOutcome): void;
  /** Releases what the polls shared (their kept-alive connections), once they have ended. */
  close?(): Promise<void>;
  now?: () => Date;
}

/** The config default of `polling.perHostConcurrency`. */
export const DEFAULT_PER_HOST_CONCURRENCY = 2;

/** The config default of `polling.leaseSeconds`, in ms. */
export const DEFAULT_LEASE_MS = 60_000;

export interface PollOptions {
  /**
   * Operator-requested polls ignore the due time, backoff and Retry-After; scheduled ones do
   * not. Either way the poll claims the source first, so it never runs beside another's poll.
   */
  force?: boolean;
  /**
   * Polls a reload asks for (a source added, re-enabled or given a new URL): the due time the
   * store holds for the source was set for what it was before; backoff still applies.
   */
  ignoreDue?: boolean;
  /**
   * Fetches the whole feed: no ETag or Last-Modified is sent, so the partner cannot answer 304
   * (a reload that removed a drop rule needs the entries the rule kept out).
   */
  refetch?: boolean;
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
  /** Leases of this process's polls that the store could not be told were over (an outage). */
  readonly #unreleased = new Map<string, PollLease>();
  #leaseMs: number;
  /** Names this process's host slots in the store. */
  readonly #holder = randomUUID();

  constructor(deps: PollerDeps) {
    this.#deps = deps;
    this.#limiter = new Limiter(deps.concurrency);
    this.#perHost = deps.perHostConcurrency ?? DEFAULT_PER_HOST_CONCURRENCY;
    this.#leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
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

  /**
   * Runs `task` holding the source's claim without fetching (PollClaim.hold), after a poll of
   * it in this process ended; undefined when another worker's poll held it for a whole lease.
   */
  async underClaim<T>(
    source: SourceConfig,
    task: (lease: PollLease) => Promise<T>,
  ): Promise<T | undefined> {
    await this.#inFlight.get(source.id)?.catch(() => undefined);
    await this.#releaseUnreleased(source.id);
    const now = (this.#deps.now ?? (() => new Date()))();
    return PollClaim.hold(
      this.#deps.store.leases,
      { ...sourceClaim(source, this.#holder, this.#leaseMs, this.#perHost), nowMs: now.getTime() },
      task,
      (lease) => this.#unreleased.set(source.id, lease),
    );
  }

  async pollMany(sources: SourceConfig[], options: PollOptions = {}): Promise<PollOutcome[]> {
    const outcomes = await Promise.all(sources.map((source) => this.poll(source, options)));
    return outcomes.filter((outcome): outcome is PollOutcome => outcome !== undefined);
  }

  /**
   * Polls those of `sources` that are overdue in the store (store/leases.ts `overdue`): their
   * ticks were missed, or the worker polling them died and its lease expired. The safety net
   * under the cron ticks; a source another worker is polling right now is not claimed.
   */
  async pollOverdue(sources: SourceConfig[]): Promise<PollOutcome[]> {
    const now = (this.#deps.now ?? (() => new Date()))();
    const overdue = new Set(await this.#deps.store.leases.overdue(now.getTime()));
    return this.pollMany(sources.filter((source) => overdue.has(source.id)));
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
    // Owed: the due time their failed poll left does not apply (backoff still does).
    return this.pollMany(
      sources.filter((_, i) => owed[i]),
      { ignoreDue: true },
    );
  }

  /** Polls at once from now on (a reloaded `polling.concurrency`). */
  set concurrency(limit: number) {
    this.#limiter.limit = limit;
  }

  /** Claims last this long from now on (a reloaded `polling.leaseSeconds`). */
  set leaseMs(ms: number) {
    this.#leaseMs = ms;
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

  /** After drain(): closes what the polls shared. A poll started after this still runs. */
  async close(): Promise<void> {
    await this.#deps.close?.();
  }

  get inFlight(): number {
    return this.#inFlight.size;
  }

  async #pollOnce(source: SourceConfig, options: PollOptions): Promise<PollOutcome | undefined> {
    const now = this.#deps.now ?? (() => new Date());
    const started = Date.now();
    let claim: PollClaim | undefined;
    let nextDue: Date | undefined;
    try {
      claim = await this.#claim(source, options, now);
      if (claim === undefined) return undefined;
      let known: KnownState | undefined;
      if (!options.force) {
        const state = await this.#deps.store.getSourceState(source.id);
        if (!mayPoll(state, source.url, now())) {
          const notBefore = state?.notBefore === undefined ? undefined : new Date(state.notBefore);
          nextDue = this.#nextDueAt(source, notBefore);
          return undefined;
        }
        // Polls a reload asks for are owed whatever the hub pushes (a new URL, rules to apply).
        if (!options.ignoreDue && (await this.#heldBack(source, state, now()))) {
          // Due again at its next tick, which asks again: pushes stopping resumes polling.
          nextDue = this.#nextDueAt(source, undefined);
          return undefined;
        }
        known = options.refetch ? { state, unconditional: true } : { state };
      }
      if (!(await claim.takeHostSlot())) return undefined;
      const outcome = await this.#deps.refresh(source, known, claim.lease);
      if (outcome.errorKind !== STORE_UNAVAILABLE) {
        const notBefore = outcome.notBefore === undefined ? undefined : new Date(outcome.notBefore);
        nextDue = this.#nextDueAt(source, notBefore);
      }
      this.#report(outcome);
      return outcome;
    } catch (error) {
      const outcome = crashedOutcome(source.id, error, Date.now() - started);
      this.#report(outcome);
      return outcome;
    } finally {
      // A claim the store could not be told was over (an outage) is ended before this process
      // claims the source again (the poll owed after the outage); other workers wait for the
      // lease to expire.
      const held = claim;
      await held?.end(nextDue?.getTime()).catch(() => {
        this.#unreleased.set(source.id, held.lease);
      });
    }
  }

  /** A store that cannot say leaves the poll to run: polling is the safe side. */
  async #heldBack(source: SourceConfig, state: SourceState | undefined, now: Date) {
    if (this.#deps.heldBack === undefined) return false;
    return this.#deps.heldBack(source, state, now).catch(() => false);
  }

  #nextDueAt(source: SourceConfig, notBefore: Date | undefined): Date | undefined {
    const { nextDueAt, now = () => new Date() } = this.#deps;
    return nextDueAt ? nextDueAt(source, notBefore) : (notBefore ?? now());
  }

  /**
   * Claims the source for this poll. A scheduled poll gives up when the source is not due or
   * another poll (another worker's) holds it; an operator's poll waits for that poll to end.
   */
  async #claim(
    source: SourceConfig,
    options: PollOptions,
    now: () => Date,
  ): Promise<PollClaim | undefined> {
    await this.#releaseUnreleased(source.id);
    return PollClaim.take(this.#deps.store.leases, {
      ...sourceClaim(source, this.#holder, this.#leaseMs, this.#perHost),
      nowMs: now().getTime(),
      ignoreDue: options.force === true || options.ignoreDue === true,
      waitForHolder: options.force === true,
    });
  }

  /** A lease whose release the store did not take before: released now, before a new claim. */
  async #releaseUnreleased(sourceId: string): Promise<void> {
    const unreleased = this.#unreleased.get(sourceId);
    if (!unreleased) return;
    await this.#deps.store.leases.release(unreleased, undefined);
    this.#unreleased.delete(sourceId);
  }

  #report(outcome: PollOutcome): void {
    if (outcome.errorKind === STORE_UNAVAILABLE) this.#storeFailed.add(outcome.sourceId);
    else this.#storeFailed.delete(outcome.sourceId);
    this.#deps.onOutcome?.(outcome);
  }
}
