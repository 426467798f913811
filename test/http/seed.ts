// Update fixtures for the HTTP tests, built fresh per call.
import type { Update } from "../../src/model/update.js";
import type { Store } from "../../src/store/store.js";

export function makeUpdate(n: number, overrides: Partial<Update> = {}): Update {
  const published = new Date(Date.UTC(2026, 2, 1, 12, 0, 0) + n * 3_600_000).toISOString();
  return {
    id: `id-${String(n).padStart(3, "0")}`,
    sourceId: "un-news",
    title: `Story ${n}`,
    link: `https://news.example.org/stories/${n}`,
    summary: `Summary of story ${n}.`,
    published,
    updated: published,
    authors: [],
    categories: ["migration"],
    tags: [],
    enclosures: [],
    ...overrides,
  };
}

/**
 * Five entries: 1–3 from un-news (migration; 3 also trafficking), 4–5 from atr (trafficking).
 * Newest is 5.
 */
export async function seed(store: Store): Promise<Update[]> {
  const updates = [
    makeUpdate(1),
    makeUpdate(2),
    makeUpdate(3, { categories: ["migration", "trafficking"] }),
    makeUpdate(4, { sourceId: "atr", categories: ["trafficking"] }),
    makeUpdate(5, { sourceId: "atr", categories: ["trafficking"] }),
  ];
  await store.upsert(updates, { fallbackDated: new Set() });
  return updates;
}
