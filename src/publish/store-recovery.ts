// Whether the store's data can be taken as complete. A store that lost its data (a Redis
// restarted without persistence, or flushed) comes back empty and is refilled by a re-poll of
// every source, one partner at a time; until that re-poll has finished, a page rendered from
// it may be empty or partial, and must not be published as if it were current.
//
// The store names its data set with a generation (CategoryVersion.generation) that the first
// write to an empty store sets anew; the publisher passes every generation it reads here, so a
// loss is noticed on the very request that first sees it, on every instance.

export interface StoreRecoveryOptions {
  /** Called once per loss noticed: the caller starts the re-poll and then calls settled(). */
  onLoss?: () => void;
  now?: () => Date;
}

export class StoreRecovery {
  readonly #onLoss: (() => void) | undefined;
  readonly #now: () => Date;
  /** The generation whose data is trusted; undefined until one has been seen. */
  #trusted: string | undefined;
  /** When the loss was noticed, while the re-poll has not finished. */
  #lostAt: Date | undefined;

  constructor(options: StoreRecoveryOptions = {}) {
    this.#onLoss = options.onLoss;
    this.#now = options.now ?? (() => new Date());
  }

  /**
   * Records a generation read from the store. Returns when the loss was noticed while the
   * data is being refilled, undefined when it can be trusted.
   */
  observe(generation: string | undefined): Date | undefined {
    if (this.#lostAt !== undefined || generation === this.#trusted) return this.#lostAt;
    if (this.#trusted === undefined) {
      // The first generation seen (at start, or the first write to a new, empty store).
      this.#trusted = generation;
      return undefined;
    }
    // Gone (nothing written since the store came back empty) or replaced (written since).
    this.#lostAt = this.#now();
    this.#onLoss?.();
    return this.#lostAt;
  }

  /** The re-poll after a store outage has finished; `generation` is the store's now. */
  settled(generation: string | undefined): void {
    this.#trusted = generation;
    this.#lostAt = undefined;
  }

  /** When the loss was noticed, while the re-poll has not finished. */
  get lostAt(): Date | undefined {
    return this.#lostAt;
  }
}
