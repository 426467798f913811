import type { SourceState } from "../model/source.js";
import type { Update } from "../model/update.js";
import type { PollLease, PollLeases } from "./leases.js";
import type { PingedTopics } from "./pinged-topics.js";
import type { WebSubSubscriptions } from "./subscriptions.js";

// The store indexes every entry under the merged pseudo-category too; its id is the model's.
export { ALL } from "../model/category.js";

export interface UpsertResult {
  added: number;
  updated: number;
  unchanged: number;
}

export interface UpsertOptions {
  /**
   * Ids whose `published`/`updated` are first-seen fallbacks (the partner gave no usable
   * date): when the entry is already stored, its stored dates are kept so they stay stable.
   */
  fallbackDated: ReadonlySet<string>;
  /** The poll writing them: refused with LeaseLostError once a newer poll claimed the source. */
  lease?: PollLease;
}

export interface ListQuery {
  /** A category id or `ALL`. */
  category: string;
  /** Only entries of this source. */
  source?: string;
  /**
   * Only entries in this language: a canonical BCP 47 range (model/language.ts), matched by
   * RFC 4647 basic filtering, read from the category's per-language index.
   */
  language?: string;
  limit: number;
  /** Opaque keyset cursor from a page's `next` (or `previous`): lists the entries after it. */
  cursor?: string;
  /**
   * Opaque keyset cursor from a page's `previous` (or `next`): lists the `limit` entries right
   * before it in listing order (newer than the position), still newest first. Exclusive with
   * `cursor`: both at once is a RangeError (a caller bug; the HTTP layer never sends both).
   */
  before?: string;
}

/**
 * One page of a listing. From any page, `next` read as `cursor` gives the older page and
 * `previous` read as `before` the newer one: either way, keyset paging visits every entry once.
 * While nothing changes, following `previous` back from a page reached by `next` gives the same
 * pages again (the last page starts on a multiple of `limit`).
 */
export interface Page {
  /** Newest first: `published` descending, then `id` descending. */
  items: Update[];
  /**
   * The cursor of the last item when an older entry follows it, else null. A `before` read that
   * comes back empty (nothing is newer than its position any more) has none either: the first
   * page is where to start again.
   */
  next: string | null;
  /**
   * The `before` cursor for the newer page, or null when nothing is newer than the first item:
   * always null on a first page. Otherwise the cursor of the first item, or on an empty
   * `cursor` read the cursor given, as long as a newer entry exists.
   */
  previous: string | null;
}

/** What the feed publisher reads on every request (see Store.categoryVersion). */
export interface CategoryVersion {
  /** As `Store.version`: 0 until the category first changes. */
  version: number;
  /**
   * When the version last moved, by the clock of the writer, recorded in the same write: every
   * instance reads the same instant. Undefined while the version is 0.
   */
  changedAt: Date | undefined;
  /**
   * Names the store's data set. Set by the first write to an empty store, so a store that lost
   * its data (a Redis restarted without persistence) comes back with none, then a new one.
   */
  generation: string | undefined;
}

export interface RetentionPolicy {
  /** Newest entries kept per source, listed by the partner or not. */
  maxEntriesPerSource: number;
  /** Entries that have left the partner's feed are removed once older than this. */
  maxAgeDays: number;
}

/**
 * Where Updates and per-source fetch state live. Implemented by MemoryStore (embedded)
 * and RedisStore (shared by instances); both pass test/store/contract.ts.
 * Every method rejects with StoreUnavailableError when the backend cannot be reached,
 * so an outage never looks like an empty result.
 */
export interface Store {
  readonly kind: "memory" | "redis";
  /** Claims, fencing tokens and due times of polls, and fetch slots per host (leases.ts). */
  readonly leases: PollLeases;
  /** WebSub subscriptions to partners' hubs, shared by every instance (subscriptions.ts). */
  readonly subscriptions: WebSubSubscriptions;
  /**
   * Rendered pages shared between the instances of a deployment (RedisStore), so one that
   * starts or restarts serves a page another rendered instead of rendering it again. Absent
   * on the memory store: one process has nobody to share with.
   */
  readonly renders?: SharedRenders;
  /** The ETag WebSub hubs were last told of per feed URL: who pings for a change (pinged-topics.ts). */
  readonly pingedTopics: PingedTopics;
  /** Idempotent insert-or-update keyed by `Update.id`; writes only what changed. */
  upsert(updates: Update[], options: UpsertOptions): Promise<UpsertResult>;
  list(query: ListQuery): Promise<Page>;
  get(id: string): Promise<Update | undefined>;
  /** Number of entries in a category (or `ALL`), optionally of one source. */
  count(category: string, source?: string): Promise<number>;
  /**
   * The languages entries of the category (or `ALL`) are listed in (per-language listings, by
   * primary subtag), with how many each, most first; entries with no language are not counted.
   */
  languages(category: string): Promise<LanguageCount[]>;
  /** Counter bumped whenever an entry of the category (or `ALL`) is added, changed or removed. */
  version(category: string): Promise<number>;
  /** The version with when it moved and the data generation, in one round trip (feed hot path). */
  categoryVersion(category: string): Promise<CategoryVersion>;
  /**
   * The version as this process already knows it, without IO: what `categoryVersion` would
   * resolve to right now when it would answer from memory; undefined when it would have to
   * ask the backend (or fail). Synchronous, for the cached-feed hot path. The object may be
   * shared between calls: callers must not mutate it.
   */
  peekVersion?(category: string): CategoryVersion | undefined;
  getSourceState(sourceId: string): Promise<SourceState | undefined>;
  /** With `lease`: refused with LeaseLostError once a newer poll claimed the source. */
  setSourceState(sourceId: string, state: SourceState, lease?: PollLease): Promise<void>;
  /**
   * Removes the source's entries beyond the policy; returns how many were removed. `listed`
   * holds the ids the source's feed lists now (the poll that just succeeded): those never age
   * out — a partner that posts a few times a year keeps its archive — and only the count cap
   * (newest kept) applies to them. Removes nothing, and writes nothing, when nothing is due.
   * With `lease`, fenced like `upsert`.
   */
  applyRetention(
    sourceId: string,
    policy: RetentionPolicy,
    now: Date,
    listed: ReadonlySet<string>,
    lease?: PollLease,
  ): Promise<number>;
  /**
   * Forgets a source: removes its entries from every index, bumps the versions of the
   * categories that lost one, and deletes its fetch state and due time. Returns how many entries went.
   * Used by `tributary prune` after a source left the config.
   */
  removeSource(sourceId: string): Promise<number>;
  /**
   * Removes these entries (ids not stored are ignored) from every index and their stories, and
   * bumps the versions of the categories that lost one. Returns how many went. Used when a new
   * category rule drops entries already stored. `lease`: the claim of their source the removal
   * is made under (LeaseLostError once a newer poll claimed it).
   */
  removeEntries(ids: readonly string[], lease?: PollLease): Promise<number>;
  /**
   * Takes a stored entry out of every listing at once (feeds, pages, API; on every instance, as
   * a version bump) and keeps it out when a later poll brings it again: it stays stored, so
   * `unhide` shows the partner's latest copy. False when no such entry is stored. Hiding a
   * hidden entry keeps its first `hiddenAt`.
   */
  hide(id: string, at: Date): Promise<boolean>;
  /** Lists a hidden entry again; false when it was not hidden. */
  unhide(id: string): Promise<boolean>;
  /** What is hidden, most recently hidden first. */
  hidden(): Promise<HiddenEntry[]>;
  /** Resolves when the backend answers. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** One language of a category's listing (Store.languages). */
export interface LanguageCount {
  /** A primary language subtag: `fr`, `ar`, `zh`. */
  language: string;
  entries: number;
}

/** Most entries first, then by language. */
export function mostFirst(a: LanguageCount, b: LanguageCount): number {
  return b.entries - a.entries || (a.language < b.language ? -1 : a.language > b.language ? 1 : 0);
}

/** An entry an editor took down (POST /admin/updates/{id}/hide). */
export interface HiddenEntry {
  id: string;
  /** ISO 8601: when it was hidden. */
  hiddenAt: string;
  /** What it was, for the list (absent if the entry itself is gone since). */
  title?: string;
  sourceId?: string;
}

/** Rendered text by key (the publisher's: it names the page, its version and the config). */
export interface SharedRenders {
  get(key: string): Promise<string | undefined>;
  /** Kept `ttlMs`: a page of an old version is never asked for again, so it just expires. */
  put(key: string, text: string, ttlMs: number): Promise<void>;
}

export class StoreUnavailableError extends Error {
  override name = "StoreUnavailableError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export class InvalidCursorError extends Error {
  override name = "InvalidCursorError";
}
