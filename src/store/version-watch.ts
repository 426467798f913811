// Category versions answered from memory while every change is pushed to us. Without this a
// cached feed request costs one Redis round trip (store.categoryVersion) before it can answer;
// with it, the request touches no socket but the client's. The store announces each version
// bump (RedisStore: a PUBLISH in the bump's own MULTI, and a local call after its own writes);
// an announcement drops that category's cached version, and the next request reads it again.
//
// Whenever the announcements might not reach us — not subscribed yet, the subscriber connection
// lost, the serving connection down or hung — nothing is cached and every call reads the store
// directly, exactly as without the watch, so an outage still throws StoreUnavailableError.
// After a (re)subscription everything is dropped, since announcements may have been missed
// while we were away; and a cached version older than `recheckMs` is read again, in case one
// got lost on a live connection.
//
// peekVersion answers the same cached versions synchronously (no promise, no microtask), for
// the cached-feed path: exactly when categoryVersion would answer from memory — live, the
// read settled, younger than `recheckMs` — and undefined whenever it would read the store.
import type { CategoryVersion, Store } from "./store.js";

/** What the watch is told by the store it watches. */
export interface VersionListener {
  /** The category's version moved (or may have): forget what is cached for it. */
  changed(category: string): void;
  /** Announcements may have been missed (a new subscription): forget everything. */
  reset(): void;
}

/** A live stream of version announcements, as returned by a SubscribeVersions function. */
export interface VersionFeed {
  /** True while every bump is being announced: only then may answers come from memory. */
  readonly live: boolean;
  /** Stops listening and closes what the feed opened (no handle may keep the process alive). */
  close(): Promise<void>;
}

export type SubscribeVersions = (listener: VersionListener) => VersionFeed;

export interface VersionWatchOptions {
  /** A cached version this old (ms since its read began) is read again. */
  recheckMs?: number;
}

export const VERSION_WATCH_DEFAULTS = { recheckMs: 5_000 } as const;

/** One category's read: shared by concurrent misses while pending, the cached answer after. */
interface Slot {
  answer: Promise<CategoryVersion>;
  startedMs: number;
  settled: boolean;
  /** What `answer` resolved to, once settled and kept (what peekVersion returns). */
  value: CategoryVersion | undefined;
}

export interface WatchedStore extends Store {
  /** Whether versions are answered from memory right now (for logs and tests). */
  readonly watching: boolean;
}

/**
 * Wraps `store` so that categoryVersion, version and peekVersion are answered from memory while
 * the feed `subscribe` returns is live. Every other method, present and future, goes straight to
 * `store` (a Proxy, as instrumented.ts does, so a method added to Store needs no change here).
 */
export function watchVersions(
  store: Store,
  subscribe: SubscribeVersions,
  options: VersionWatchOptions = {},
): WatchedStore {
  const recheckMs = options.recheckMs ?? VERSION_WATCH_DEFAULTS.recheckMs;
  const slots = new Map<string, Slot>();
  /** The generation of the last read: a new one means the data set was replaced. */
  let generation: string | undefined;
  const feed = subscribe({
    changed: (category) => void slots.delete(category),
    reset: () => slots.clear(),
  });

  const read = (category: string): Promise<CategoryVersion> => {
    const slot: Slot = {
      answer: store.categoryVersion(category),
      startedMs: Date.now(),
      settled: false,
      value: undefined,
    };
    slots.set(category, slot);
    slot.answer.then(
      (answer) => {
        // Dropped while in flight (a bump was announced, or we stopped being live): the answer
        // is returned to whoever waits for it, but not kept.
        if (slots.get(category) !== slot) return;
        if (!feed.live) {
          slots.delete(category);
          return;
        }
        slot.settled = true;
        slot.value = answer;
        if (answer.generation !== generation) {
          // Every other cached version belongs to the data set that was replaced.
          if (generation !== undefined) {
            for (const key of slots.keys()) if (key !== category) slots.delete(key);
          }
          generation = answer.generation;
        }
      },
      () => {
        if (slots.get(category) === slot) slots.delete(category);
      },
    );
    return slot.answer;
  };

  const categoryVersion = (category: string): Promise<CategoryVersion> => {
    if (!feed.live) {
      // Not told about changes: whatever is cached may be wrong by now, and so may be a read
      // in flight when it lands. Read directly, as without the watch.
      if (slots.size > 0) slots.clear();
      return store.categoryVersion(category);
    }
    const slot = slots.get(category);
    if (slot && !(slot.settled && Date.now() - slot.startedMs >= recheckMs)) return slot.answer;
    return read(category);
  };

  /** categoryVersion's answer when it would come from memory, else undefined (see above). */
  const peekVersion = (category: string): CategoryVersion | undefined => {
    if (!feed.live) return undefined;
    const slot = slots.get(category);
    if (slot?.value === undefined || Date.now() - slot.startedMs >= recheckMs) return undefined;
    return slot.value;
  };

  const overrides: Partial<Record<PropertyKey, unknown>> = {
    categoryVersion,
    peekVersion,
    version: async (category: string): Promise<number> =>
      feed.live ? (await categoryVersion(category)).version : store.version(category),
    close: async (): Promise<void> => {
      slots.clear();
      try {
        await feed.close();
      } finally {
        await store.close();
      }
    },
  };
  const bound = new Map<PropertyKey, unknown>();
  return new Proxy(store, {
    get(target, property) {
      if (property === "watching") return feed.live;
      if (Object.hasOwn(overrides, property)) return overrides[property as string];
      // Read from the target itself: the stores keep their state in private (#) fields.
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== "function") return value;
      let method = bound.get(property);
      if (method === undefined) {
        method = value.bind(target);
        bound.set(property, method);
      }
      return method;
    },
  }) as WatchedStore;
}
