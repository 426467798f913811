// The backend-independent half of writes: which entries change, what an upsert reports and
// which category versions move. Both stores compute this the same way and only differ in
// how they read the stored entries and apply the result.
import { UNCATEGORISED } from "../model/category.js";
import { languageIndex, matchesLanguage, primaryLanguage } from "../model/language.js";
import type { Update } from "../model/update.js";
import { compareNewestFirst, indexKeyOf, publishedMs, sameUpdate } from "./compare.js";
import { ALL, type HiddenEntry, type RetentionPolicy, type UpsertResult } from "./store.js";

export interface EntryChange {
  next: Update;
  /** What was stored before, absent for a new entry. */
  previous?: Update;
}

export interface UpsertPlan {
  changes: EntryChange[];
  result: UpsertResult;
  /** Categories (with ALL) whose version must be bumped; empty for a no-op upsert. */
  touched: Set<string>;
}

/**
 * Every index an entry belongs to besides its source's: its categories and ALL — and, for an
 * entry in no category (its source has none and no rule gave one), UNCATEGORISED. An entry
 * with a language is also listed under each of those per language (`migration@fr`,
 * model/language.ts), so both stores list, count and version a language's listing like any
 * category's, and a language's version moves exactly when its listing changes.
 */
export function indexCategories(update: Pick<Update, "categories" | "language">): string[] {
  const names =
    update.categories.length === 0
      ? [ALL, UNCATEGORISED]
      : [...new Set([ALL, ...update.categories])];
  const { language } = update;
  if (language === undefined) return names;
  return [...names, ...names.map((name) => languageIndex(name, language))];
}

/**
 * Which index a listing walks and which of its entries it keeps, the same for both stores:
 * a source's own index filtered to the category, else the category's — per language when
 * `language` is given. A range longer than a primary subtag (`fr-CA`) walks the `@fr` index and
 * keeps the entries it matches (RFC 4647 basic filtering). `wanted` is undefined when every
 * entry of the index is wanted.
 */
export function listingPlan(query: { category: string; source?: string; language?: string }): {
  index: { source: string } | { category: string };
  wanted?: (entry: Update) => boolean;
} {
  const { category, source, language } = query;
  const checks: ((entry: Update) => boolean)[] = [];
  if (source !== undefined && category !== ALL) {
    checks.push((entry) => entry.categories.includes(category));
  }
  if (language !== undefined && (source !== undefined || language !== primaryLanguage(language))) {
    checks.push((entry) => matchesLanguage(language, entry.language));
  }
  const index =
    source !== undefined
      ? { source }
      : { category: language === undefined ? category : languageIndex(category, language) };
  if (checks.length === 0) return { index };
  return { index, wanted: (entry) => checks.every((check) => check(entry)) };
}

/** The distinct ids of a batch, the last occurrence of a repeated id winning. */
export function latestById(updates: readonly Update[]): Map<string, Update> {
  const byId = new Map<string, Update>();
  for (const update of updates) byId.set(update.id, update);
  return byId;
}

/**
 * Decides what an upsert writes. `stored` holds the current entries of the batch's ids.
 * Throws (before anything is written) for an entry without a usable published date.
 */
export function planUpsert(
  batch: ReadonlyMap<string, Update>,
  stored: ReadonlyMap<string, Update>,
  fallbackDated: ReadonlySet<string>,
): UpsertPlan {
  const changes: EntryChange[] = [];
  const result: UpsertResult = { added: 0, updated: 0, unchanged: 0 };
  const touched = new Set<string>();
  for (const [id, incoming] of batch) {
    publishedMs(incoming);
    const previous = stored.get(id);
    if (!previous) {
      result.added++;
      changes.push({ next: incoming });
      for (const c of indexCategories(incoming)) touched.add(c);
      continue;
    }
    // A first-seen fallback date would otherwise change on every poll and move the entry.
    const next = fallbackDated.has(id)
      ? { ...incoming, published: previous.published, updated: previous.updated }
      : incoming;
    if (sameUpdate(withSourceFeedUpdatedOf(previous, next), previous)) {
      result.unchanged++;
      continue;
    }
    result.updated++;
    changes.push({ next, previous });
    for (const c of [...indexCategories(previous), ...indexCategories(next)]) touched.add(c);
  }
  return { changes, result, touched };
}

/** Order of the hidden list: most recently hidden first, then by id. */
export function newestHiddenFirst(a: HiddenEntry, b: HiddenEntry): number {
  if (a.hiddenAt !== b.hiddenAt) return a.hiddenAt < b.hiddenAt ? 1 : -1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * The plan with the entries an editor hid (`hidden`) kept out of the indexes: they are still
 * stored, so an unhide shows the partner's latest copy, but they list nowhere and move no
 * version. `indexed` are the changes to index; `touched` is recomputed from them alone.
 */
export function withoutHidden(
  plan: UpsertPlan,
  hidden: ReadonlySet<string>,
): UpsertPlan & { indexed: EntryChange[] } {
  if (hidden.size === 0) return { ...plan, indexed: plan.changes };
  const indexed = plan.changes.filter(({ next }) => !hidden.has(next.id));
  const touched = new Set<string>();
  for (const { next, previous } of indexed) {
    for (const c of indexCategories(next)) touched.add(c);
    if (previous) for (const c of indexCategories(previous)) touched.add(c);
  }
  return { ...plan, indexed, touched };
}

/**
 * `sourceFeed.updated` is a snapshot of the partner's feed taken when this version of the entry
 * was read (RFC 4287 §4.2.11), and many feeds restamp it on every response: on its own it is no
 * change, or every entry would be rewritten, and every page re-rendered, on every poll. A real
 * change writes the new snapshot with it.
 */
function withSourceFeedUpdatedOf(previous: Update, next: Update): Update {
  const kept = previous.sourceFeed?.updated;
  if (next.sourceFeed === undefined || kept === undefined) return next;
  return { ...next, sourceFeed: { ...next.sourceFeed, updated: kept } };
}

/** Entries published strictly before this instant are past `maxAgeDays`. */
export function retentionCutoffMs(policy: RetentionPolicy, now: Date): number {
  return now.getTime() - policy.maxAgeDays * 86_400_000;
}

/** Categories (with ALL) whose version must be bumped when these entries are removed. */
export function categoriesOf(removed: readonly Update[]): Set<string> {
  const touched = new Set<string>();
  for (const update of removed) for (const c of indexCategories(update)) touched.add(c);
  return touched;
}

/**
 * The entries of a fetched feed that retention keeps: its newest `maxEntriesPerSource`. Any
 * beyond can never stay (at least that many newer ones are listed), so writing them would
 * only have applyRetention remove them again, on every poll of an unchanged feed.
 */
export function newestWithinCap(updates: readonly Update[], policy: RetentionPolicy): Update[] {
  const distinct = [...latestById(updates).values()];
  const cap = Math.max(0, policy.maxEntriesPerSource);
  if (distinct.length <= cap) return distinct;
  return distinct.sort((a, b) => compareNewestFirst(indexKeyOf(a), indexKeyOf(b))).slice(0, cap);
}
