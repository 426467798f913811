// Stories: entries of different partners that carry one story (issue: one entry per story).
// Every listed entry belongs to exactly one story; a story's copies come from different sources.
// The merged listings (a category, `all`) index each story once, under its earliest copy, in
// every category any copy is in; per-source listings keep every entry. This module is the
// backend-independent half: given what a store knows about the stories an operation touches,
// it decides the new stories and the index writes. MemoryStore hands it its live maps,
// RedisStore what it read; both apply the result (and Redis checks nothing moved meanwhile).
import {
  candidateTokenKeys,
  exactStoryKeys,
  STORY_WINDOW_MS,
  type TokenLookup,
  titleTokenKeys,
  tokenLookup,
  wordsOfTitle,
} from "../model/story-keys.js";
import { MIN_WORDS, sameStoryTitle } from "../model/story-title.js";
import type { StoryInfo, Update } from "../model/update.js";
import { compareCodePoints, publishedMs } from "./compare.js";
import { indexCategories } from "./plan.js";

/** What a story keeps of each copy: enough to place it, match it and name it (provenance). */
export interface StoryMember {
  id: string;
  sourceId: string;
  /** ISO 8601 UTC, as the entry. */
  published: string;
  /** `published` in milliseconds: the planner compares it many times per copy. */
  ms: number;
  title: string;
  link?: string;
  categories: string[];
  language?: string;
  /** Its exact keys (story-keys.ts), to release them when it leaves. */
  keys: readonly string[];
}

export interface StoryRecord {
  id: string;
  members: ReadonlyMap<string, StoryMember>;
}

/** What the planner may read. Absent from a map means absent from the store. */
export interface StorySnapshot {
  /** Entry id → its story id. */
  storyOf: ReadonlyMap<string, string>;
  stories: ReadonlyMap<string, StoryRecord>;
  /** Exact key → the story holding it. */
  keyOwners: ReadonlyMap<string, string>;
  /**
   * The entries indexed under any of the token keys a new entry is looked up by
   * (lookupTokenKeys): its possible copies, to check with sameStoryTitle.
   */
  titleCandidates(update: Update): Iterable<string>;
}

export interface StoryPlan {
  /** Final state of every story touched; undefined: it has no copy left. */
  stories: Map<string, StoryRecord | undefined>;
  /** Entry id → story id, or undefined for an entry that left. */
  storyOf: Map<string, string | undefined>;
  /** Exact keys taken (→ story id) or released (undefined). */
  keyOwners: Map<string, string | undefined>;
  /** What each changed key held when read: RedisStore applies nothing if one moved since. */
  keysRead: Map<string, string | undefined>;
  /** [token key, entry id, its story id] indexed and unindexed. */
  tokenAdds: [string, string, string][];
  tokenRemoves: [string, string, string][];
  /** Merged index name → [ms, entry id] of the story copies listed there now. */
  indexAdds: Map<string, [number, string][]>;
  /** Merged index name → [ms, entry id] of copies listed there no more (as they were listed). */
  indexRemoves: Map<string, [number, string][]>;
  /** Merged listings whose content changed (their versions move). */
  touched: Set<string>;
}

/** The summary a story keeps of an entry. */
export function memberOf(update: Update): StoryMember {
  const member: StoryMember = {
    id: update.id,
    sourceId: update.sourceId,
    published: update.published,
    ms: Date.parse(update.published),
    title: update.title,
    categories: [...update.categories],
    keys: exactStoryKeys(update),
  };
  if (update.link !== undefined) member.link = update.link;
  if (update.language !== undefined) member.language = update.language;
  return member;
}

const msOf = (member: StoryMember): number => member.ms;

/** The copy a story is listed under: the earliest publication (then the smallest id). */
export function representative(story: StoryRecord): StoryMember | undefined {
  let best: StoryMember | undefined;
  for (const member of story.members.values()) {
    if (
      best === undefined ||
      msOf(member) < msOf(best) ||
      (msOf(member) === msOf(best) && compareCodePoints(member.id, best.id) < 0)
    ) {
      best = member;
    }
  }
  return best;
}

interface Placement {
  rep: string;
  ms: number;
  names: Set<string>;
}

/** Where a story is listed: under its earliest copy, in every category a copy is in. */
function placementOf(story: StoryRecord | undefined): Placement | undefined {
  const rep = story && representative(story);
  if (!story || !rep) return undefined;
  const categories = new Set<string>();
  for (const member of story.members.values()) for (const c of member.categories) categories.add(c);
  const names = indexCategories({
    categories: [...categories].sort(),
    ...(rep.language === undefined ? {} : { language: rep.language }),
  });
  return { rep: rep.id, ms: msOf(rep), names: new Set(names) };
}

/** The provenance a merged listing shows with a copy, or undefined when there is none to show. */
export function storyInfoOf(
  story: StoryRecord | undefined,
  entryId: string,
): StoryInfo | undefined {
  if (story === undefined) return undefined;
  if (story.members.size < 2 && story.id === entryId) return undefined;
  const copies = [...story.members.values()]
    .sort((a, b) => msOf(a) - msOf(b) || compareCodePoints(a.id, b.id))
    .map((m) => ({
      id: m.id,
      sourceId: m.sourceId,
      ...(m.link === undefined ? {} : { link: m.link }),
      published: m.published,
      title: m.title,
    }));
  return { id: story.id, copies };
}

/** The token keys a new entry's possible copies are looked up under (for a store's reads). */
export function lookupTokenKeys(update: Update): string[] {
  return candidateTokenKeys(update.title, publishedMs(update));
}

/** The same lookup in parts, for a store that builds the keys itself (tokenKeyOf). */
export function tokenLookupOf(update: Update): TokenLookup | undefined {
  return tokenLookup(update.title, publishedMs(update));
}

/**
 * Plans an operation on the stories: `upserts` are entries written and listed (new, changed,
 * or not yet in a story), `removals` entries leaving every listing (removed or hidden).
 * An entry keeps its story across edits (an edited title never splits a story); a new one
 * joins the story of a copy from another source — by an exact key, else by its title within
 * STORY_WINDOW_MS — or starts its own, named by its id.
 */
export function planStories(
  snapshot: StorySnapshot,
  upserts: readonly Update[],
  removals: readonly Update[],
): StoryPlan {
  const plan: StoryPlan = {
    stories: new Map(),
    storyOf: new Map(),
    keyOwners: new Map(),
    keysRead: new Map(),
    tokenAdds: [],
    tokenRemoves: [],
    indexAdds: new Map(),
    indexRemoves: new Map(),
    touched: new Set(),
  };
  // Reads see this operation's own writes first.
  const story = (id: string): StoryRecord | undefined =>
    plan.stories.has(id) ? plan.stories.get(id) : snapshot.stories.get(id);
  const storyOf = (id: string): string | undefined =>
    plan.storyOf.has(id) ? plan.storyOf.get(id) : snapshot.storyOf.get(id);
  const owner = (key: string): string | undefined =>
    plan.keyOwners.has(key) ? plan.keyOwners.get(key) : snapshot.keyOwners.get(key);
  const before = new Map<string, Placement | undefined>();
  const write = (next: StoryRecord | undefined, id: string): void => {
    if (!before.has(id)) before.set(id, placementOf(snapshot.stories.get(id)));
    plan.stories.set(id, next);
  };
  const setOwner = (key: string, value: string | undefined): void => {
    if (!plan.keysRead.has(key)) plan.keysRead.set(key, snapshot.keyOwners.get(key));
    plan.keyOwners.set(key, value);
  };
  const tokensOf = (m: StoryMember) => titleTokenKeys(m.title, msOf(m));

  /** Takes `member` out of its story, releasing what only it held. */
  const leave = (entryId: string): void => {
    const sid = storyOf(entryId);
    const current = sid === undefined ? undefined : story(sid);
    const member = current?.members.get(entryId);
    plan.storyOf.set(entryId, undefined);
    if (sid === undefined || current === undefined || member === undefined) return;
    const members = new Map(current.members);
    members.delete(entryId);
    for (const key of member.keys) {
      const kept = [...members.values()].some((m) => m.keys.includes(key));
      if (!kept && owner(key) === sid) setOwner(key, undefined);
    }
    for (const token of tokensOf(member)) plan.tokenRemoves.push([token, entryId, sid]);
    write(members.size === 0 ? undefined : { ...current, members }, sid);
  };

  /** Whether `member` may join `candidate`: one copy per source in a story. */
  const joinable = (candidate: StoryRecord | undefined, member: StoryMember) =>
    candidate !== undefined &&
    ![...candidate.members.values()].some(
      (m) => m.sourceId === member.sourceId && m.id !== member.id,
    );

  /** The story a new copy belongs to: by exact key, else by title in the window. */
  const find = (update: Update, member: StoryMember): string | undefined => {
    for (const key of member.keys) {
      const sid = owner(key);
      if (sid !== undefined && joinable(story(sid), member)) return sid;
    }
    const words = wordsOfTitle(update.title);
    const ms = msOf(member);
    const found = new Set<string>();
    if (words.words.size >= MIN_WORDS) {
      for (const other of snapshot.titleCandidates(update)) {
        const sid = storyOf(other);
        const copy = sid === undefined ? undefined : story(sid)?.members.get(other);
        if (sid === undefined || copy === undefined || copy.sourceId === member.sourceId) continue;
        if (Math.abs(msOf(copy) - ms) > STORY_WINDOW_MS) continue;
        if (sameStoryTitle(wordsOfTitle(copy.title), words) && joinable(story(sid), member)) {
          found.add(sid);
        }
      }
    }
    // Several candidates: the oldest-named story, so every instance picks the same one.
    return [...found].sort(compareCodePoints)[0];
  };

  for (const removed of removals) leave(removed.id);

  for (const update of upserts) {
    const member = memberOf(update);
    let sid = storyOf(update.id);
    const existing = sid === undefined ? undefined : story(sid)?.members.get(update.id);
    if (sid !== undefined && existing !== undefined) {
      // An edit: same story, with its new summary, keys and tokens.
      const current = story(sid) as StoryRecord;
      for (const key of existing.keys) {
        if (member.keys.includes(key)) continue;
        const kept = [...current.members.values()].some(
          (m) => m.id !== update.id && m.keys.includes(key),
        );
        if (!kept && owner(key) === sid) setOwner(key, undefined);
      }
      const oldTokens = tokensOf(existing);
      const newTokens = tokensOf(member);
      for (const t of oldTokens) {
        if (!newTokens.includes(t)) plan.tokenRemoves.push([t, update.id, sid]);
      }
      for (const t of newTokens)
        if (!oldTokens.includes(t)) plan.tokenAdds.push([t, update.id, sid]);
    } else {
      // Its own story may live on without it (a copy hidden and shown again): rejoin it first.
      const own = story(update.id);
      sid = joinable(own, member) ? update.id : find(update, member);
      sid ??= update.id;
      for (const t of tokensOf(member)) plan.tokenAdds.push([t, update.id, sid]);
      plan.storyOf.set(update.id, sid);
    }
    const current = story(sid);
    const members = new Map(current?.members ?? []);
    members.set(update.id, member);
    write({ id: sid, members }, sid);
    for (const key of member.keys) {
      const held = owner(key);
      if (held === sid) continue;
      // A key of a story that is gone (or never was) is free; a live story keeps its own.
      if (held === undefined || story(held) === undefined) setOwner(key, sid);
    }
  }

  for (const [sid, was] of before) {
    const now = placementOf(plan.stories.get(sid));
    addPlacementDiff(plan, was, now);
  }
  return plan;
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** The index writes that move a story from one placement to the other, and what they touch. */
function addPlacementDiff(
  plan: StoryPlan,
  was: Placement | undefined,
  now: Placement | undefined,
): void {
  for (const name of was?.names ?? []) plan.touched.add(name);
  for (const name of now?.names ?? []) plan.touched.add(name);
  if (was) {
    for (const name of was.names) {
      if (!now || now.rep !== was.rep || now.ms !== was.ms || !now.names.has(name)) {
        push(plan.indexRemoves, name, [was.ms, was.rep]);
      }
    }
  }
  if (now) {
    for (const name of now.names) {
      if (was && was.rep === now.rep && was.ms === now.ms && was.names.has(name)) continue;
      push(plan.indexAdds, name, [now.ms, now.rep]);
    }
  }
}
