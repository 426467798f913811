// RedisStore's half of stories (stories.ts plans them): reading what an operation's stories
// are now — two round trips, however many entries — turning a plan into writes that only apply
// while those stories and keys are unchanged (another worker may be writing a copy of the same
// story), and reading the provenance a merged page shows.

import { exactStoryKeys } from "../model/story-keys.js";
import type { StoryInfo, Update } from "../model/update.js";
import { LuaScript } from "./lua-script.js";
import { execChecked, type RedisClient } from "./redis-client.js";
import type { RedisKeys } from "./redis-keys.js";
import type { RedisWrites } from "./redis-writes.js";
import {
  lookupTokenKeys,
  type StoryMember,
  type StoryPlan,
  type StoryRecord,
  type StorySnapshot,
  storyInfoOf,
} from "./stories.js";

type Call = <T>(what: string, io: () => Promise<T>) => Promise<T>;

const REV = "_rev";

/**
 * KEYS: storyof, storykey. ARGV: the story key prefix, the title token key prefix, then counted
 * lists — entry ids; exact keys; and per entry looked up by title, its id and its token keys.
 * Returns JSON: {storyOf, keyOwners, candidates: id → [[storyId, entryId]…], stories: id → hash}
 * with every story named by any of them. Read-only: a plan made from it is written by a
 * checked write that applies nothing if a story or key changed since.
 */
const SNAPSHOT = new LuaScript(`
local storyPrefix, tokenPrefix = ARGV[1], ARGV[2]
local out = { storyOf = {}, keyOwners = {}, candidates = {}, stories = {} }
local sids = {}
local i = 3
local n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do
  local id = ARGV[i]; i = i + 1
  sids[id] = true
  local sid = redis.call('HGET', KEYS[1], id)
  if sid then out.storyOf[id] = sid; sids[sid] = true end
end
n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do
  local key = ARGV[i]; i = i + 1
  local sid = redis.call('HGET', KEYS[2], key)
  if sid then out.keyOwners[key] = sid; sids[sid] = true end
end
n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do
  local id, t = ARGV[i], tonumber(ARGV[i + 1]); i = i + 2
  local tokens = {}
  for j = 1, t do tokens[j] = tokenPrefix .. ARGV[i]; i = i + 1 end
  local found = {}
  for _, raw in ipairs(redis.call('SUNION', unpack(tokens))) do
    local pair = cjson.decode(raw)
    found[#found + 1] = pair
    sids[pair[1]] = true
  end
  out.candidates[id] = found
end
for sid in pairs(sids) do
  local flat = redis.call('HGETALL', storyPrefix .. sid)
  if #flat > 0 then
    local hash = {}
    for j = 1, #flat, 2 do hash[flat[j]] = flat[j + 1] end
    out.stories[sid] = hash
  end
end
return cjson.encode(out)
`);

/** A story as stored (`_rev` and one field per copy), or undefined for an absent one. */
function recordOf(sid: string, hash: Record<string, string>): StoryRecord | undefined {
  const rev = hash[REV];
  if (rev === undefined) return undefined;
  const members = new Map<string, StoryMember>();
  for (const [field, json] of Object.entries(hash)) {
    if (field !== REV) members.set(field, JSON.parse(json) as StoryMember);
  }
  return { id: sid, rev: Number(rev), members };
}

export class RedisStories {
  readonly #client: RedisClient;
  readonly #keys: RedisKeys;
  readonly #call: Call;

  constructor(client: RedisClient, keys: RedisKeys, call: Call) {
    this.#client = client;
    this.#keys = keys;
    this.#call = call;
  }

  /**
   * What planStories needs to know about `upserts` and `removals`, in one round trip: the
   * stories of the entries, the owners of their exact keys, their possible copies by title
   * (one SUNION of each entry's token keys) and every story any of those belong to.
   */
  async snapshot(upserts: readonly Update[], removals: readonly Update[]): Promise<StorySnapshot> {
    const ids = [...new Set([...upserts, ...removals].map((u) => u.id))];
    const keys = [...new Set(upserts.flatMap((u) => exactStoryKeys(u)))];
    const args: (string | number)[] = [
      this.#keys.story(""),
      this.#keys.titleToken(""),
      ids.length,
      ...ids,
      keys.length,
      ...keys,
    ];
    const lookups = upserts
      .map((u) => ({ id: u.id, tokens: lookupTokenKeys(u) }))
      .filter((lookup) => lookup.tokens.length > 0);
    args.push(lookups.length);
    for (const { id, tokens } of lookups) args.push(id, tokens.length, ...tokens);
    const reply = await this.#call("read stories", () =>
      SNAPSHOT.run(this.#client, [this.#keys.storyOf(), this.#keys.storyKeys()], args),
    );
    const read = JSON.parse(String(reply)) as {
      storyOf: Record<string, string>;
      keyOwners: Record<string, string>;
      candidates: Record<string, [string, string][] | Record<string, never>>;
      stories: Record<string, Record<string, string>>;
    };
    const storyOf = new Map(Object.entries(read.storyOf));
    const candidates = new Map<string, string[]>();
    for (const [id, found] of Object.entries(read.candidates)) {
      // Lua's cjson writes an empty list as {}.
      if (!Array.isArray(found)) continue;
      candidates.set(
        id,
        found.map(([sid, other]) => {
          if (!storyOf.has(other)) storyOf.set(other, sid);
          return other;
        }),
      );
    }
    const stories = new Map<string, StoryRecord>();
    for (const [sid, hash] of Object.entries(read.stories)) {
      const record = recordOf(sid, hash);
      if (record) stories.set(sid, record);
    }
    return {
      storyOf,
      stories,
      keyOwners: new Map(Object.entries(read.keyOwners)),
      titleCandidates: (update) => candidates.get(update.id) ?? [],
    };
  }

  /** The stored stories of `sids` (absent ones left out). */
  async read(sids: readonly string[]): Promise<Map<string, StoryRecord>> {
    const stories = new Map<string, StoryRecord>();
    if (sids.length === 0) return stories;
    const replies = await this.#call("read stories", () => {
      const multi = this.#client.multi();
      for (const sid of sids) multi.hgetall(this.#keys.story(sid));
      return execChecked(multi);
    });
    sids.forEach((sid, i) => {
      const record = recordOf(sid, replies[i] as Record<string, string>);
      if (record) stories.set(sid, record);
    });
    return stories;
  }

  /**
   * Adds the plan's writes to `writes`, with the expectations that make them apply only while
   * every story and key it changes is as `snapshot` read it. Returns the listings it touched.
   */
  write(plan: StoryPlan, snapshot: StorySnapshot, writes: RedisWrites): Set<string> {
    const k = this.#keys;
    for (const [sid, next] of plan.stories) {
      const read = snapshot.stories.get(sid);
      // A new story is named by the new entry's id: only that entry's poll can create it (its
      // lease), and a race between two partners is caught on the exact keys they both take.
      if (read !== undefined) writes.expect(k.story(sid), REV, String(read.rev));
      if (next === undefined) {
        if (read !== undefined) writes.del([k.story(sid)]);
        continue;
      }
      // Only what changed is written: the planner keeps the member objects it did not replace,
      // so a copy joining a story sends itself, not every copy already there again.
      const fields = [REV, String(next.rev)];
      for (const [id, member] of next.members) {
        if (read?.members.get(id) !== member) fields.push(id, JSON.stringify(member));
      }
      writes.hsetMany(k.story(sid), fields);
      if (read !== undefined) {
        writes.hdel(
          k.story(sid),
          [...read.members.keys()].filter((id) => !next.members.has(id)),
        );
      }
    }
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
    for (const [token, id, sid] of plan.tokenRemoves) {
      writes.srem(k.titleToken(token), [JSON.stringify([sid, id])]);
    }
    for (const [token, id, sid] of plan.tokenAdds) {
      writes.sadd(k.titleToken(token), [JSON.stringify([sid, id])]);
    }
    // Removes first: a copy that moves inside a listing is removed, then added again.
    for (const [name, listed] of plan.indexRemoves) {
      writes.zrem(
        k.merged(name),
        listed.map(([, id]) => id),
      );
    }
    for (const [name, listed] of plan.indexAdds) writes.zadd(k.merged(name), listed.flat());
    return plan.touched;
  }

  /** The provenance of each listed entry that has some (see storyInfoOf). */
  async infoFor(ids: readonly string[]): Promise<Map<string, StoryInfo>> {
    const found = new Map<string, StoryInfo>();
    if (ids.length === 0) return found;
    const sids = await this.#call("read stories", () =>
      this.#client.hmget(this.#keys.storyOf(), ...ids),
    );
    const stories = await this.read([...new Set(sids.filter((s): s is string => s !== null))]);
    ids.forEach((id, i) => {
      const sid = sids[i];
      const info = sid == null ? undefined : storyInfoOf(stories.get(sid), id);
      if (info) found.set(id, info);
    });
    return found;
  }
}
