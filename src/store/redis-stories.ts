// RedisStore's half of stories (stories.ts plans them): reading what an operation's stories
// are now — one round trip, however many entries — turning a plan into writes that only apply
// while those stories and keys are unchanged (another worker may be writing a copy of the same
// story), and reading the provenance a merged page shows.
//
// A story's hash names its copies and nothing more: what the planner and the provenance need
// of a copy (title, link, date, categories, exact keys) is read from the copy's entry, which
// every write of the copy rewrites anyway. So a poll sends each entry once, not once more as a
// summary, and a story can never disagree with its copies.
//
// Most stories are one entry named by it, and those have no hash: an entry whose story
// (`storyof`) is its own id and whose story has no hash is a story of that one copy. Every
// story has a token in `storyrev` that every write of it replaces (so an edit of a copy, a
// copy joining or leaving all move it); a write applies only while the tokens of the stories
// it read are still the ones it read, all checked with one HMGET.
//
// A token is also how this store knows a story it wrote itself is unchanged: it remembers the
// stories it wrote last by their tokens, and a snapshot finding one of those tokens in Redis
// takes the story from memory instead of reading its copies' entries back (REMEMBERED_STORIES).

import { randomBytes } from "node:crypto";
import { exactStoryKeys } from "../model/story-keys.js";
import type { StoryInfo, Update } from "../model/update.js";
import { LuaScript } from "./lua-script.js";
import type { RedisClient } from "./redis-client.js";
import type { RedisKeys } from "./redis-keys.js";
import type { RedisWrites } from "./redis-writes.js";
import {
  memberOf,
  planStories,
  type StoryMember,
  type StoryPlan,
  type StoryRecord,
  type StorySnapshot,
  storyInfoOf,
  tokenLookupOf,
} from "./stories.js";

type Call = <T>(what: string, io: () => Promise<T>) => Promise<T>;
type ParseEntry = (json: string, id: string) => Update;

/** The revision field of the layout before story tokens: read, and removed at the next write. */
const REV = "_rev";

/**
 * Stories this store wrote last, remembered by the token it wrote them with: while Redis still
 * holds that token, the story is exactly as written (every write of a story, by any instance of
 * the service, which always keeps stories, replaces its token), so a snapshot takes it from here
 * instead of reading its copies' entries back: the common case of a partner's copy written
 * moments after the original it joins. Enough for the stories of a few polls; older ones are
 * read from Redis as any other instance's are.
 */
const REMEMBERED_STORIES = 10_000;

/**
 * KEYS: storyof, storykey, storyrev. ARGV: the story, entry and title token key prefixes, then
 * the request as JSON: [entry ids, exact keys, lookups], a lookup per entry looked up by title
 * as [time bucket, numbers, prefix words, the entry's exact keys by number], whose token keys it
 * builds as tokenKeyOf does, for the bucket and either side, unless a story holds one of those
 * exact keys; then this store's token part and the lowest token counter it remembers stories
 * from. Returns JSON — [the story of each entry id and the owner of each exact key (false:
 * none), per lookup its candidates as entry id, story id, … flattened, every story named by any
 * of them as story id, its token (false: none) and its hash flattened (false: one copy without
 * a hash; "remembered": a token this store remembers), …, the copies of those stories that are
 * not among the entry ids, and the lookups skipped] — then those copies' entries as they are
 * stored (not escaped into the JSON).
 * Read-only: a plan made from it is written by a checked write that applies nothing if a story
 * or key changed since.
 * Title token members are entry ids; a member stored as a ["storyId","entryId"] pair (the
 * layout before) is read as its entry id.
 */
const SNAPSHOT = new LuaScript(`
local storyPrefix, entryPrefix, tokenPrefix = ARGV[1], ARGV[2], ARGV[3]
local CHUNK = 1000
local function each(command, key, list, prefix)
  local out = {}
  for s = 1, #list, CHUNK do
    local part = {}
    for j = s, math.min(s + CHUNK - 1, #list) do part[#part + 1] = prefix .. list[j] end
    local got = key and redis.call(command, key, unpack(part)) or redis.call(command, unpack(part))
    for j = 1, #got do out[#out + 1] = got[j] end
  end
  return out
end
local request = cjson.decode(ARGV[4])
local mine, from = ARGV[5], tonumber(ARGV[6])
-- Whether a token is one this store wrote and still remembers (see REMEMBERED_STORIES).
local function remembered(rev)
  if mine == '' or not rev or string.sub(rev, 2, 1 + #mine) ~= mine then return false end
  local n = tonumber(string.sub(rev, 2 + #mine), 36)
  return n ~= nil and n >= from
end
local ids, keys, lookups = request[1], request[2], request[3]
local sids, order = {}, {}
local function want(sid)
  if sid and not sids[sid] then sids[sid] = true; order[#order + 1] = sid end
end
local storyOf = each('HMGET', KEYS[1], ids, '')
for j = 1, #ids do want(storyOf[j]) end
local owners = each('HMGET', KEYS[2], keys, '')
for j = 1, #keys do want(owners[j]) end
local found, counts, skipped = {}, {}, {}
for l = 1, #lookups do
  local bucket, numbers, words, owned = lookups[l][1], lookups[l][2], lookups[l][3], lookups[l][4]
  -- An entry with an exact key some story holds joins that story: its title is not looked up.
  local held = false
  for j = 1, #owned do held = held or owners[owned[j]] ~= false end
  counts[l] = 0
  if held then
    skipped[#skipped + 1] = l
  else
    local tokens = {}
    for d = -1, 1 do
      local prefix = tokenPrefix .. (bucket + d) .. ':' .. numbers .. ':'
      for j = 1, #words do tokens[#tokens + 1] = prefix .. words[j] end
    end
    local members = redis.call('SUNION', unpack(tokens))
    for j = 1, #members do
      local m = members[j]
      if string.sub(m, 1, 1) == '[' then m = cjson.decode(m)[2] end
      found[#found + 1] = m
    end
    counts[l] = #members
  end
end
local foundSids = each('HMGET', KEYS[1], found, '')
local candidates, at = {}, 0
for l = 1, #lookups do
  local hits = {}
  for _ = 1, counts[l] do
    at = at + 1
    if foundSids[at] then
      hits[#hits + 1] = found[at]; hits[#hits + 1] = foundSids[at]
      want(foundSids[at])
    end
  end
  candidates[l] = hits
end
local known = {}
for j = 1, #ids do known[ids[j]] = true end
local revs = each('HMGET', KEYS[3], order, '')
local heads = each('HMGET', KEYS[1], order, '')
local stories, missing = {}, {}
for o, sid in ipairs(order) do
  local rev = revs[o]
  if remembered(rev) then
    -- This store wrote the story as it is now and knows it: none of its copies is read.
    stories[#stories + 1] = sid; stories[#stories + 1] = rev; stories[#stories + 1] = 'remembered'
  else
    -- Only a story whose token says it has a hash (or one with no token: the layout before) has one.
    local flat = {}
    if not rev or string.sub(rev, 1, 1) == 'm' then flat = redis.call('HGETALL', storyPrefix .. sid) end
    if #flat > 0 then
      stories[#stories + 1] = sid; stories[#stories + 1] = rev; stories[#stories + 1] = flat
      for j = 1, #flat, 2 do
        local id = flat[j]
        if id ~= '${REV}' and not known[id] then known[id] = true; missing[#missing + 1] = id end
      end
    elseif heads[o] == sid then
      stories[#stories + 1] = sid; stories[#stories + 1] = rev; stories[#stories + 1] = false
      if not known[sid] then known[sid] = true; missing[#missing + 1] = sid end
    end
  end
end
local entries = each('MGET', false, missing, entryPrefix)
return { cjson.encode({ storyOf, owners, candidates, stories, missing, skipped }), entries }
`);

/** The snapshot's JSON reply; false where Lua had none (cjson writes Lua's false as false). */
type SnapshotReply = [
  (string | false)[],
  (string | false)[],
  string[][],
  (string | string[] | false)[],
  string[],
  number[],
];

/** A story as this store wrote it, and whether it has a hash (its fields: its copies). */
interface Remembered {
  story: StoryRecord;
  hashed: boolean;
}

/** cjson writes an empty Lua table as an object: read as the empty list it is. */
const listOf = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** A story as stored: one field per copy (and `_rev` in the layout before), copies from entries. */
function recordOf(
  sid: string,
  flat: readonly string[],
  entryOf: (id: string) => Update | undefined,
): StoryRecord {
  const members = new Map<string, StoryMember>();
  for (const id of fieldsOf(flat)) {
    if (id === REV) continue;
    // A copy whose entry is gone (an interrupted write) is left out; the next write drops it.
    const entry = entryOf(id);
    if (entry) members.set(id, memberOf(entry));
  }
  return { id: sid, members };
}

/** What a snapshot read of a story, which its write must find unchanged. */
interface StoryRead {
  /** Its token; undefined for a story written before tokens. */
  token: string | undefined;
  /** The fields of its hash: copies, stale ones and `_rev`; undefined when it has no hash. */
  fields: readonly string[] | undefined;
  /** The revision of a story written before tokens. */
  legacyRev: string | undefined;
}

/** A snapshot of Redis stories, with what each story's write must find unchanged. */
export interface RedisStorySnapshot extends StorySnapshot {
  readonly read: ReadonlyMap<string, StoryRead>;
  /** Whether a plan asked for the title candidates of an entry whose title was not looked up. */
  missedLookups(): boolean;
}

/** Whether a story is kept without a hash: its one copy is the entry it is named by. */
const needsNoHash = (story: StoryRecord): boolean =>
  story.members.size === 1 && story.members.has(story.id);

export class RedisStories {
  readonly #client: RedisClient;
  readonly #keys: RedisKeys;
  readonly #call: Call;
  readonly #parse: ParseEntry;
  /**
   * Story tokens: "m" (the story has a hash) or "s", this store's random part, then a counter,
   * so they are unique across instances and this store knows its own.
   */
  readonly #tokenBase = randomBytes(6).toString("base64url");
  #tokens = 0;
  /** Token → the story this store wrote with it, oldest first (REMEMBERED_STORIES). */
  readonly #remembered = new Map<string, Remembered>();
  /** Story id → the token this store last wrote it with, to forget the one before. */
  readonly #tokenOf = new Map<string, string>();
  /** Tokens counted below this are forgotten (Lua reads those stories from Redis). */
  #rememberedFrom = 0;

  constructor(client: RedisClient, keys: RedisKeys, call: Call, parse: ParseEntry) {
    this.#client = client;
    this.#keys = keys;
    this.#call = call;
    this.#parse = parse;
  }

  /**
   * What planStories needs to know about `upserts` and `removals`, in one round trip: the
   * stories of the entries, the owners of their exact keys, their possible copies by title
   * (one SUNION of each entry's token keys), every story any of those belong to, and the
   * entries of those stories' other copies. `stored`: the stored versions of the upserts
   * (what their stories hold of them now); a removal is its stored version.
   */
  async snapshot(
    upserts: readonly Update[],
    removals: readonly Update[],
    stored: ReadonlyMap<string, Update> = new Map(),
    lookEverything = false,
  ): Promise<RedisStorySnapshot> {
    // A story Redis holds under a token this store forgot meanwhile (or never knew: a write whose
    // answer was lost) is read again, every story from Redis.
    return (
      (await this.#read(upserts, removals, stored, lookEverything, true)) ??
      ((await this.#read(upserts, removals, stored, lookEverything, false)) as RedisStorySnapshot)
    );
  }

  /**
   * Plans an operation's stories from a snapshot. The snapshot skips the title lookup of an entry
   * with an exact key some story holds: it joins that story, unless the story already has a
   * copy from the entry's source — then it is planned again from a snapshot that looked up
   * every title (a partner giving two entries one link is rare).
   */
  async plan(
    upserts: readonly Update[],
    removals: readonly Update[],
    stored?: ReadonlyMap<string, Update>,
  ): Promise<{ plan: StoryPlan; snapshot: RedisStorySnapshot }> {
    const snapshot = await this.snapshot(upserts, removals, stored);
    const plan = planStories(snapshot, upserts, removals);
    if (!snapshot.missedLookups()) return { plan, snapshot };
    const full = await this.snapshot(upserts, removals, stored, true);
    return { plan: planStories(full, upserts, removals), snapshot: full };
  }

  async #read(
    upserts: readonly Update[],
    removals: readonly Update[],
    stored: ReadonlyMap<string, Update>,
    lookEverything: boolean,
    remembering: boolean,
  ): Promise<RedisStorySnapshot | undefined> {
    const ids = [...new Set([...upserts, ...removals].map((u) => u.id))];
    const keys = [...new Set(upserts.flatMap((u) => exactStoryKeys(u)))];
    const keyNumber = new Map(keys.map((key, i) => [key, i + 1]));
    const lookups = upserts.flatMap((u) => {
      const lookup = tokenLookupOf(u);
      return lookup === undefined ? [] : [{ id: u.id, exact: exactStoryKeys(u), ...lookup }];
    });
    // One JSON argument and one JSON reply: a poll's lookups and their answers are thousands
    // of short strings, which the client and the script would otherwise handle one by one.
    const request = JSON.stringify([
      ids,
      keys,
      lookups.map(({ exact, bucket, numbers, words }) => [
        bucket,
        numbers,
        words,
        // Its exact keys, by their place in `keys` (Lua counts from 1): any held, no lookup.
        lookEverything ? [] : exact.map((key) => keyNumber.get(key)),
      ]),
    ]);
    const [text, jsons] = (await this.#call("read stories", () =>
      SNAPSHOT.run(
        this.#client,
        [this.#keys.storyOf(), this.#keys.storyKeys(), this.#keys.storyRevs()],
        [
          this.#keys.story(""),
          this.#keys.entry(""),
          this.#keys.titleToken(""),
          request,
          remembering ? this.#tokenBase : "",
          String(this.#rememberedFrom),
        ],
      ),
    )) as [string, (string | null)[]];
    const reply = (JSON.parse(text) as unknown[]).map(listOf) as SnapshotReply;
    const [storyOfs, owners, found, flatStories, missing, skipped] = reply;
    const unlooked = new Set(skipped.map((l) => lookups[l - 1]?.id));
    let missed = false;

    const storyOf = new Map<string, string>();
    ids.forEach((id, i) => {
      const sid = storyOfs[i];
      if (sid) storyOf.set(id, sid);
    });
    const keyOwners = new Map<string, string>();
    keys.forEach((key, i) => {
      const sid = owners[i];
      if (sid) keyOwners.set(key, sid);
    });
    const candidates = new Map<string, string[]>();
    lookups.forEach(({ id }, l) => {
      const pairs = listOf(found[l]) as string[];
      const others: string[] = [];
      for (let j = 0; j < pairs.length; j += 2) {
        const other = pairs[j] as string;
        if (!storyOf.has(other)) storyOf.set(other, pairs[j + 1] as string);
        others.push(other);
      }
      candidates.set(id, others);
    });

    const entries = new Map<string, Update>();
    for (const update of removals) entries.set(update.id, update);
    for (const update of upserts) entries.set(update.id, stored.get(update.id) ?? update);
    missing.forEach((id, i) => {
      const json = jsons[i];
      if (json != null) entries.set(id, this.#parse(json, id));
    });
    const stories = new Map<string, StoryRecord>();
    const read = new Map<string, StoryRead>();
    for (let s = 0; s < flatStories.length; s += 3) {
      const sid = flatStories[s] as string;
      const token = (flatStories[s + 1] as string | false) || undefined;
      const flat = flatStories[s + 2] as string[] | false | "remembered";
      if (flat === "remembered") {
        const known = token === undefined ? undefined : this.#remembered.get(token);
        if (known === undefined) return undefined;
        stories.set(sid, known.story);
        const fields = known.hashed ? [...known.story.members.keys()] : undefined;
        read.set(sid, { token, fields, legacyRev: undefined });
        continue;
      }
      if (flat === false) {
        // One copy without a hash: the entry the story is named by.
        const entry = entries.get(sid);
        if (entry === undefined) continue;
        stories.set(sid, { id: sid, members: new Map([[sid, memberOf(entry)]]) });
        read.set(sid, { token, fields: undefined, legacyRev: undefined });
        continue;
      }
      stories.set(
        sid,
        recordOf(sid, flat, (id) => entries.get(id)),
      );
      const fields = fieldsOf(flat);
      const at = fields.indexOf(REV);
      read.set(sid, {
        token,
        fields,
        legacyRev: at < 0 ? undefined : (flat[2 * at + 1] as string),
      });
    }
    return {
      storyOf,
      stories,
      keyOwners,
      read,
      titleCandidates: (update) => {
        if (unlooked.has(update.id)) missed = true;
        return candidates.get(update.id) ?? [];
      },
      missedLookups: () => missed,
    };
  }

  /**
   * Adds the plan's writes to `writes`, with the expectations that make them apply only while
   * every story and key it changes is as `snapshot` read it. Returns the listings it touched,
   * and `written`, to call once the writes are applied: this store then remembers the stories
   * as written.
   */
  write(
    plan: StoryPlan,
    snapshot: RedisStorySnapshot,
    writes: RedisWrites,
  ): { touched: Set<string>; written: () => void } {
    const k = this.#keys;
    const tokensSet: string[] = [];
    const tokensGone: string[] = [];
    const written: [string, string, StoryRecord][] = [];
    for (const [sid, next] of plan.stories) {
      const read = snapshot.read.get(sid);
      // A new story is named by the new entry's id: only that entry's poll can create it (its
      // lease), and a race between two partners is caught on the exact keys they both take.
      if (read !== undefined) {
        writes.expect(k.storyRevs(), sid, read.token);
        if (read.legacyRev !== undefined) writes.expect(k.story(sid), REV, read.legacyRev);
      }
      // The token always moves (an edited copy changes what the story is).
      if (next === undefined) tokensGone.push(sid);
      else {
        const token = `${needsNoHash(next) ? "s" : "m"}${this.#tokenBase}${(this.#tokens++).toString(36)}`;
        tokensSet.push(sid, token);
        written.push([sid, token, next]);
      }
      if (next === undefined || needsNoHash(next)) {
        if (read?.fields !== undefined) writes.del([k.story(sid)]);
        continue;
      }
      // A copy's field is written when it joins (or moved to another source), and removed when
      // it leaves; fields of copies without an entry, and the revision before tokens, go too.
      const held = read?.fields === undefined ? undefined : snapshot.stories.get(sid)?.members;
      const fields: string[] = [];
      for (const [id, member] of next.members) {
        if (held?.get(id)?.sourceId !== member.sourceId) fields.push(id, member.sourceId);
      }
      writes.hsetMany(k.story(sid), fields);
      writes.hdel(
        k.story(sid),
        (read?.fields ?? []).filter((id) => id === REV || !next.members.has(id)),
      );
    }
    writes.hdel(k.storyRevs(), tokensGone).hsetMany(k.storyRevs(), tokensSet);
    for (const [key, read] of plan.keysRead) writes.expect(k.storyKeys(), key, read);
    const set = (hash: string, changes: Map<string, string | undefined>) => {
      const pairs: string[] = [];
      const gone: string[] = [];
      for (const [field, value] of changes) {
        if (value === undefined) gone.push(field);
        else pairs.push(field, value);
      }
      writes.hdel(hash, gone).hsetMany(hash, pairs);
    };
    set(k.storyOf(), plan.storyOf);
    set(k.storyKeys(), plan.keyOwners);
    // A token written by the layout before was a ["storyId","entryId"] pair: both go.
    for (const [token, id, sid] of plan.tokenRemoves) {
      writes.srem(k.titleToken(token), [id, JSON.stringify([sid, id])]);
    }
    for (const [token, id] of plan.tokenAdds) writes.sadd(k.titleToken(token), [id]);
    // Removes first: a copy that moves inside a listing is removed, then added again.
    for (const [name, listed] of plan.indexRemoves) {
      writes.zrem(
        k.merged(name),
        listed.map(([, id]) => id),
      );
    }
    for (const [name, listed] of plan.indexAdds) writes.zadd(k.merged(name), listed.flat());
    return {
      touched: plan.touched,
      written: () => {
        for (const sid of tokensGone) this.#forget(sid);
        for (const [sid, token, story] of written) {
          this.#forget(sid);
          this.#tokenOf.set(sid, token);
          this.#remembered.set(token, { story, hashed: !needsNoHash(story) });
        }
        for (const [token, { story }] of this.#remembered) {
          if (this.#remembered.size <= REMEMBERED_STORIES) break;
          this.#remembered.delete(token);
          if (this.#tokenOf.get(story.id) === token) this.#tokenOf.delete(story.id);
          const counter = Number.parseInt(token.slice(1 + this.#tokenBase.length), 36);
          this.#rememberedFrom = Math.max(this.#rememberedFrom, counter + 1);
        }
      },
    };
  }

  /** Forgets what this store wrote of story `sid`: it was written again, or it is gone. */
  #forget(sid: string): void {
    const token = this.#tokenOf.get(sid);
    if (token === undefined) return;
    this.#tokenOf.delete(sid);
    this.#remembered.delete(token);
  }

  /** The provenance of each listed entry that has some (see storyInfoOf), in one round trip. */
  async infoFor(listed: readonly Update[]): Promise<Map<string, StoryInfo>> {
    const found = new Map<string, StoryInfo>();
    if (listed.length === 0) return found;
    const { storyOf, stories } = await this.snapshot([], listed);
    for (const { id } of listed) {
      const sid = storyOf.get(id);
      const info = sid === undefined ? undefined : storyInfoOf(stories.get(sid), id);
      if (info) found.set(id, info);
    }
    return found;
  }
}

/** The fields a flattened story hash holds, `_rev` of the layout before included. */
function fieldsOf(flat: readonly string[]): string[] {
  const fields: string[] = [];
  for (let j = 0; j < flat.length; j += 2) fields.push(flat[j] as string);
  return fields;
}
