// Ordering and equality shared by both stores, so MemoryStore lists in exactly the order
// RedisStore does: newest `published` first, then `id` descending as Redis orders members
// of equal score (byte-wise on their UTF-8 encoding).
import { isDeepStrictEqual } from "node:util";
import type { Update } from "../model/update.js";

/** A position in an index: what a keyset cursor remembers. */
export interface IndexKey {
  /** `published` as epoch milliseconds: the sorted-set score. */
  ms: number;
  id: string;
}

/**
 * Compares strings by Unicode code point, which is the byte order of their UTF-8 encoding
 * (Redis compares members with memcmp). Plain `<` compares UTF-16 code units and disagrees
 * for astral characters against U+E000–U+FFFF.
 */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // Move surrogates (0xD800–0xDFFF) above 0xE000–0xFFFF: the classic code-point fix-up.
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

/** Negative when `a` comes first in a listing (newer, or equally new with a greater id). */
export function compareNewestFirst(a: IndexKey, b: IndexKey): number {
  if (a.ms !== b.ms) return b.ms - a.ms;
  return compareCodePoints(b.id, a.id);
}

/** The sorted-set score of an entry. Rejects dates the normaliser should never let through. */
export function publishedMs(update: Update): number {
  const ms = Date.parse(update.published);
  if (!Number.isFinite(ms)) {
    throw new TypeError(
      `Update ${update.id} has an unparseable published date: ${update.published}`,
    );
  }
  return ms;
}

export function indexKeyOf(update: Update): IndexKey {
  return { ms: publishedMs(update), id: update.id };
}

/**
 * Equality as the stores see it: what survives a JSON round trip (undefined properties
 * vanish), key order irrelevant, array order significant.
 */
export function sameUpdate(a: Update, b: Update): boolean {
  return isDeepStrictEqual(JSON.parse(JSON.stringify(a)), JSON.parse(JSON.stringify(b)));
}
