// Category rules applied again to what is stored (issue: "changing rules and reloading
// re-applies them to stored entries of the affected sources, no re-fetch needed"). A stored
// entry keeps everything the rules read — title, summary, tags, link — so its categories can be
// computed again from its source's default categories and the new rules. Only entries whose
// categories change are written, so only the versions of categories that changed move; entries a
// new drop rule matches are removed. Idempotent: a second run with the same rules writes nothing.
import type { Update } from "../model/update.js";
import type { PollLease } from "../store/leases.js";
import { ALL, type Store } from "../store/store.js";
import type { SourceRules } from "./categorise.js";

/** What the rules make of one stored entry, when that differs from what is stored. */
export interface RuleChange {
  id: string;
  title: string;
  before: string[];
  /** The categories it would have now, or "dropped". */
  after: string[] | "dropped";
}

export interface Recategorised {
  sourceId: string;
  recategorised: number;
  dropped: number;
  unchanged: number;
  changes: RuleChange[];
}

const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().join("\n") === [...b].sort().join("\n");

/** Pure: the entry's categories under `defaults` and `rules`, or "dropped". */
export function categoriesUnder(
  entry: Update,
  defaults: readonly string[],
  rules: SourceRules | undefined,
): string[] | "dropped" {
  const base = { ...entry, categories: [...defaults] };
  if (rules === undefined) return base.categories;
  const { kept } = rules.apply([base]);
  return kept[0]?.categories ?? "dropped";
}

const PAGE = 500;

/**
 * Re-applies a source's rules to its stored entries. With `dryRun` nothing is written: the
 * result says what would change (`tributary rules --dry-run`). With `lease` (the source's
 * claim, as a poll holds it) the writes are refused once a newer poll claimed the source: a
 * poll storing newer copies meanwhile is never overwritten by the copies read here.
 */
export async function reapplyRules(
  store: Store,
  sourceId: string,
  defaults: readonly string[],
  rules: SourceRules | undefined,
  options: { dryRun?: boolean; lease?: PollLease } = {},
): Promise<Recategorised> {
  const result: Recategorised = {
    sourceId,
    recategorised: 0,
    dropped: 0,
    unchanged: 0,
    changes: [],
  };
  const rewrite: Update[] = [];
  const drop: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.list({ category: ALL, source: sourceId, limit: PAGE, cursor });
    for (const entry of page.items) {
      const after = categoriesUnder(entry, defaults, rules);
      if (after !== "dropped" && sameSet(after, entry.categories)) {
        result.unchanged++;
        continue;
      }
      result.changes.push({ id: entry.id, title: entry.title, before: entry.categories, after });
      if (after === "dropped") drop.push(entry.id);
      else rewrite.push({ ...entry, categories: after });
    }
    cursor = page.next ?? undefined;
  } while (cursor !== undefined);
  result.recategorised = rewrite.length;
  result.dropped = drop.length;
  if (options.dryRun) return result;
  if (rewrite.length > 0) {
    // Dates as stored: the rewrite is ours, not the partner's.
    await store.upsert(rewrite, {
      fallbackDated: new Set(rewrite.map((entry) => entry.id)),
      ...(options.lease === undefined ? {} : { lease: options.lease }),
    });
  }
  if (drop.length > 0) await store.removeEntries(drop, options.lease);
  return result;
}
