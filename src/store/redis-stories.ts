// RedisStore's half of stories (stories.ts plans them): reading what an operation's stories
// are now — two round trips, however many entries — turning a plan into writes that only apply
// while those stories and keys are unchanged (another worker may be writing a copy of the same
// story), and reading the provenance a merged page shows.

import { exactStoryKeys } from "../model/story-keys.js";
import type { StoryInfo, Update } from "../model/update.js";
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

export class RedisStories {
  readonly #client: RedisClient;
  readonly #keys: RedisKeys;
  readonly #call: Call;

  constructor(client: RedisClient, keys: RedisKeys, call: Call) {
    this.#client = client;
    this.#keys = keys;
    this.#call = call;
  }

  /** What planStories needs to know about `upserts` and `removals`. */
  async snapshot(upserts: readonly Update[], removals: readonly Update[]): Promise<StorySnapshot> {
    const ids = [...new Set([...upserts, ...removals].map((u) => u.id))];
    const keys = [...new Set(upserts.flatMap((u) => exactStoryKeys(u)))];
    const tokens = [...new Set(upserts.flatMap((u) => lookupTokenKeys(u)))];
    const storyOf = new Map<string, string>();
    const keyOwners = new Map<string, string>();
    const tokenMembers = new Map<string, Set<string>>();
    await this.#call("read stories", async () => {
      const multi = this.#client.multi();
      if (ids.length > 0) multi.hmget(this.#keys.storyOf(), ...ids);
      if (keys.length > 0) multi.hmget(this.#keys.storyKeys(), ...keys);
      for (const token of tokens) multi.smembers(this.#keys.titleToken(token));
      const replies =
        ids.length + keys.length + tokens.length === 0 ? [] : await execChecked(multi);
      let at = 0;
      if (ids.length > 0) {
        (replies[at++] as (string | null)[]).forEach((sid, i) => {
          if (sid !== null) storyOf.set(ids[i] as string, sid);
        });
      }
      if (keys.length > 0) {
        (replies[at++] as (string | null)[]).forEach((sid, i) => {
          if (sid !== null) keyOwners.set(keys[i] as string, sid);
        });
      }
      for (const token of tokens) {
        const members = new Set<string>();
        for (const raw of replies[at++] as string[]) {
          const [sid, id] = JSON.parse(raw) as [string, string];
          members.add(id);
          if (!storyOf.has(id)) storyOf.set(id, sid);
        }
        tokenMembers.set(token, members);
      }
    });
    const sids = new Set([...storyOf.values(), ...keyOwners.values(), ...ids]);
    const stories = await this.read([...sids]);
    return { storyOf, stories, keyOwners, tokens: tokenMembers };
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
      const hash = replies[i] as Record<string, string>;
      const rev = hash[REV];
      if (rev === undefined) return;
      const members = new Map<string, StoryMember>();
      for (const [field, json] of Object.entries(hash)) {
        if (field !== REV) members.set(field, JSON.parse(json) as StoryMember);
      }
      stories.set(sid, { id: sid, rev: Number(rev), members });
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
      writes.expect(k.story(sid), REV, read === undefined ? undefined : String(read.rev));
      writes.del([k.story(sid)]);
      if (next === undefined) continue;
      const fields = [REV, String(next.rev)];
      for (const [id, member] of next.members) fields.push(id, JSON.stringify(member));
      writes.hsetMany(k.story(sid), fields);
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
