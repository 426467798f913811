// The embedded store used when no Redis URL is configured: a real backend for one instance
// (entries are lost on restart), held to the same contract as RedisStore.
import { randomUUID } from "node:crypto";
import type { SourceState } from "../model/source.js";
import type { Update } from "../model/update.js";
import { type IndexKey, indexKeyOf } from "./compare.js";
import { checkLimit, decodeCursor, encodeCursor } from "./cursor.js";
import { MemoryLeases, type PollLease } from "./leases.js";
import { MemoryPingedTopics } from "./pinged-topics.js";
import {
  categoriesOf,
  indexCategories,
  latestById,
  listingPlan,
  newestHiddenFirst,
  planUpsert,
  retentionCutoffMs,
  withoutHidden,
} from "./plan.js";
import { SortedIndex } from "./sorted-index.js";
import {
  ALL,
  type CategoryVersion,
  type HiddenEntry,
  type LanguageCount,
  type ListQuery,
  mostFirst,
  type Page,
  type RetentionPolicy,
  type Store,
  StoreUnavailableError,
  type UpsertOptions,
  type UpsertResult,
} from "./store.js";
import {
  lookupTokenKeys,
  planStories,
  type StoryPlan,
  type StoryRecord,
  storyInfoOf,
} from "./stories.js";
import { MemorySubscriptions } from "./subscriptions.js";

export interface MemoryStoreOptions {
  /**
   * One entry per story in merged listings (stories.ts); default true. Off, every copy is
   * listed: the ingest bench's baseline.
   */
  stories?: boolean;
}

export class MemoryStore implements Store {
  readonly kind = "memory" as const;
  readonly #storiesOn: boolean;
  /** Merged listings (a category or ALL): each story once, under its earliest copy. */
  readonly #merged = new Map<string, SortedIndex>();
  readonly #storyOf = new Map<string, string>();
  readonly #stories = new Map<string, StoryRecord>();
  readonly #keyOwners = new Map<string, string>();
  readonly #tokens = new Map<string, Set<string>>();

  constructor(options: MemoryStoreOptions = {}) {
    this.#storiesOn = options.stories ?? true;
  }

  readonly leases = new MemoryLeases(() => this.#assertOpen());
  readonly subscriptions = new MemorySubscriptions(() => this.#assertOpen());
  readonly pingedTopics = new MemoryPingedTopics(() => this.#assertOpen());
  readonly #entries = new Map<string, Update>();
  readonly #categories = new Map<string, SortedIndex>();
  readonly #sources = new Map<string, SortedIndex>();
  readonly #versions = new Map<string, number>();
  /** When each version last moved (epoch ms). */
  readonly #changedAt = new Map<string, number>();
  /** Set by the first write, as RedisStore does. */
  #generation: string | undefined;
  readonly #states = new Map<string, SourceState>();
  /** Hidden entry ids and when they were hidden (ISO). */
  readonly #hidden = new Map<string, string>();
  #closed = false;

  async upsert(updates: Update[], options: UpsertOptions): Promise<UpsertResult> {
    this.#assertOpen();
    const batch = latestById(updates);
    const stored = new Map<string, Update>();
    for (const id of batch.keys()) {
      const entry = this.#entries.get(id);
      if (entry) stored.set(id, entry);
    }
    const plan = withoutHidden(planUpsert(batch, stored, options.fallbackDated), this.#hiddenIds());
    if (plan.changes.length > 0) this.leases.assertCurrent(options.lease);
    for (const { next, previous } of plan.changes) {
      const hidden = this.#hidden.has(next.id);
      if (previous && !hidden) this.#unindex(previous);
      // Copies in and out: callers must not be able to mutate what is stored.
      const entry = structuredClone(next);
      this.#entries.set(entry.id, entry);
      if (!hidden) this.#index(entry);
    }
    const touched = this.#restory(
      plan.indexed.map(({ next }) => next),
      [],
    );
    this.#bump(new Set([...plan.touched, ...touched]));
    return plan.result;
  }

  async list(query: ListQuery): Promise<Page> {
    this.#assertOpen();
    const limit = checkLimit(query.limit);
    if (query.cursor !== undefined && query.before !== undefined) {
      throw new RangeError("list takes a cursor or a before cursor, not both");
    }
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const before = query.before === undefined ? undefined : decodeCursor(query.before);
    const { source } = query;
    // Merged listings name the other partners of each story (provenance).
    const copy =
      source === undefined && this.#storiesOn
        ? (entry: Update) => {
            const info = storyInfoOf(
              this.#stories.get(this.#storyOf.get(entry.id) ?? ""),
              entry.id,
            );
            const out = structuredClone(entry);
            if (info) out.story = info;
            return out;
          }
        : (entry: Update) => structuredClone(entry);
    // With a source, walk that source's (smaller) index and keep the category's entries.
    const plan = listingPlan(query);
    const index =
      "source" in plan.index
        ? this.#sources.get(plan.index.source)
        : this.#listingOf(plan.index.category);
    if (!index) return { items: [], next: null, previous: null };
    const wanted = plan.wanted ?? (() => true);
    /** Up to `n` wanted entries of a walk, in the walk's order. */
    const take = (keys: Iterable<IndexKey>, n: number): Update[] => {
      const found: Update[] = [];
      for (const key of keys) {
        if (found.length === n) break;
        const entry = this.#entries.get(key.id);
        if (entry && wanted(entry)) found.push(entry);
      }
      return found;
    };
    const cursorOf = (entry: Update) => encodeCursor(indexKeyOf(entry));
    if (before) {
      // Walked backwards from the position, so the newest of the page comes last.
      const found = take(index.before(before), limit + 1);
      const items = found.slice(0, limit).reverse();
      const first = items[0];
      const last = items.at(-1);
      const older = last !== undefined && take(index.after(indexKeyOf(last)), 1).length > 0;
      return {
        items: items.map(copy),
        next: older && last ? cursorOf(last) : null,
        previous: found.length > limit && first ? cursorOf(first) : null,
      };
    }
    const found = take(index.after(after), limit + 1);
    const items = found.slice(0, limit);
    const first = items[0];
    const last = items.at(-1);
    // An empty page has no first item: what is newer than its position decides.
    const newer =
      after !== undefined && take(index.before(first ? indexKeyOf(first) : after), 1).length > 0;
    return {
      items: items.map(copy),
      next: found.length > limit && last ? cursorOf(last) : null,
      previous: newer ? (first ? cursorOf(first) : (query.cursor ?? null)) : null,
    };
  }

  async get(id: string): Promise<Update | undefined> {
    this.#assertOpen();
    const entry = this.#entries.get(id);
    return entry ? structuredClone(entry) : undefined;
  }

  async count(category: string, source?: string): Promise<number> {
    this.#assertOpen();
    if (source === undefined) return this.#listingOf(category)?.size ?? 0;
    const index = this.#sources.get(source);
    if (!index || category === ALL) return index?.size ?? 0;
    let n = 0;
    for (const key of index.after()) {
      if (this.#entries.get(key.id)?.categories.includes(category)) n++;
    }
    return n;
  }

  async languages(category: string): Promise<LanguageCount[]> {
    this.#assertOpen();
    const prefix = `${category}@`;
    const found: LanguageCount[] = [];
    for (const [name, index] of this.#storiesOn ? this.#merged : this.#categories) {
      if (name.startsWith(prefix) && index.size > 0) {
        found.push({ language: name.slice(prefix.length), entries: index.size });
      }
    }
    return found.sort(mostFirst);
  }

  async version(category: string): Promise<number> {
    this.#assertOpen();
    return this.#versions.get(category) ?? 0;
  }

  async categoryVersion(category: string): Promise<CategoryVersion> {
    this.#assertOpen();
    const changedAt = this.#changedAt.get(category);
    return {
      version: this.#versions.get(category) ?? 0,
      changedAt: changedAt === undefined ? undefined : new Date(changedAt),
      generation: this.#generation,
    };
  }

  /** Each category's last peeked answer, kept while its version and generation hold. */
  readonly #peeked = new Map<string, Readonly<CategoryVersion>>();
  /** The answer for categories that never changed (version 0), per generation. */
  #peekedZero: Readonly<CategoryVersion> | undefined;

  /**
   * Synchronous categoryVersion: the same values, in one frozen object per category and
   * version, so a cached feed request allocates nothing here. Undefined once closed (then
   * categoryVersion rejects).
   */
  peekVersion(category: string): CategoryVersion | undefined {
    if (this.#closed) return undefined;
    const generation = this.#generation;
    const version = this.#versions.get(category);
    if (version === undefined) {
      // Never changed: one shared answer, so unknown names leave nothing behind.
      let zero = this.#peekedZero;
      if (zero === undefined || zero.generation !== generation) {
        zero = Object.freeze({ version: 0, changedAt: undefined, generation });
        this.#peekedZero = zero;
      }
      return zero;
    }
    let known = this.#peeked.get(category);
    if (known === undefined || known.version !== version || known.generation !== generation) {
      const changedAt = this.#changedAt.get(category);
      known = Object.freeze({
        version,
        changedAt: changedAt === undefined ? undefined : new Date(changedAt),
        generation,
      });
      this.#peeked.set(category, known);
    }
    return known;
  }

  async getSourceState(sourceId: string): Promise<SourceState | undefined> {
    this.#assertOpen();
    const state = this.#states.get(sourceId);
    return state ? structuredClone(state) : undefined;
  }

  async setSourceState(sourceId: string, state: SourceState, lease?: PollLease): Promise<void> {
    this.#assertOpen();
    this.leases.assertCurrent(lease);
    this.#states.set(sourceId, structuredClone(state));
  }

  async applyRetention(
    sourceId: string,
    policy: RetentionPolicy,
    now: Date,
    listed: ReadonlySet<string>,
    lease?: PollLease,
  ): Promise<number> {
    this.#assertOpen();
    const index = this.#sources.get(sourceId);
    if (!index) return 0;
    // Newest first, so both "beyond the newest N" and "too old" are a suffix of the index;
    // inside the cap, only what the partner no longer lists ages out.
    const cap = Math.max(0, policy.maxEntriesPerSource);
    const start = Math.min(cap, index.firstOlderThan(retentionCutoffMs(policy, now)));
    const victims: Update[] = [];
    for (const [i, key] of index.fromPosition(start).entries()) {
      if (start + i < cap && listed.has(key.id)) continue;
      const entry = this.#entries.get(key.id);
      if (entry) victims.push(entry);
    }
    if (victims.length > 0) this.leases.assertCurrent(lease);
    for (const entry of victims) {
      this.#unindex(entry);
      this.#entries.delete(entry.id);
    }
    const touched = this.#restory([], victims);
    this.#bump(new Set([...categoriesOf(victims), ...touched]));
    return victims.length;
  }

  async removeSource(sourceId: string): Promise<number> {
    this.#assertOpen();
    const removed: Update[] = [];
    for (const key of this.#sources.get(sourceId)?.fromPosition(0) ?? []) {
      const entry = this.#entries.get(key.id);
      if (!entry) continue;
      this.#unindex(entry);
      this.#entries.delete(entry.id);
      removed.push(entry);
    }
    // Its hidden entries go with it: they are in no index, so the walk above did not see them.
    for (const id of [...this.#hidden.keys()]) {
      if (this.#entries.get(id)?.sourceId !== sourceId) continue;
      this.#hidden.delete(id);
      this.#entries.delete(id);
    }
    this.#sources.delete(sourceId);
    this.#states.delete(sourceId);
    this.leases.forget(sourceId);
    const touched = this.#restory([], removed);
    this.#bump(new Set([...categoriesOf(removed), ...touched]));
    return removed.length;
  }

  async removeEntries(ids: readonly string[], lease?: PollLease): Promise<number> {
    this.#assertOpen();
    this.leases.assertCurrent(lease);
    const removed: Update[] = [];
    for (const id of new Set(ids)) {
      const entry = this.#entries.get(id);
      if (!entry) continue;
      // A hidden entry is in no index and no story: it only has to go.
      if (!this.#hidden.delete(id)) {
        this.#unindex(entry);
        removed.push(entry);
      }
      this.#entries.delete(id);
    }
    const touched = this.#restory([], removed);
    this.#bump(new Set([...categoriesOf(removed), ...touched]));
    return removed.length;
  }

  async hide(id: string, at: Date): Promise<boolean> {
    this.#assertOpen();
    const entry = this.#entries.get(id);
    if (!entry) return false;
    if (this.#hidden.has(id)) return true;
    this.#hidden.set(id, at.toISOString());
    this.#unindex(entry);
    const touched = this.#restory([], [entry]);
    this.#bump(new Set([...categoriesOf([entry]), ...touched]));
    return true;
  }

  async unhide(id: string): Promise<boolean> {
    this.#assertOpen();
    if (!this.#hidden.delete(id)) return false;
    const entry = this.#entries.get(id);
    if (entry) {
      this.#index(entry);
      const touched = this.#restory([entry], []);
      this.#bump(new Set([...categoriesOf([entry]), ...touched]));
    }
    return true;
  }

  async hidden(): Promise<HiddenEntry[]> {
    this.#assertOpen();
    return [...this.#hidden]
      .map(([id, hiddenAt]) => {
        const entry = this.#entries.get(id);
        return { id, hiddenAt, ...(entry ? { title: entry.title, sourceId: entry.sourceId } : {}) };
      })
      .sort(newestHiddenFirst);
  }

  #hiddenIds(): ReadonlySet<string> {
    return new Set(this.#hidden.keys());
  }

  async ping(): Promise<void> {
    this.#assertOpen();
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#entries.clear();
    this.#categories.clear();
    this.#sources.clear();
    this.#states.clear();
    this.#merged.clear();
    this.#stories.clear();
    this.#storyOf.clear();
    this.#keyOwners.clear();
    this.#tokens.clear();
  }

  /** The index a listing without a source walks: stories merged, or every copy. */
  #listingOf(category: string): SortedIndex | undefined {
    return this.#storiesOn ? this.#merged.get(category) : this.#categories.get(category);
  }

  /** Moves entries into (upserts) and out of (removals) their stories; returns what it touched. */
  #restory(upserts: readonly Update[], removals: readonly Update[]): Set<string> {
    if (!this.#storiesOn || (upserts.length === 0 && removals.length === 0)) return new Set();
    const plan = planStories(
      {
        storyOf: this.#storyOf,
        stories: this.#stories,
        keyOwners: this.#keyOwners,
        titleCandidates: (update) =>
          lookupTokenKeys(update).flatMap((token) => [...(this.#tokens.get(token) ?? [])]),
      },
      upserts,
      removals,
    );
    this.#applyStories(plan);
    return plan.touched;
  }

  #applyStories(plan: StoryPlan): void {
    const apply = <V>(map: Map<string, V>, changes: Map<string, V | undefined>) => {
      for (const [key, value] of changes) {
        if (value === undefined) map.delete(key);
        else map.set(key, value);
      }
    };
    apply(this.#stories, plan.stories);
    apply(this.#storyOf, plan.storyOf);
    apply(this.#keyOwners, plan.keyOwners);
    for (const [token, id] of plan.tokenRemoves) {
      const set = this.#tokens.get(token);
      set?.delete(id);
      if (set?.size === 0) this.#tokens.delete(token);
    }
    for (const [token, id] of plan.tokenAdds) {
      const set = this.#tokens.get(token) ?? new Set<string>();
      this.#tokens.set(token, set);
      set.add(id);
    }
    for (const [name, keys] of plan.indexRemoves) {
      for (const [ms, id] of keys) this.#merged.get(name)?.remove({ ms, id });
    }
    for (const [name, keys] of plan.indexAdds) {
      for (const [ms, id] of keys) indexIn(this.#merged, name).insert({ ms, id });
    }
  }

  #assertOpen(): void {
    // Same failure as an unreachable Redis, so callers have one error path for both.
    if (this.#closed) throw new StoreUnavailableError("The memory store is closed");
  }

  #index(entry: Update): void {
    const key = indexKeyOf(entry);
    // With stories on, the merged listings are the story indexes (#applyStories).
    if (!this.#storiesOn) {
      for (const category of indexCategories(entry))
        indexIn(this.#categories, category).insert(key);
    }
    indexIn(this.#sources, entry.sourceId).insert(key);
  }

  #unindex(entry: Update): void {
    const key = indexKeyOf(entry);
    if (!this.#storiesOn) {
      for (const category of indexCategories(entry)) this.#categories.get(category)?.remove(key);
    }
    this.#sources.get(entry.sourceId)?.remove(key);
  }

  #bump(categories: Iterable<string>): void {
    const now = Date.now();
    for (const category of categories) {
      this.#generation ??= randomUUID();
      this.#versions.set(category, (this.#versions.get(category) ?? 0) + 1);
      this.#changedAt.set(category, now);
    }
  }
}

function indexIn(indexes: Map<string, SortedIndex>, name: string): SortedIndex {
  let index = indexes.get(name);
  if (!index) {
    index = new SortedIndex();
    indexes.set(name, index);
  }
  return index;
}
