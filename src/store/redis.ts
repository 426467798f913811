// The production store, shared by every instance: entries as JSON strings, one sorted set
// per category and per source scored by published ms (see redis-keys.ts for the layout).
import { randomUUID } from "node:crypto";
import { Cluster } from "ioredis";
import type { SourceState } from "../model/source.js";
import { exactStoryKeys } from "../model/story-keys.js";
import type { Update } from "../model/update.js";
import type { Circuit } from "./circuit.js";
import { compareNewestFirst, type IndexKey, publishedMs } from "./compare.js";
import { checkLimit, decodeCursor, encodeCursor } from "./cursor.js";
import { KeyGate } from "./key-gate.js";
import { LeaseLostError, type PollLease } from "./leases.js";
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
import {
  duplicateClient,
  execChecked,
  isCommandTimeout,
  messageOf,
  openRedisConnection,
  quitRedisClient,
  type RedisClient,
  type RedisClientOptions,
} from "./redis-client.js";
import { DEFAULT_REDIS_PREFIX, type RedisKeys, redisKeys } from "./redis-keys.js";
import { RedisLeases } from "./redis-leases.js";
import { RedisPingedTopics } from "./redis-pinged-topics.js";
import { RedisStories } from "./redis-stories.js";
import { RedisSubscriptions } from "./redis-subscriptions.js";
import { RedisWrites, WriteConflictError } from "./redis-writes.js";
import {
  ALL,
  type CategoryVersion,
  type HiddenEntry,
  type LanguageCount,
  type ListQuery,
  mostFirst,
  type Page,
  type RetentionPolicy,
  type SharedRenders,
  type Store,
  StoreUnavailableError,
  type UpsertOptions,
  type UpsertResult,
} from "./store.js";
import type { VersionFeed, VersionListener } from "./version-watch.js";

export interface RedisStoreOptions extends RedisClientOptions {
  /** Prepended to every key; default "tributary:". */
  prefix?: string;
  /** One entry per story in merged listings (stories.ts); default true. */
  stories?: boolean;
}

/** Connects (rejecting with StoreUnavailableError when Redis does not answer in time). */
export async function connectRedisStore(options: RedisStoreOptions): Promise<RedisStore> {
  const { client, circuit } = await openRedisConnection(options);
  return new RedisStore(client, redisKeys(options.prefix ?? DEFAULT_REDIS_PREFIX), circuit, {
    stories: options.stories ?? true,
  });
}

/** Which way a walk goes from its position: down the listing (older) or up it (newer). */
type Direction = "older" | "newer";

/** Index members read per round trip beyond what a page needs, when walking filtered. */
const MIN_FILTERED_BATCH = 32;

/** Entries removed per round trip by removeSource. */
const REMOVE_BATCH = 500;

/**
 * Times an operation is planned again when another instance changed one of its stories between
 * its read and its write (two partners' copies of one story written at once).
 */
const STORY_ATTEMPTS = 8;

export class RedisStore implements Store {
  readonly kind = "redis" as const;
  readonly leases: RedisLeases;
  readonly subscriptions: RedisSubscriptions;
  readonly pingedTopics: RedisPingedTopics;
  readonly renders: SharedRenders = {
    get: async (key) =>
      (await this.#call("read a shared render", () =>
        this.#client.get(this.#keys.rendered(key)),
      )) ?? undefined,
    put: async (key, text, ttlMs) => {
      await this.#call("share a render", () =>
        this.#client.set(this.#keys.rendered(key), text, "PX", Math.max(1, Math.round(ttlMs))),
      );
    },
  };
  readonly #client: RedisClient;
  readonly #keys: RedisKeys;
  readonly #circuit: Circuit;
  /** Version watches of this process, told about its own bumps as soon as they are written. */
  readonly #listeners = new Set<VersionListener>();

  /** Stories of merged listings (undefined: every copy is listed). */
  readonly #stories: RedisStories | undefined;
  /** Orders this store's story writes that share an entry or an exact key. */
  readonly #gate = new KeyGate();

  /** Takes an open client and the circuit guarding it; use connectRedisStore. */
  constructor(
    client: RedisClient,
    keys: RedisKeys,
    circuit: Circuit,
    options: { stories: boolean } = { stories: true },
  ) {
    this.#client = client;
    this.#keys = keys;
    this.#circuit = circuit;
    this.leases = new RedisLeases(client, keys, (what, io) => this.#call(what, io));
    this.subscriptions = new RedisSubscriptions(client, keys, (what, io) => this.#call(what, io));
    this.pingedTopics = new RedisPingedTopics(client, keys.pinged, (what, io) =>
      this.#call(what, io),
    );
    if (options.stories) {
      this.#stories = new RedisStories(
        client,
        keys,
        (what, io) => this.#call(what, io),
        (json, id) => this.#parseEntry(json, id),
      );
    }
  }

  /**
   * Runs a write that plans stories again when a story it read changed before it was applied.
   * Every attempt reads afresh, so nothing planned from stale stories is written.
   */
  async #retrying<T>(what: string, attempt: () => Promise<T>): Promise<T> {
    for (let n = 1; ; n++) {
      try {
        return await attempt();
      } catch (error) {
        if (!(error instanceof WriteConflictError)) throw error;
        if (n >= STORY_ATTEMPTS) {
          throw new StoreUnavailableError(
            `Redis store could not ${what}: its stories kept changing (${n} attempts)`,
          );
        }
      }
    }
  }

  /**
   * Sends `writes` as one unit with what moving `upserts` into and `removals` out of their
   * stories writes, and bumps the versions of `touched` and of the merged listings the stories
   * change. `stored`: the stored versions of the upserts, when the caller has read them (their
   * stories hold those now). Story writes of this store sharing an entry or an exact key wait
   * for each other (key-gate.ts) instead of conflicting.
   */
  async #execWithStories(
    what: string,
    writes: RedisWrites,
    touched: Set<string>,
    stories: { upserts?: readonly Update[]; removals?: readonly Update[] },
    options: { stored?: ReadonlyMap<string, Update>; lease?: PollLease | undefined } = {},
  ): Promise<void> {
    const { upserts = [], removals = [] } = stories;
    const { stored, lease } = options;
    const planner = this.#stories;
    const exec = async () => {
      let written = () => {};
      if (planner && (upserts.length > 0 || removals.length > 0)) {
        const { plan, snapshot } = await planner.plan(upserts, removals, stored);
        const storyWrites = planner.write(plan, snapshot, writes);
        for (const c of storyWrites.touched) touched.add(c);
        written = storyWrites.written;
      }
      for (const category of touched) bumpVersion(writes, this.#keys, category);
      await this.#execBumping(what, writes, touched, lease);
      written();
    };
    if (!planner) return exec();
    return this.#gate.run(storyGateKeys(upserts, removals, stored), exec);
  }

  /**
   * Puts entries stored before stories existed into stories (an upgrade: their merged listings
   * are empty until then, and a partner answering 304 would never rewrite them). Walks ALL's
   * full index in batches, oldest first so the first copy of a story names it; entries already
   * in a story are skipped, so instances starting at once, or a second run, change nothing.
   * Returns how many entries it put in stories.
   */
  async buildStories(batchSize = REMOVE_BATCH): Promise<number> {
    const stories = this.#stories;
    if (!stories) return 0;
    const all = this.#keys.category(ALL);
    const [merged, stored] = (await this.#call("count entries", () =>
      execChecked(this.#client.multi().exists(this.#keys.merged(ALL)).zcard(all)),
    )) as [number, number];
    if (merged === 1 || stored === 0) return 0;
    let built = 0;
    for (let start = 0; start < stored; start += batchSize) {
      const ids = await this.#call("read the index", () =>
        this.#client.zrange(all, String(start), String(start + batchSize - 1)),
      );
      if (ids.length === 0) break;
      built += await this.#retrying("build stories", async () => {
        const [raw, storyOf] = (await this.#call("read entries", () =>
          execChecked(
            this.#client
              .multi()
              .mget(ids.map((id) => this.#keys.entry(id)))
              .hmget(this.#keys.storyOf(), ...ids),
          ),
        )) as [(string | null)[], (string | null)[]];
        const loose: Update[] = [];
        ids.forEach((id, i) => {
          const json = raw[i];
          if (json && storyOf[i] == null) loose.push(this.#parseEntry(json, id));
        });
        await this.#execWithStories("build stories", new RedisWrites(), new Set(), {
          upserts: loose,
        });
        return loose.length;
      });
    }
    return built;
  }

  /** The index a listing without a source reads: stories merged, or every copy. */
  #listing(category: string): string {
    return this.#stories ? this.#keys.merged(category) : this.#keys.category(category);
  }

  async upsert(updates: Update[], options: UpsertOptions): Promise<UpsertResult> {
    return this.#retrying("write entries", () => this.#upsertOnce(updates, options));
  }

  async #upsertOnce(updates: Update[], options: UpsertOptions): Promise<UpsertResult> {
    const batch = latestById(updates);
    if (batch.size === 0) return { added: 0, updated: 0, unchanged: 0 };
    const ids = [...batch.keys()];
    const stored = new Map<string, Update>();
    const { entries: raw, hidden } = await this.#call("read entries", () => this.#readEntries(ids));
    raw.forEach((json, i) => {
      const id = ids[i];
      if (json !== null && id !== undefined) stored.set(id, this.#parseEntry(json, id));
    });
    const plan = withoutHidden(planUpsert(batch, stored, options.fallbackDated), hidden);
    if (plan.changes.length === 0) return plan.result;
    // Batched: one MSET for the entries and one ZADD (or ZREM) per index key, however many
    // entries a poll brings, instead of a SET and a ZADD per index per entry.
    const adds = new Grouped<string | number>();
    const removes = new Grouped<string>();
    // Hidden entries are stored (an unhide shows the latest copy) but indexed nowhere.
    const entries: [string, string][] = plan.changes.map(({ next }) => [
      this.#keys.entry(next.id),
      JSON.stringify(next),
    ]);
    for (const { next, previous } of plan.indexed) {
      const ms = publishedMs(next);
      const categories = indexCategories(next);
      if (previous) {
        for (const old of indexCategories(previous)) {
          if (!categories.includes(old)) removes.add(this.#keys.category(old), next.id);
        }
        if (previous.sourceId !== next.sourceId) {
          removes.add(this.#keys.source(previous.sourceId), next.id);
        }
      }
      // ZADD also moves a member whose published date changed.
      for (const category of categories) adds.add(this.#keys.category(category), ms, next.id);
      adds.add(this.#keys.source(next.sourceId), ms, next.id);
    }
    const writes = new RedisWrites().mset(entries);
    for (const [key, members] of removes) writes.zrem(key, members);
    for (const [key, scoreMembers] of adds) writes.zadd(key, scoreMembers);
    await this.#execWithStories(
      "write entries",
      writes,
      new Set(plan.touched),
      { upserts: plan.indexed.map(({ next }) => next) },
      { stored, lease: options.lease },
    );
    return plan.result;
  }

  async list(query: ListQuery): Promise<Page> {
    const limit = checkLimit(query.limit);
    if (query.cursor !== undefined && query.before !== undefined) {
      throw new RangeError("list takes a cursor or a before cursor, not both");
    }
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const before = query.before === undefined ? undefined : decodeCursor(query.before);
    const { source } = query;
    // With a source, walk that source's (smaller) index and keep the category's entries.
    const plan = listingPlan(query);
    const index =
      "source" in plan.index
        ? this.#keys.source(plan.index.source)
        : this.#listing(plan.index.category);
    const { wanted } = plan;
    // One entry more than the page in the direction read tells whether a page lies beyond it;
    // one small read the other way tells whether one lies behind it.
    const exists = async (from: IndexKey, direction: Direction) =>
      (await this.#walk(index, from, 1, wanted, direction)).length > 0;
    const page = await this.#call("list entries", async (): Promise<Page> => {
      if (before) {
        // Walked up from the position, so the newest of the page comes last.
        const found = await this.#walk(index, before, limit + 1, wanted, "newer");
        const page = found.slice(0, limit).reverse();
        const first = page[0];
        const last = page.at(-1);
        const older = last !== undefined && (await exists(last.key, "older"));
        return {
          items: page.map(({ entry }) => entry),
          next: older && last ? encodeCursor(last.key) : null,
          previous: found.length > limit && first ? encodeCursor(first.key) : null,
        };
      }
      const found = await this.#walk(index, after, limit + 1, wanted, "older");
      const page = found.slice(0, limit);
      const first = page[0];
      const last = page.at(-1);
      // An empty page has no first item: what is newer than its position decides.
      const newer = after !== undefined && (await exists(first?.key ?? after, "newer"));
      return {
        items: page.map(({ entry }) => entry),
        next: found.length > limit && last ? encodeCursor(last.key) : null,
        previous: newer ? (first ? encodeCursor(first.key) : (query.cursor ?? null)) : null,
      };
    });
    // A merged listing names the other partners of each story (provenance).
    if (this.#stories && source === undefined) {
      const info = await this.#stories.infoFor(page.items);
      for (const item of page.items) {
        const story = info.get(item.id);
        if (story) item.story = story;
      }
    }
    return page;
  }

  /**
   * Reads up to `want` entries of `index` beyond `from` in `direction`, nearest first, keeping
   * only those `wanted` accepts (all when it is undefined).
   * Keyset paging over a sorted set: `ZRANGE index <from.ms> -inf BYSCORE REV LIMIT` (older)
   * or `ZRANGE index <from.ms> +inf BYSCORE LIMIT` (newer) starts at the position's score,
   * where members of equal score come ordered by member — descending, the same order as `id`
   * desc, or ascending when walking up — and those not beyond the position are dropped.
   * When the position's entry still exists, its rank tells how many to jump over, so a page
   * costs O(log n + limit) even inside a large group of equal dates.
   */
  async #walk(
    index: string,
    from: IndexKey | undefined,
    want: number,
    wanted: ((entry: Update) => boolean) | undefined,
    direction: Direction,
  ): Promise<{ key: IndexKey; entry: Update }[]> {
    const older = direction === "older";
    const found: { key: IndexKey; entry: Update }[] = [];
    const start = from ? String(from.ms) : older ? "+inf" : "-inf";
    const range = (offset: number, size: number) =>
      older
        ? this.#client.zrange(
            index,
            start,
            "-inf",
            "BYSCORE",
            "REV",
            "LIMIT",
            offset,
            size,
            "WITHSCORES",
          )
        : this.#client.zrange(index, start, "+inf", "BYSCORE", "LIMIT", offset, size, "WITHSCORES");
    /** The first read from a position, with what locates the position's entry in the index. */
    const locate = (at: IndexKey, size: number) => {
      const multi = this.#client.multi().zscore(index, at.id);
      // The rank minus the members the range leaves out (scores strictly on the other side of
      // the position's) is the position's offset inside the range.
      if (older) {
        multi
          .zrevrank(index, at.id)
          .zcount(index, `(${at.ms}`, "+inf")
          .zrange(index, start, "-inf", "BYSCORE", "REV", "LIMIT", 0, size, "WITHSCORES");
      } else {
        multi
          .zrank(index, at.id)
          .zcount(index, "-inf", `(${at.ms}`)
          .zrange(index, start, "+inf", "BYSCORE", "LIMIT", 0, size, "WITHSCORES");
      }
      return execChecked(multi);
    };
    /** Strictly beyond `position` in the walk's direction. */
    const beyond = (key: IndexKey, position: IndexKey) =>
      older ? compareNewestFirst(key, position) > 0 : compareNewestFirst(key, position) < 0;
    let position = from;
    let offset = 0;
    let jump = 0;
    for (let first = true; ; first = false) {
      const remaining = want - found.length;
      // +1 on a position's first read: its entry itself comes back first when it exists.
      const size = wanted
        ? Math.max(remaining * 2, MIN_FILTERED_BATCH)
        : remaining + (from && first ? 1 : 0);
      let reply: unknown;
      if (from && first) {
        const [score, rank, outside, read] = await locate(from, size);
        if (score !== null && Number(score) === from.ms && typeof rank === "number") {
          jump = rank - Number(outside) + 1;
        }
        reply = read;
      } else {
        reply = await range(offset, size);
      }
      const members = parseScored(reply);
      offset = Math.max(offset + members.length, jump);
      // The keyset check, not the offset, decides: a concurrent write that shifts offsets
      // can make us read a member twice, never return it twice.
      const fresh = members.filter((key) => !position || beyond(key, position));
      const lastRead = fresh.at(-1);
      if (lastRead) position = lastRead;
      if (fresh.length > 0) {
        const read = await this.#readEntries(fresh.map((key) => key.id));
        fresh.forEach((key, i) => {
          const json = read.entries[i];
          // null: removed by another instance between the two reads; it is simply gone.
          if (json === null || json === undefined || found.length >= want) return;
          // Indexed while it was being hidden (a poll's write racing the hide): still hidden.
          if (read.hidden.has(key.id)) return;
          const entry = this.#parseEntry(json, key.id);
          if (!wanted || wanted(entry)) found.push({ key, entry });
        });
      }
      if (found.length >= want || members.length < size) return found;
    }
  }

  /** The stored JSON of `ids` and which of them are hidden, in one round trip. */
  async #readEntries(ids: string[]): Promise<{ entries: (string | null)[]; hidden: Set<string> }> {
    const [entries, flags] = (await execChecked(
      this.#client
        .multi()
        .mget(ids.map((id) => this.#keys.entry(id)))
        .hmget(this.#keys.hidden(), ...ids),
    )) as [(string | null)[], (string | null)[]];
    return { entries, hidden: new Set(ids.filter((_, i) => flags[i] != null)) };
  }

  async hide(id: string, at: Date): Promise<boolean> {
    return this.#retrying("hide an entry", () => this.#hideOnce(id, at));
  }

  async #hideOnce(id: string, at: Date): Promise<boolean> {
    const [json, already] = (await this.#call("read an entry", () =>
      execChecked(this.#client.multi().get(this.#keys.entry(id)).hexists(this.#keys.hidden(), id)),
    )) as [string | null, number];
    if (json === null) return false;
    if (already === 1) return true;
    const entry = this.#parseEntry(json, id);
    const writes = new RedisWrites()
      .hset(this.#keys.hidden(), id, JSON.stringify({ hiddenAt: at.toISOString() }))
      .zrem(this.#keys.source(entry.sourceId), [id]);
    const own = categoriesOf([entry]);
    for (const category of own) writes.zrem(this.#keys.category(category), [id]);
    await this.#execWithStories("hide an entry", writes, own, { removals: [entry] });
    return true;
  }

  async unhide(id: string): Promise<boolean> {
    return this.#retrying("unhide an entry", () => this.#unhideOnce(id));
  }

  async #unhideOnce(id: string): Promise<boolean> {
    const [flag, json] = (await this.#call("read an entry", () =>
      execChecked(this.#client.multi().hget(this.#keys.hidden(), id).get(this.#keys.entry(id))),
    )) as [string | null, string | null];
    if (flag === null) return false;
    const writes = new RedisWrites().hdel(this.#keys.hidden(), [id]);
    const entry = json === null ? undefined : this.#parseEntry(json, id);
    const touched = entry ? categoriesOf([entry]) : new Set<string>();
    if (entry) {
      const ms = publishedMs(entry);
      for (const category of touched) writes.zadd(this.#keys.category(category), [ms, id]);
      writes.zadd(this.#keys.source(entry.sourceId), [ms, id]);
    }
    await this.#execWithStories("unhide an entry", writes, touched, {
      upserts: entry ? [entry] : [],
    });
    return true;
  }

  async hidden(): Promise<HiddenEntry[]> {
    const flags = await this.#call("read hidden entries", () =>
      this.#client.hgetall(this.#keys.hidden()),
    );
    const ids = Object.keys(flags);
    if (ids.length === 0) return [];
    const raw = await this.#call("read entries", () =>
      this.#client.mget(ids.map((id) => this.#keys.entry(id))),
    );
    return ids
      .map((id, i) => {
        const hiddenAt = String((JSON.parse(flags[id] ?? "{}") as { hiddenAt?: string }).hiddenAt);
        const json = raw[i];
        const entry = json ? this.#parseEntry(json, id) : undefined;
        return { id, hiddenAt, ...(entry ? { title: entry.title, sourceId: entry.sourceId } : {}) };
      })
      .sort(newestHiddenFirst);
  }

  async get(id: string): Promise<Update | undefined> {
    const json = await this.#call("read an entry", () => this.#client.get(this.#keys.entry(id)));
    return json === null ? undefined : this.#parseEntry(json, id);
  }

  async count(category: string, source?: string): Promise<number> {
    return this.#call("count entries", async () => {
      if (source === undefined) return this.#client.zcard(this.#listing(category));
      if (category === ALL) return this.#client.zcard(this.#keys.source(source));
      // ZINTERCARD (Redis 7) counts on the server without materialising the intersection.
      return Number(
        await this.#client.zintercard(2, this.#keys.category(category), this.#keys.source(source)),
      );
    });
  }

  async languages(category: string): Promise<LanguageCount[]> {
    const prefix = `${category}@`;
    const names = (
      await this.#call("read listings", () => this.#client.smembers(this.#keys.listings()))
    ).filter((name) => name.startsWith(prefix));
    if (names.length === 0) return [];
    const sizes = await this.#call("count entries", () => {
      const multi = this.#client.multi();
      for (const name of names) multi.zcard(this.#listing(name));
      return execChecked(multi);
    });
    return names
      .map((name, i) => ({ language: name.slice(prefix.length), entries: Number(sizes[i]) }))
      .filter((found) => found.entries > 0)
      .sort(mostFirst);
  }

  async version(category: string): Promise<number> {
    const raw = await this.#call("read a version", () =>
      this.#client.get(this.#keys.version(category)),
    );
    return raw === null ? 0 : Number(raw);
  }

  async categoryVersion(category: string): Promise<CategoryVersion> {
    const [version, changed, generation] = await this.#call("read a version", () =>
      this.#client.mget(
        this.#keys.version(category),
        this.#keys.changed(category),
        this.#keys.generation(),
      ),
    );
    return {
      version: version == null ? 0 : Number(version),
      changedAt: changed == null ? undefined : new Date(Number(changed)),
      generation: generation ?? undefined,
    };
  }

  async getSourceState(sourceId: string): Promise<SourceState | undefined> {
    const json = await this.#call("read source state", () =>
      this.#client.get(this.#keys.sourceState(sourceId)),
    );
    if (json === null) return undefined;
    try {
      return JSON.parse(json) as SourceState;
    } catch (error) {
      throw new StoreUnavailableError(`Redis holds corrupt state for source ${sourceId}`, {
        cause: error,
      });
    }
  }

  async setSourceState(sourceId: string, state: SourceState, lease?: PollLease): Promise<void> {
    const writes = new RedisWrites().set(this.#keys.sourceState(sourceId), JSON.stringify(state));
    await this.#call("write source state", () => this.#exec(writes, lease));
  }

  async applyRetention(
    sourceId: string,
    policy: RetentionPolicy,
    now: Date,
    listed: ReadonlySet<string>,
    lease?: PollLease,
  ): Promise<number> {
    return this.#retrying("remove entries", () =>
      this.#applyRetentionOnce(sourceId, policy, now, listed, lease),
    );
  }

  async #applyRetentionOnce(
    sourceId: string,
    policy: RetentionPolicy,
    now: Date,
    listed: ReadonlySet<string>,
    lease?: PollLease,
  ): Promise<number> {
    const index = this.#keys.source(sourceId);
    const [beyond, old] = (await this.#call("read the source index", () =>
      execChecked(
        this.#client
          .multi()
          .zrange(index, Math.max(0, policy.maxEntriesPerSource), "-1", "REV")
          .zrange(index, `(${retentionCutoffMs(policy, now)}`, "-inf", "BYSCORE", "REV"),
      ),
    )) as [string[], string[]];
    // What the partner still lists never ages out; the cap applies to it all the same.
    const victims = [...new Set([...beyond, ...old.filter((id) => !listed.has(id))])];
    if (victims.length === 0) return 0;
    const raw = await this.#call("read entries", () =>
      this.#client.mget(victims.map((id) => this.#keys.entry(id))),
    );
    const removed: Update[] = [];
    const removes = new Grouped<string>();
    victims.forEach((id, i) => {
      const json = raw[i];
      const entry = json ? this.#parseEntry(json, id) : undefined;
      if (entry) removed.push(entry);
      // An index member without its entry (an interrupted write) is dropped from ALL too.
      for (const category of entry ? indexCategories(entry) : [ALL]) {
        removes.add(this.#keys.category(category), id);
      }
    });
    const writes = new RedisWrites()
      .del(victims.map((id) => this.#keys.entry(id)))
      .zrem(index, victims);
    for (const [key, members] of removes) writes.zrem(key, members);
    const touched = categoriesOf(removed).add(ALL);
    await this.#execWithStories(
      "remove entries",
      writes,
      touched,
      { removals: removed },
      { lease },
    );
    return victims.length;
  }

  async removeSource(sourceId: string): Promise<number> {
    const index = this.#keys.source(sourceId);
    let removed = 0;
    // In batches, each one MULTI, so a huge source never becomes one giant reply or
    // transaction; the loop ends when the source's index is empty.
    for (;;) {
      const ids = await this.#call("read the source index", () =>
        this.#client.zrange(index, 0, String(REMOVE_BATCH - 1)),
      );
      if (ids.length === 0) break;
      const raw = await this.#call("read entries", () =>
        this.#client.mget(ids.map((id) => this.#keys.entry(id))),
      );
      const entries: Update[] = [];
      const gone: string[] = [];
      const removes = new Grouped<string>();
      ids.forEach((id, i) => {
        const json = raw[i];
        const entry = json ? this.#parseEntry(json, id) : undefined;
        // An entry that moved to another source since is not this source's to remove.
        if (entry && entry.sourceId !== sourceId) return;
        if (entry) entries.push(entry);
        gone.push(this.#keys.entry(id));
        for (const category of entry ? indexCategories(entry) : [ALL]) {
          removes.add(this.#keys.category(category), id);
        }
      });
      removed += await this.#retrying("remove entries", async () => {
        const writes = new RedisWrites().del(gone).zrem(index, ids);
        for (const [key, members] of removes) writes.zrem(key, members);
        const touched = categoriesOf(entries);
        if (entries.length < ids.length) touched.add(ALL);
        await this.#execWithStories("remove entries", writes, touched, { removals: entries });
        return entries.length;
      });
    }
    // Its hidden entries go with it: they are in no index, so the batches above did not see them.
    const hidden = (await this.hidden()).filter((h) => h.sourceId === sourceId).map((h) => h.id);
    if (hidden.length > 0) {
      await this.#call("remove hidden entries", () =>
        execChecked(
          this.#client
            .multi()
            .del(...hidden.map((id) => this.#keys.entry(id)))
            .hdel(this.#keys.hidden(), ...hidden),
        ),
      );
    }
    await this.#call("remove source state", () =>
      execChecked(
        this.#client
          .multi()
          .del(index, this.#keys.sourceState(sourceId))
          .zrem(this.#keys.due(), sourceId),
      ),
    );
    return removed;
  }

  async removeEntries(ids: readonly string[], lease?: PollLease): Promise<number> {
    const distinct = [...new Set(ids)];
    let removed = 0;
    for (let i = 0; i < distinct.length; i += REMOVE_BATCH) {
      const batch = distinct.slice(i, i + REMOVE_BATCH);
      removed += await this.#retrying("remove entries", () =>
        this.#removeEntriesOnce(batch, lease),
      );
    }
    return removed;
  }

  async #removeEntriesOnce(ids: string[], lease: PollLease | undefined): Promise<number> {
    const { entries: raw, hidden } = await this.#call("read entries", () => this.#readEntries(ids));
    const listed: Update[] = [];
    const gone: string[] = [];
    const removes = new Grouped<string>();
    ids.forEach((id, i) => {
      const json = raw[i];
      if (!json) return;
      const entry = this.#parseEntry(json, id);
      gone.push(id);
      // A hidden entry is in no index and no story: it only has to go.
      if (hidden.has(id)) return;
      listed.push(entry);
      removes.add(this.#keys.source(entry.sourceId), id);
      for (const category of indexCategories(entry)) removes.add(this.#keys.category(category), id);
    });
    if (gone.length === 0) return 0;
    const writes = new RedisWrites()
      .del(gone.map((id) => this.#keys.entry(id)))
      .hdel(this.#keys.hidden(), gone);
    for (const [key, members] of removes) writes.zrem(key, members);
    const touched = categoriesOf(listed);
    await this.#execWithStories("remove entries", writes, touched, { removals: listed }, { lease });
    return listed.length;
  }

  /**
   * Announces every version bump to `listener` (see version-watch.ts): a bump by any instance
   * through a dedicated subscriber connection on `<prefix>versions`, and this store's own bumps
   * as soon as their MULTI returns, so a caller reads its own writes at once. The feed is live
   * while the subscription is confirmed and the serving connection is up and answering.
   */
  subscribeVersions(
    listener: VersionListener,
    onError: (error: Error) => void = () => {},
  ): VersionFeed {
    this.#listeners.add(listener);
    // Same deployment, timeouts and reconnect strategy as the serving connection; a subscriber
    // must be its own connection (it can run no other command while subscribed).
    // Named after its channel, so an operator can tell it apart in CLIENT LIST.
    const channel = this.#keys.versionsChannel();
    const subscriber = duplicateClient(this.#client, channel);
    const feed = subscribeChannel(subscriber, channel, listener, onError);
    const serving = () => this.#client.status === "ready" && !this.#circuit.isOpen;
    return {
      get live() {
        return feed.subscribed && serving();
      },
      close: async () => {
        this.#listeners.delete(listener);
        feed.close();
      },
    };
  }

  async ping(): Promise<void> {
    await this.#call("ping", () => this.#client.ping());
  }

  async close(): Promise<void> {
    this.#circuit.stop();
    // A hung Redis would not answer QUIT either: drop the socket at once.
    if (this.#circuit.isOpen) {
      this.#client.disconnect();
      return;
    }
    await quitRedisClient(this.#client);
  }

  /** Runs Redis IO, reporting any failure as StoreUnavailableError so it never reads as "empty". */
  async #call<T>(what: string, io: () => Promise<T>): Promise<T> {
    this.#circuit.assertClosed(what);
    try {
      return await io();
    } catch (error) {
      // Not an outage: the poll lost its lease, and nothing was written (redis-writes.ts).
      if (error instanceof LeaseLostError) throw error;
      // Not an outage either: a story changed meanwhile, and the caller plans again.
      if (error instanceof WriteConflictError) throw error;
      // One timeout on an open connection is enough: the next calls must not wait as well.
      if (isCommandTimeout(error)) this.#circuit.open(error);
      if (error instanceof StoreUnavailableError) throw error;
      throw new StoreUnavailableError(`Redis store could not ${what}: ${messageOf(error)}`, {
        cause: error,
      });
    }
  }

  /**
   * Runs a MULTI that bumps `categories`, then tells this process's version watches, whether
   * it succeeded or not: a timed-out transaction may have been applied all the same.
   */
  async #execBumping(
    what: string,
    writes: RedisWrites,
    categories: Iterable<string>,
    lease?: PollLease,
  ): Promise<void> {
    try {
      await this.#call(what, () => this.#exec(writes, lease));
    } finally {
      for (const listener of this.#listeners) {
        for (const category of categories) listener.changed(category);
      }
    }
  }

  /** As a MULTI, or fenced by the poll's lease (refused once a newer poll claimed the source). */
  #exec(writes: RedisWrites, lease: PollLease | undefined): Promise<void> {
    const fence = lease && { key: this.#keys.fence(lease.sourceId), lease };
    return writes.exec(this.#client, fence);
  }

  #parseEntry(json: string, id: string): Update {
    try {
      return JSON.parse(json) as Update;
    } catch (error) {
      throw new StoreUnavailableError(`Redis holds a corrupt entry ${id}`, { cause: error });
    }
  }
}

/**
 * What a story write waits on in this store: its entries and their exact keys (the stored
 * versions' too, whose keys an edit releases) — what a copy and its original share. Writes
 * that meet on a story otherwise (a title match, another key of the story) are rarer; the
 * checked write still catches them, and they plan again.
 */
function storyGateKeys(
  upserts: readonly Update[],
  removals: readonly Update[],
  stored: ReadonlyMap<string, Update> | undefined,
): Set<string> {
  const keys = new Set<string>();
  const add = (entry: Update) => {
    keys.add(`id ${entry.id}`);
    for (const key of exactStoryKeys(entry)) keys.add(`key ${key}`);
  };
  for (const entry of removals) add(entry);
  for (const entry of upserts) {
    add(entry);
    const before = stored?.get(entry.id);
    if (before !== undefined) add(before);
  }
  return keys;
}

/**
 * Bumps a category's version inside `multi`. A missing counter starts from the current time,
 * not 0: a Redis that restarted empty must never count up to a version an instance already
 * rendered and cached (it would keep serving the old bytes as current). The same MULTI records
 * when it moved (the feeds' Last-Modified, identical on every instance) and, on the first
 * write to an empty Redis, a new generation, so readers can tell a store that lost its data.
 */
function bumpVersion(writes: RedisWrites, keys: RedisKeys, category: string): void {
  const now = String(Date.now());
  const key = keys.version(category);
  writes
    .set(key, now, "NX")
    .incr(key)
    .set(keys.changed(category), now)
    .set(keys.generation(), randomUUID(), "NX")
    // In the same MULTI, so no instance can read the new version before it is announced.
    .publish(keys.versionsChannel(), category);
  // Every per-language listing ever bumped, so a category's languages are found without a SCAN.
  if (category.includes("@")) writes.sadd(keys.listings(), [category]);
}

/** Members gathered per key, in first-seen order, to send one command per key. */
class Grouped<T> implements Iterable<[string, T[]]> {
  readonly #byKey = new Map<string, T[]>();

  add(key: string, ...values: T[]): void {
    const list = this.#byKey.get(key);
    if (list) list.push(...values);
    else this.#byKey.set(key, values);
  }

  [Symbol.iterator](): Iterator<[string, T[]]> {
    return this.#byKey[Symbol.iterator]();
  }
}

/**
 * Keeps `subscriber` subscribed to `channel` across reconnects and hands its messages to
 * `listener`. `subscribed` is true only between a confirmed SUBSCRIBE and the connection's
 * loss; each confirmation resets the listener, as messages may have been missed before it.
 */
function subscribeChannel(
  subscriber: RedisClient,
  channel: string,
  listener: VersionListener,
  onError: (error: Error) => void,
): { readonly subscribed: boolean; close(): void } {
  let subscribed = false;
  let closed = false;
  /** Counts connections, so a SUBSCRIBE confirmed on a connection already lost is ignored. */
  let connection = 0;
  // Connection errors are reported by the serving connection, which sees the same outage.
  subscriber.on("error", () => {});
  subscriber.on("ready", () => {
    const mine = ++connection;
    subscriber.subscribe(channel).then(
      () => {
        if (closed || mine !== connection) return;
        subscribed = true;
        listener.reset();
      },
      (error: Error) => {
        if (!closed && mine === connection) onError(error);
      },
    );
  });
  subscriber.on("close", () => {
    connection++;
    subscribed = false;
  });
  subscriber.on("message", (from: string, category: string) => {
    if (from === channel) listener.changed(category);
  });
  // A cluster moves its subscription to another node when one leaves, with no close or ready:
  // bumps may have been missed meanwhile, so the versions are read again.
  if (subscriber instanceof Cluster) subscriber.on("-node", () => listener.reset());
  // Not awaited: until it is subscribed the watch reads directly, as it does during an outage.
  subscriber.connect().catch(() => {});
  return {
    get subscribed() {
      return subscribed;
    },
    close() {
      closed = true;
      subscribed = false;
      // Nothing is lost by dropping a subscriber's socket; this also stops its reconnects.
      subscriber.disconnect();
    },
  };
}

/** `WITHSCORES` replies: a flat [member, score, …] list (RESP2) or [member, score] pairs (RESP3). */
function parseScored(reply: unknown): IndexKey[] {
  if (!Array.isArray(reply)) throw new Error("Unexpected ZRANGE reply");
  const keys: IndexKey[] = [];
  if (reply.length > 0 && Array.isArray(reply[0])) {
    for (const [member, score] of reply as [unknown, unknown][]) {
      keys.push({ id: String(member), ms: Number(score) });
    }
  } else {
    for (let i = 0; i + 1 < reply.length; i += 2) {
      keys.push({ id: String(reply[i]), ms: Number(reply[i + 1]) });
    }
  }
  return keys;
}
