// MemoryStore's ordered index: an array kept in listing order (newest first) by binary
// insertion, so a page is a binary search plus `limit` steps instead of a sort per request.
import { compareNewestFirst, type IndexKey } from "./compare.js";

export class SortedIndex {
  readonly #keys: IndexKey[] = [];

  get size(): number {
    return this.#keys.length;
  }

  /** First position whose key is not before `key` in listing order. */
  #lowerBound(key: IndexKey): number {
    let lo = 0;
    let hi = this.#keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareNewestFirst(this.#keys[mid] as IndexKey, key) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** First position strictly after `key` in listing order (the key need not be present). */
  #upperBound(key: IndexKey): number {
    let lo = 0;
    let hi = this.#keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareNewestFirst(this.#keys[mid] as IndexKey, key) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  insert(key: IndexKey): void {
    const at = this.#lowerBound(key);
    const found = this.#keys[at];
    if (found && compareNewestFirst(found, key) === 0) return;
    this.#keys.splice(at, 0, { ms: key.ms, id: key.id });
  }

  remove(key: IndexKey): void {
    const at = this.#lowerBound(key);
    const found = this.#keys[at];
    if (found && compareNewestFirst(found, key) === 0) this.#keys.splice(at, 1);
  }

  /** Keys in listing order, starting just after `after` (from the top without it). */
  *after(after?: IndexKey): Generator<IndexKey> {
    const start = after ? this.#upperBound(after) : 0;
    for (let i = start; i < this.#keys.length; i++) yield this.#keys[i] as IndexKey;
  }

  /**
   * Keys strictly before `before` in listing order (newer than it; the key need not be
   * present), walking backwards: the nearest first, the newest last.
   */
  *before(before: IndexKey): Generator<IndexKey> {
    for (let i = this.#lowerBound(before) - 1; i >= 0; i--) yield this.#keys[i] as IndexKey;
  }

  /** Keys from this position (0 = newest) to the end, as a copy. */
  fromPosition(position: number): IndexKey[] {
    return this.#keys.slice(position);
  }

  /** Position of the first key published strictly before `ms` (the size when there is none). */
  firstOlderThan(ms: number): number {
    let lo = 0;
    let hi = this.#keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.#keys[mid] as IndexKey).ms >= ms) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
