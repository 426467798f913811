// WebSub subscriptions (model/websub.ts), one per source, in the store every instance shares:
// the hub's verification GET and its content pushes reach whichever instance the load balancer
// picks, and that instance checks the callback token and the signature key read from here.
// MemorySubscriptions is the embedded implementation; RedisSubscriptions is in
// redis-subscriptions.ts. Both pass test/store/subscription-contract.ts.
import type { Subscription, SubscriptionPatch } from "../model/websub.js";

export interface WebSubSubscriptions {
  get(sourceId: string): Promise<Subscription | undefined>;
  list(): Promise<Subscription[]>;
  /** Stores the source's subscription, replacing any other (a new token is a new subscription). */
  put(subscription: Subscription): Promise<void>;
  /**
   * Changes fields of the source's subscription only while it is still the one with `token`
   * (`undefined` in the patch removes a field). Resolves with the updated subscription, or
   * undefined when there is none with that token (replaced or removed meanwhile).
   */
  update(
    sourceId: string,
    token: string,
    patch: SubscriptionPatch,
  ): Promise<Subscription | undefined>;
  /** Removes the source's subscription if it still has `token`; true when one was removed. */
  remove(sourceId: string, token: string): Promise<boolean>;
}

/** Applies a patch the way both stores do: an `undefined` value removes the field. */
export function patched(subscription: Subscription, patch: SubscriptionPatch): Subscription {
  const next: Record<string, unknown> = { ...subscription };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) delete next[key];
    else next[key] = value;
  }
  return next as unknown as Subscription;
}

export class MemorySubscriptions implements WebSubSubscriptions {
  readonly #bySource = new Map<string, Subscription>();
  readonly #assertOpen: () => void;

  constructor(assertOpen: () => void = () => {}) {
    this.#assertOpen = assertOpen;
  }

  async get(sourceId: string): Promise<Subscription | undefined> {
    this.#assertOpen();
    const found = this.#bySource.get(sourceId);
    return found === undefined ? undefined : { ...found };
  }

  async list(): Promise<Subscription[]> {
    this.#assertOpen();
    return [...this.#bySource.values()].map((s) => ({ ...s }));
  }

  async put(subscription: Subscription): Promise<void> {
    this.#assertOpen();
    this.#bySource.set(subscription.sourceId, { ...subscription });
  }

  async update(
    sourceId: string,
    token: string,
    patch: SubscriptionPatch,
  ): Promise<Subscription | undefined> {
    this.#assertOpen();
    const found = this.#bySource.get(sourceId);
    if (found === undefined || found.token !== token) return undefined;
    const next = patched(found, patch);
    this.#bySource.set(sourceId, next);
    return { ...next };
  }

  async remove(sourceId: string, token: string): Promise<boolean> {
    this.#assertOpen();
    if (this.#bySource.get(sourceId)?.token !== token) return false;
    return this.#bySource.delete(sourceId);
  }
}
