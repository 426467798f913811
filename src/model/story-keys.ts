// What the store looks an entry's story up by (issue: one entry per story), as strings it can
// index: exact keys — the canonical link (story-link.ts: tracking parameters, scheme, `www.`,
// DOIs folded) and a globally unique partner id — and title tokens, so a retitled copy is found
// among the few entries sharing a rare word of its title in the same time window, never by a
// scan of every entry. Pure; the store keeps the indexes and decides with sameStoryTitle.
import { storyLinkKey } from "./story-link.js";
import { MIN_SIMILARITY, MIN_WORDS, type TitleWords, titleWords } from "./story-title.js";
import type { Update } from "./update.js";

/** Copies published further apart than this are never matched on their titles. */
export const STORY_WINDOW_MS = 72 * 3_600_000;

/**
 * A partner id only counts as shared when it is globally unique by construction: a URL (then
 * in the same canonical form as links, so one partner's guid meets another's link), a `tag:`
 * or a `urn:` URI. "1234" or a CMS slug is unique inside one feed only.
 */
function guidKey(guid: string | undefined): string | undefined {
  if (guid === undefined) return undefined;
  if (/^(?:tag|urn):\S{8,}$/i.test(guid)) return `guid:${guid}`;
  // Only what can be a link is parsed as one: most other guids ("1234", a CMS slug) would
  // make the URL parser throw, which costs more than everything else an entry's keys take.
  return /^\s*(?:https?|doi):/i.test(guid) ? storyLinkKey(guid) : undefined;
}

/**
 * Exact keys by link, then guid: a write asks for each entry's a few times (its reads, its
 * plan). Keyed by the strings themselves, not a concatenation, whose hash would be computed
 * afresh on every call.
 */
const keysSeen = new Map<string | undefined, Map<string | undefined, readonly string[]>>();
let keysSeenSize = 0;
const KEYS_SEEN_MAX = 20_000;

/** The exact keys of an entry: copies sharing any one of them are one story. */
export function exactStoryKeys(update: Pick<Update, "link" | "guid">): readonly string[] {
  return (
    keysSeen.get(update.link)?.get(update.guid) ??
    rememberKeys(update.link, update.guid, Object.freeze(keysOf(update)))
  );
}

function rememberKeys(
  link: string | undefined,
  guid: string | undefined,
  keys: readonly string[],
): readonly string[] {
  if (keysSeenSize >= KEYS_SEEN_MAX) {
    keysSeen.clear();
    keysSeenSize = 0;
  }
  let byGuid = keysSeen.get(link);
  if (byGuid === undefined) {
    byGuid = new Map();
    keysSeen.set(link, byGuid);
  }
  byGuid.set(guid, keys);
  keysSeenSize++;
  return keys;
}

function keysOf(update: Pick<Update, "link" | "guid">): string[] {
  const keys = new Set<string>();
  const link = storyLinkKey(update.link);
  if (link !== undefined) keys.add(link);
  // An RSS permalink guid is the link itself: one key, parsed once.
  const guid = update.guid === update.link ? undefined : guidKey(update.guid);
  if (guid !== undefined) keys.add(guid);
  return [...keys];
}

/**
 * Words too common to tell titles apart, ordered last so they rarely become tokens (any fixed
 * order keeps the guarantee below; this one keeps the token buckets small).
 */
const COMMON = new Set(
  (
    "the a an of in on to for and or with by at from as is are be new un says after over " +
    "de la le les des du et en el los las y del para por con un una di il e da em do dos " +
    "в и на с по для о"
  ).split(" "),
);

/** FNV-1a: a fixed, cheap order of words that needs no statistics of the corpus. */
function fnv1a(word: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < word.length; i++) {
    hash ^= word.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * The prefix of a title's words under one global order (prefix filtering, Chaudhuri et al.):
 * two titles with Jaccard similarity ≥ t share at least ⌈t·|x|⌉ of x's words, so they share a
 * word among the first |x| − ⌈t·|x|⌉ + 1 of each in that order. Looking a title up by these
 * finds every title sameStoryTitle could accept; titles too short to match have none.
 */
export function titlePrefix(words: TitleWords): readonly string[] {
  let prefix = prefixes.get(words);
  if (prefix === undefined) {
    prefix = prefixOf(words);
    prefixes.set(words, prefix);
  }
  return prefix;
}

/** Prefixes of the titles wordsOfTitle remembers (they are asked for at index and lookup). */
const prefixes = new WeakMap<TitleWords, string[]>();

function prefixOf(words: TitleWords): string[] {
  const n = words.words.size;
  if (n < MIN_WORDS) return [];
  const length = n - Math.ceil(MIN_SIMILARITY * n - 1e-9) + 1;
  return [...words.words]
    .map((word) => ({ word, common: COMMON.has(word) ? 1 : 0, hash: fnv1a(word) }))
    .sort((a, b) => a.common - b.common || a.hash - b.hash || (a.word < b.word ? -1 : 1))
    .slice(0, length)
    .map(({ word }) => word);
}

/** Titles already folded into words, by title: one poll asks for each a few times. */
const seen = new Map<string, TitleWords>();
const SEEN_MAX = 20_000;

/** titleWords, remembered for the last titles asked for (a bounded cache: it is pure). */
export function wordsOfTitle(title: string): TitleWords {
  return seen.get(title) ?? rememberWords(title, titleWords(title));
}

function rememberWords(title: string, words: TitleWords): TitleWords {
  if (seen.size >= SEEN_MAX) seen.clear();
  seen.set(title, words);
  return words;
}

/** Copies within the window are at most one bucket apart. */
const bucketOf = (publishedMs: number): number => Math.floor(publishedMs / STORY_WINDOW_MS);

/** The token keys an entry is indexed under: its title prefix in its time bucket. */
export function titleTokenKeys(title: string, publishedMs: number): string[] {
  const bucket = bucketOf(publishedMs);
  const words = wordsOfTitle(title);
  return titlePrefix(words).map((word) => tokenKeyOf(bucket, words.numbers, word));
}

/**
 * A token names its numbers too: titles that may match have the same ones, and the parts of a
 * series ("Situation report No. 12", "No. 13") then never share a bucket, however long it runs.
 */
export function tokenKeyOf(bucket: number, numbers: string, word: string): string {
  return `${bucket}:${numbers}:${word}`;
}

/**
 * What a new entry's possible copies are looked up by: its title prefix, under its bucket and
 * the buckets either side (copies within the window are at most one bucket apart), with its
 * numbers; undefined for a title too short to match. A store holding the index elsewhere can
 * send this and build the keys there (tokenKeyOf).
 */
export interface TokenLookup {
  bucket: number;
  numbers: string;
  words: readonly string[];
}

export function tokenLookup(title: string, publishedMs: number): TokenLookup | undefined {
  const words = wordsOfTitle(title);
  const prefix = titlePrefix(words);
  if (prefix.length === 0) return undefined;
  return { bucket: bucketOf(publishedMs), numbers: words.numbers, words: prefix };
}

/** The token keys of a lookup: its prefix, bucket ±1. */
export function candidateTokenKeys(title: string, publishedMs: number): string[] {
  const lookup = tokenLookup(title, publishedMs);
  if (lookup === undefined) return [];
  const { bucket, numbers, words } = lookup;
  return words.flatMap((word) =>
    [bucket - 1, bucket, bucket + 1].map((b) => tokenKeyOf(b, numbers, word)),
  );
}

/**
 * What the story keys of one entry are, computed where its feed was parsed: a worker thread
 * (ingest/worker) works them out beside the parse, and the main thread, which plans and writes
 * every poll's stories, only remembers them (primeStoryKeys) instead of canonicalising links
 * and folding titles itself.
 */
export interface StoryKeyHint {
  link: string | undefined;
  guid: string | undefined;
  keys: readonly string[];
  title: string;
  /** The title's words, as the Set itself: a structured clone rebuilds it natively. */
  words: ReadonlySet<string>;
  numbers: string;
  prefix: readonly string[];
}

/**
 * Hints of the first entries of a feed, at most: a store keeps a source's newest few hundred
 * (retention), and a main thread remembering more would only forget them again.
 */
export const MAX_HINTS = 5_000;

/** The hints of a feed's entries (the same functions the store calls, so the same values). */
export function storyKeyHints(
  updates: readonly Pick<Update, "link" | "guid" | "title">[],
): StoryKeyHint[] {
  return updates.slice(0, MAX_HINTS).map((update) => {
    const words = wordsOfTitle(update.title);
    return {
      link: update.link,
      guid: update.guid,
      keys: exactStoryKeys(update),
      title: update.title,
      words: words.words,
      numbers: words.numbers,
      prefix: titlePrefix(words),
    };
  });
}

/**
 * Remembers hints made by storyKeyHints in another thread, as if computed here. What is already
 * remembered stays (a title's words keep their identity, which its prefix is remembered by).
 */
export function primeStoryKeys(hints: readonly StoryKeyHint[]): void {
  for (const hint of hints) {
    if (keysSeen.get(hint.link)?.get(hint.guid) === undefined) {
      // Frozen again: a structured clone of a frozen array is not.
      rememberKeys(hint.link, hint.guid, Object.freeze(hint.keys as string[]));
    }
    if (!seen.has(hint.title)) {
      const words = rememberWords(hint.title, { words: hint.words, numbers: hint.numbers });
      prefixes.set(words, hint.prefix as string[]);
    }
  }
}
