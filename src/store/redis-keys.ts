// Every Redis key RedisStore touches is built here, under one prefix, so instances sharing a
// Redis agree on the layout and tests can isolate themselves with a unique prefix.
//
//   <prefix>entry:<id>        string  Update as JSON
//   <prefix>cat:<category>    zset    member id, score published ms ("all" = every entry)
//   <prefix>src:<sourceId>    zset    member id, score published ms
//   <prefix>version:<category> string integer, INCR'd when the category's entries change
//   <prefix>changed:<category> string epoch ms of that INCR (same MULTI): the Last-Modified
//   <prefix>generation        string  random id, set (NX) with every version bump: names the data set
//   <prefix>state:<sourceId>  string  SourceState as JSON
//   <prefix>due               zset    member sourceId, score epoch ms its next poll is due (absent: now)
//   <prefix>lease:<sourceId>  string  fencing token of the poll holding the source, with PX expiry
//   <prefix>fence:<sourceId>  string  newest fencing token issued for the source (INCR per claim)
//   <prefix>host:<hostName>   zset    member a fetch's holder id, score epoch ms its slot expires
//   <prefix>hidden            hash    entry id → {"hiddenAt"} of entries an editor took down
//   <prefix>rendered:<key>    string  a page's rendered text, shared by instances, with PX expiry
//   <prefix>pinged:<hub> <feed URL> string  ETag of the feed a WebSub hub was last told of, PX expiry
//   <prefix>merged:<category> zset    a merged listing: each story once, member its earliest
//                                     copy's entry id, score its published ms (stories.ts)
//   <prefix>story:<storyId>   hash    entry id → its source id, per copy (the copy itself is
//                                     read from its entry). None for a story of one copy named
//                                     by it, most stories (redis-stories.ts)
//   <prefix>storyrev          hash    story id → a token that changes with every write of the
//                                     story ("m…" with a hash, "s…" one copy without)
//   <prefix>storyof           hash    entry id → its story id
//   <prefix>storykey          hash    exact story key (canonical link, unique guid) → story id
//   <prefix>tt:<token>        set     ids of the entries whose title prefix holds the token in
//                                     that time bucket (story-keys.ts)
//   A <category> may be a per-language index, `<category>@<primary subtag>` (`migration@fr`,
//   model/language.ts): cat:, merged:, version: and changed: exist for it like for any category.
//   <prefix>listings          set     every per-language listing (category@language) ever bumped
//   <prefix>websub            hash    source id → its WebSub subscription as JSON (subscriptions.ts)
//   <prefix>versions          channel (pub/sub, not a key) a category id PUBLISHed in the MULTI
//                             of each version bump, so instances drop their cached version

export const DEFAULT_REDIS_PREFIX = "tributary:";

export interface RedisKeys {
  readonly prefix: string;
  entry(id: string): string;
  category(category: string): string;
  source(sourceId: string): string;
  version(category: string): string;
  changed(category: string): string;
  generation(): string;
  sourceState(sourceId: string): string;
  due(): string;
  lease(sourceId: string): string;
  fence(sourceId: string): string;
  host(hostName: string): string;
  rendered(key: string): string;
  pinged(topic: string): string;
  hidden(): string;
  merged(category: string): string;
  listings(): string;
  story(storyId: string): string;
  storyOf(): string;
  storyRevs(): string;
  storyKeys(): string;
  titleToken(token: string): string;
  /** WebSub subscriptions, one field per source (redis-subscriptions.ts). */
  subscriptions(): string;
  /** The pub/sub channel of version bumps (see version-watch.ts). */
  versionsChannel(): string;
}

export function redisKeys(prefix: string = DEFAULT_REDIS_PREFIX): RedisKeys {
  return {
    prefix,
    entry: (id) => `${prefix}entry:${id}`,
    category: (category) => `${prefix}cat:${category}`,
    source: (sourceId) => `${prefix}src:${sourceId}`,
    version: (category) => `${prefix}version:${category}`,
    changed: (category) => `${prefix}changed:${category}`,
    generation: () => `${prefix}generation`,
    sourceState: (sourceId) => `${prefix}state:${sourceId}`,
    due: () => `${prefix}due`,
    lease: (sourceId) => `${prefix}lease:${sourceId}`,
    fence: (sourceId) => `${prefix}fence:${sourceId}`,
    host: (hostName) => `${prefix}host:${hostName}`,
    rendered: (key) => `${prefix}rendered:${key}`,
    pinged: (topic) => `${prefix}pinged:${topic}`,
    hidden: () => `${prefix}hidden`,
    merged: (category) => `${prefix}merged:${category}`,
    listings: () => `${prefix}listings`,
    story: (storyId) => `${prefix}story:${storyId}`,
    storyOf: () => `${prefix}storyof`,
    storyRevs: () => `${prefix}storyrev`,
    storyKeys: () => `${prefix}storykey`,
    titleToken: (token) => `${prefix}tt:${token}`,
    subscriptions: () => `${prefix}websub`,
    versionsChannel: () => `${prefix}versions`,
  };
}

/** A SCAN MATCH pattern for every key under `prefix` (glob characters in it escaped). */
export function prefixPattern(prefix: string): string {
  return `${prefix.replace(/[*?[\]\\]/g, "\\$&")}*`;
}
