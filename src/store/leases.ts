// Who polls a source, when: several workers share one store, and each due poll of a source must
// be made by exactly one of them. A worker claims the source (a lease that expires, so a worker
// that died mid-poll gives the source back) and gets a fencing token; every write of that poll
// carries the token, and the store refuses it once a newer claim was made, so a worker that lost
// its lease (paused, partitioned) cannot overwrite a newer poll's entries or state.
// The due times live in the store too: the next poll of a source is due at the time the last
// poll computed (the next cron tick at or after backoff, Retry-After and the partner's hints).
// MemoryLeases is the embedded implementation (one process); RedisLeases is in redis-leases.ts.

/** A claimed poll of one source. */
export interface PollLease {
  readonly sourceId: string;
  /** The fencing token: grows with every claim of the source, across all workers. */
  readonly token: number;
}

/** One of a host's fetch slots, held by `holder` (a poll of this process). */
export interface HostSlot {
  readonly host: string;
  readonly holder: string;
}

export type ClaimResult =
  /** `hostSlot`: the slot asked for with the claim was taken too (true when none was asked). */
  | { readonly lease: PollLease; readonly hostSlot: boolean }
  /** `not-due`: its due time (epoch ms) is later; `leased`: another poll holds the source. */
  | { readonly refused: "not-due"; readonly dueAt: number }
  | { readonly refused: "leased" };

export interface ClaimOptions {
  nowMs: number;
  /** How long the lease lasts unless renewed. */
  leaseMs: number;
  /** Operator polls: the due time does not apply (a lease held by another poll still does). */
  force?: boolean;
  /**
   * Also take one of `limit` fetch slots of the host (as acquireHost, for the lease's length)
   * in the same step, saving a round trip per poll; a claim stands even when no slot is free.
   */
  hostSlot?: HostSlot & { readonly limit: number };
}

export interface PollLeases {
  /** Claims the source's poll: refused while another poll holds it, or before it is due. */
  claim(sourceId: string, options: ClaimOptions): Promise<ClaimResult>;
  /** Extends a lease still held (or expired but not claimed since); false once it was lost. */
  renew(lease: PollLease, leaseMs: number): Promise<boolean>;
  /**
   * Ends the poll: frees the lease and records when the source is next due (undefined: leave
   * the due time as it is). Does neither when a newer claim was made in the meantime. Frees
   * `hostSlot` in the same step, in any case.
   */
  release(lease: PollLease, nextDueMs: number | undefined, hostSlot?: HostSlot): Promise<void>;
  /**
   * Sources whose recorded due time is at or before `nowMs`: missed by their workers' ticks, or
   * claimed by a poll that died (a claim moves the due time to the lease's end). Sources never
   * claimed have none: their first poll is the start-up poll or a tick.
   */
  overdue(nowMs: number): Promise<string[]>;
  /** The recorded due time of each source that has one (epoch ms). */
  dueTimes(sourceIds: readonly string[]): Promise<Map<string, number>>;
  /**
   * Takes one of `limit` fetch slots for `host`, shared by every worker (polite polling);
   * false when all are taken. A slot not released returns after `ttlMs` (a worker that died).
   */
  acquireHost(
    host: string,
    holder: string,
    limit: number,
    nowMs: number,
    ttlMs: number,
  ): Promise<boolean>;
  releaseHost(host: string, holder: string): Promise<void>;
}

/** A poll's write carried a token older than the source's newest claim: it was not applied. */
export class LeaseLostError extends Error {
  override name = "LeaseLostError";
  constructor(sourceId: string) {
    super(`the poll of ${sourceId} lost its lease to a newer poll; its writes were refused`);
  }
}

export class MemoryLeases implements PollLeases {
  /** Newest token issued per source. */
  readonly #fences = new Map<string, number>();
  readonly #leases = new Map<string, { token: number; expiresAt: number }>();
  readonly #due = new Map<string, number>();
  /** Per host: holder → slot expiry (epoch ms). */
  readonly #hosts = new Map<string, Map<string, number>>();
  readonly #clock: () => number;
  readonly #assertOpen: () => void;

  /**
   * `assertOpen` throws when the store is closed (as an unreachable Redis would); `clock` tells
   * lease expiry, while claims and slots take their `nowMs` from the caller.
   */
  constructor(assertOpen: () => void = () => {}, clock: () => number = Date.now) {
    this.#assertOpen = assertOpen;
    this.#clock = clock;
  }

  /** Throws LeaseLostError unless `lease` is the source's newest claim (the store's write check). */
  assertCurrent(lease: PollLease | undefined): void {
    if (lease !== undefined && this.#fences.get(lease.sourceId) !== lease.token) {
      throw new LeaseLostError(lease.sourceId);
    }
  }

  async claim(sourceId: string, options: ClaimOptions): Promise<ClaimResult> {
    this.#assertOpen();
    const dueAt = this.#due.get(sourceId);
    if (!options.force && dueAt !== undefined && dueAt > options.nowMs) {
      return { refused: "not-due", dueAt };
    }
    const held = this.#leases.get(sourceId);
    if (held && held.expiresAt > this.#clock()) return { refused: "leased" };
    const token = (this.#fences.get(sourceId) ?? 0) + 1;
    this.#fences.set(sourceId, token);
    this.#leases.set(sourceId, { token, expiresAt: this.#clock() + options.leaseMs });
    this.#due.set(sourceId, options.nowMs + options.leaseMs);
    const slot = options.hostSlot;
    const hostSlot =
      slot === undefined ||
      this.#takeSlot(slot.host, slot.holder, slot.limit, options.nowMs, options.leaseMs);
    return { lease: { sourceId, token }, hostSlot };
  }

  async renew(lease: PollLease, leaseMs: number): Promise<boolean> {
    this.#assertOpen();
    if (this.#fences.get(lease.sourceId) !== lease.token) return false;
    this.#leases.set(lease.sourceId, { token: lease.token, expiresAt: this.#clock() + leaseMs });
    return true;
  }

  async release(
    lease: PollLease,
    nextDueMs: number | undefined,
    hostSlot?: HostSlot,
  ): Promise<void> {
    this.#assertOpen();
    if (hostSlot) this.#freeSlot(hostSlot.host, hostSlot.holder);
    if (this.#fences.get(lease.sourceId) !== lease.token) return;
    this.#leases.delete(lease.sourceId);
    if (nextDueMs !== undefined) this.#due.set(lease.sourceId, nextDueMs);
  }

  async overdue(nowMs: number): Promise<string[]> {
    this.#assertOpen();
    return [...this.#due].filter(([, at]) => at <= nowMs).map(([id]) => id);
  }

  async dueTimes(sourceIds: readonly string[]): Promise<Map<string, number>> {
    this.#assertOpen();
    const times = new Map<string, number>();
    for (const id of sourceIds) {
      const at = this.#due.get(id);
      if (at !== undefined) times.set(id, at);
    }
    return times;
  }

  async acquireHost(
    host: string,
    holder: string,
    limit: number,
    nowMs: number,
    ttlMs: number,
  ): Promise<boolean> {
    this.#assertOpen();
    return this.#takeSlot(host, holder, limit, nowMs, ttlMs);
  }

  async releaseHost(host: string, holder: string): Promise<void> {
    this.#assertOpen();
    this.#freeSlot(host, holder);
  }

  #takeSlot(host: string, holder: string, limit: number, nowMs: number, ttlMs: number): boolean {
    const slots = this.#hosts.get(host) ?? new Map<string, number>();
    for (const [other, expiresAt] of slots) if (expiresAt <= nowMs) slots.delete(other);
    if (!slots.has(holder) && slots.size >= limit) return false;
    slots.set(holder, nowMs + ttlMs);
    this.#hosts.set(host, slots);
    return true;
  }

  #freeSlot(host: string, holder: string): void {
    const slots = this.#hosts.get(host);
    slots?.delete(holder);
    if (slots?.size === 0) this.#hosts.delete(host);
  }

  /** Forgets a source's leases and due time (the store removed the source). */
  forget(sourceId: string): void {
    this.#leases.delete(sourceId);
    this.#due.delete(sourceId);
  }
}
