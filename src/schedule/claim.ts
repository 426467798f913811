// One poll's hold on its source across every worker sharing the store (store/leases.ts): the
// lease, renewed while the poll runs, and one of its host's fetch slots. The poller takes a
// claim before it reads or fetches anything and ends it, whatever happened, when the poll ends.
import type { HostSlot, PollLease, PollLeases } from "../store/leases.js";

/** Waits between tries for a host slot or a lease another poll holds, in ms (plus jitter). */
const RETRY_MS = 100;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const retryDelay = () => sleep(RETRY_MS + Math.random() * RETRY_MS);

export interface ClaimRequest {
  sourceId: string;
  nowMs: number;
  leaseMs: number;
  /** The due time does not apply (operator polls, reloads, polls owed after an outage). */
  ignoreDue: boolean;
  /** A poll in progress elsewhere is waited for (at most a lease's length), not given up on. */
  waitForHolder: boolean;
  /** The fetch slot to take with the claim if one is free (else takeHostSlot waits for one). */
  hostSlot: HostSlot & { limit: number };
}

export class PollClaim {
  readonly lease: PollLease;
  readonly #leases: PollLeases;
  readonly #leaseMs: number;
  readonly #heartbeat: NodeJS.Timeout;
  /** A renewal on its way: the end waits for it, or it would take the host slot again. */
  #beat: Promise<unknown> = Promise.resolve();
  readonly #wanted: HostSlot & { limit: number };
  /** The host slot, once taken. */
  #slot: (HostSlot & { limit: number }) | undefined;

  private constructor(
    leases: PollLeases,
    lease: PollLease,
    leaseMs: number,
    slot: HostSlot & { limit: number },
    slotTaken: boolean,
  ) {
    this.#leases = leases;
    this.lease = lease;
    this.#leaseMs = leaseMs;
    this.#wanted = slot;
    this.#slot = slotTaken ? slot : undefined;
    // A slow fetch keeps its claim, and its host slot, for as long as it runs.
    this.#heartbeat = setInterval(() => {
      const slot = this.#slot;
      this.#beat = Promise.all([
        leases.renew(lease, leaseMs),
        slot && leases.acquireHost(slot.host, slot.holder, slot.limit, Date.now(), leaseMs),
      ]).catch(() => {});
    }, leaseMs / 3);
    this.#heartbeat.unref();
  }

  /** The claim, or undefined when the source is not due or another poll holds it. */
  static async take(leases: PollLeases, request: ClaimRequest): Promise<PollClaim | undefined> {
    const { sourceId, leaseMs } = request;
    const waitUntil = Date.now() + leaseMs;
    for (;;) {
      const claim = await leases.claim(sourceId, {
        nowMs: request.nowMs,
        leaseMs,
        force: request.ignoreDue,
        hostSlot: request.hostSlot,
      });
      if ("lease" in claim) {
        return new PollClaim(leases, claim.lease, leaseMs, request.hostSlot, claim.hostSlot);
      }
      if (!request.waitForHolder || Date.now() >= waitUntil) return undefined;
      await retryDelay();
    }
  }

  /**
   * Runs `task` holding the source's claim, as a poll would, without fetching: a write of its
   * stored entries (category rules re-applied) must not interleave with a poll of the source
   * on any worker. Waits for a poll in progress (at most a lease's length); undefined when none
   * ended in time. The source's due time is kept. `unreleased`: told of a claim whose end the
   * store did not take (its lease then runs out by itself).
   */
  static async hold<T>(
    leases: PollLeases,
    request: Omit<ClaimRequest, "ignoreDue" | "waitForHolder">,
    task: (lease: PollLease) => Promise<T>,
    unreleased: (lease: PollLease) => void = () => {},
  ): Promise<T | undefined> {
    const due = (await leases.dueTimes([request.sourceId])).get(request.sourceId);
    const claim = await PollClaim.take(leases, {
      ...request,
      ignoreDue: true,
      waitForHolder: true,
    });
    if (claim === undefined) return undefined;
    try {
      return await task(claim.lease);
    } finally {
      await claim.end(due).catch(() => unreleased(claim.lease));
    }
  }

  /**
   * The host's fetch slot across all workers (each process already limits its own polls per
   * host): taken with the claim when one was free, else waited for, at most a lease's length;
   * false if none came free.
   */
  async takeHostSlot(): Promise<boolean> {
    if (this.#slot) return true;
    const { host, holder, limit } = this.#wanted;
    const waitUntil = Date.now() + this.#leaseMs;
    for (;;) {
      if (await this.#leases.acquireHost(host, holder, limit, Date.now(), this.#leaseMs)) {
        this.#slot = this.#wanted;
        return true;
      }
      if (Date.now() >= waitUntil) return false;
      await retryDelay();
    }
  }

  /**
   * Frees the host slot and the lease, recording when the source is next due (undefined: at the
   * lease's end, as the claim set it). Rejects when the store could not be told.
   */
  async end(nextDueMs: number | undefined): Promise<void> {
    clearInterval(this.#heartbeat);
    await this.#beat;
    await this.#leases.release(this.lease, nextDueMs, this.#slot);
  }
}

/** What a claim of `source` by the worker `holder` asks for, whatever the due time says. */
export function sourceClaim(
  source: { id: string; url: string },
  holder: string,
  leaseMs: number,
  perHost: number,
): Omit<ClaimRequest, "nowMs" | "ignoreDue" | "waitForHolder"> {
  return {
    sourceId: source.id,
    leaseMs,
    hostSlot: { host: hostOf(source.url), holder: `${holder}:${source.id}`, limit: perHost },
  };
}

/**
 * The host name a source's polls are counted against: politeness is per server name, so
 * 127.0.0.2 and 127.0.0.3 are two hosts, and two ports of one name one. A URL config would
 * have refused counts as a host of its own (its poll fails at once anyway).
 */
export function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return url;
  }
}
