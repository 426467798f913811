// The one contract every Store passes. memory.test.ts and redis.test.ts call storeContract
// with a factory; each test builds its own store and fixtures.
import type { ExecutionContext, TestFn } from "ava";
import { initialSourceState, type SourceState } from "../../src/model/source.js";
import type { Update } from "../../src/model/update.js";
import {
  ALL,
  InvalidCursorError,
  type ListQuery,
  type Page,
  type Store,
  StoreUnavailableError,
} from "../../src/store/store.js";
import { EPOCH, makeUpdate, minutesAfterEpoch } from "../helpers/updates.js";

export type StoreFactory = (t: ExecutionContext) => Promise<Store>;

const plain = { fallbackDated: new Set<string>() };
/** Retention after a poll whose feed lists none of the stored entries any more. */
const nothingListed: ReadonlySet<string> = new Set<string>();
const ids = (items: Update[]): string[] => items.map((u) => u.id);

/** Follows `next` from the first page to the last, returning every id in order. */
async function pageThrough(store: Store, query: Omit<ListQuery, "cursor">): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 1000; pages++) {
    const page = await store.list({ ...query, cursor });
    seen.push(...ids(page.items));
    if (page.next === null) return seen;
    cursor = page.next;
  }
  throw new Error("paging did not end");
}

/** The pages from the first to the last, following `next`. */
async function pagesForward(store: Store, query: Omit<ListQuery, "cursor">): Promise<Page[]> {
  const pages: Page[] = [];
  let cursor: string | undefined;
  for (let n = 0; n < 1000; n++) {
    const page = await store.list({ ...query, cursor });
    pages.push(page);
    if (page.next === null) return pages;
    cursor = page.next;
  }
  throw new Error("paging did not end");
}

/** The pages from `from` back to the first one, following `previous` (newest page first). */
async function pagesBack(
  store: Store,
  query: Omit<ListQuery, "cursor" | "before">,
  from: Page,
  between: (round: number) => Promise<void> = async () => {},
): Promise<Page[]> {
  const pages: Page[] = [from];
  let page = from;
  for (let round = 0; round < 1000; round++) {
    if (page.previous === null) return pages;
    await between(round);
    page = await store.list({ ...query, before: page.previous });
    pages.unshift(page);
  }
  throw new Error("paging back did not end");
}

const idsOfPages = (pages: Page[]): string[][] => pages.map((page) => ids(page.items));

/**
 * The cursor a store issues for the `k`-th entry of a listing (0 = newest): the `next` of the
 * page of the first k + 1 entries. Null for the last entry, which no such page is followed by.
 */
async function cursorAt(
  store: Store,
  query: Omit<ListQuery, "cursor" | "before" | "limit">,
  k: number,
): Promise<string | null> {
  return (await store.list({ ...query, limit: k + 1 })).next;
}

/** Entries `minutes` apart, newest last in the array, all in `categories` of `sourceId`. */
function series(count: number, fields: Partial<Update> = {}, step = 1): Update[] {
  return Array.from({ length: count }, (_, i) =>
    makeUpdate({ ...fields, published: minutesAfterEpoch(i * step) }),
  );
}

const newestFirst = (updates: Update[]): string[] =>
  [...updates]
    .sort((a, b) => Date.parse(b.published) - Date.parse(a.published) || (a.id < b.id ? 1 : -1))
    .map((u) => u.id);

/** A partner that posts a few times a year, polled years after its posts. */
export const ARCHIVE_SOURCE = "un-programme";
export const ARCHIVE_NOW = new Date("2026-03-01T12:00:00.000Z");

/** Its feed: posts from 2017–2019, the same objects on every call (ids are fixed). */
export function archive(): Update[] {
  return ["2017-05-10T09:00:00.000Z", "2018-11-02T14:30:00.000Z", "2019-06-20T08:00:00.000Z"].map(
    (published, i) =>
      makeUpdate({
        id: `archive-${i}`,
        sourceId: ARCHIVE_SOURCE,
        categories: ["x"],
        published,
        updated: published,
      }),
  );
}

/**
 * What a successful poll does to a store: upsert the feed's entries, then retention told which
 * ids the feed lists (as refreshSource does).
 */
export async function pollArchive(
  store: Store,
  feed: Update[],
  policy: { maxEntriesPerSource: number; maxAgeDays: number },
) {
  const written = await store.upsert(feed, plain);
  const listed = new Set(ids(feed));
  const expired = await store.applyRetention(ARCHIVE_SOURCE, policy, ARCHIVE_NOW, listed);
  return { ...written, expired };
}

export function storeContract(test: TestFn, name: string, open: StoreFactory): void {
  const it = (title: string, body: (t: ExecutionContext, store: Store) => Promise<void>) =>
    test(`${name}: ${title}`, async (t) => body(t, await open(t)));

  it("reports its kind", async (t, store) => {
    t.is(store.kind, name as Store["kind"]);
  });

  it("lists, counts and versions each language through its own index", async (t, store) => {
    const fr = makeUpdate({
      categories: ["migration"],
      language: "fr",
      published: minutesAfterEpoch(3),
    });
    const frCa = makeUpdate({
      categories: ["migration"],
      language: "fr-CA",
      published: minutesAfterEpoch(2),
    });
    const ar = makeUpdate({
      categories: ["migration"],
      language: "ar",
      published: minutesAfterEpoch(1),
    });
    const none = makeUpdate({ categories: ["migration"], published: minutesAfterEpoch(0) });
    await store.upsert([fr, frCa, ar, none], plain);
    const list = async (query: Omit<ListQuery, "limit">) =>
      ids((await store.list({ limit: 10, ...query })).items);
    t.deepEqual(await list({ category: "migration", language: "fr" }), [fr.id, frCa.id]);
    t.deepEqual(await list({ category: ALL, language: "fr-CA" }), [frCa.id]);
    t.deepEqual(await list({ category: "migration", language: "ar" }), [ar.id]);
    t.deepEqual(await list({ category: "migration", language: "zh" }), []);
    t.deepEqual(await list({ category: "migration", source: fr.sourceId, language: "fr" }), [
      fr.id,
      frCa.id,
    ]);
    t.deepEqual(await list({ category: "migration" }), [fr.id, frCa.id, ar.id, none.id]);
    t.is(await store.count("migration@fr"), 2);
    t.is(await store.count("all@ar"), 1);
    // Cursors of a language listing are cursors of its index.
    t.deepEqual(await pageThrough(store, { category: "migration", language: "fr", limit: 1 }), [
      fr.id,
      frCa.id,
    ]);
    const arVersion = await store.version("migration@ar");
    const frVersion = await store.version("migration@fr");
    await store.upsert([{ ...fr, title: "Nouveau titre" }], plain);
    t.is(await store.version("migration@ar"), arVersion, "another language's version stays");
    t.true((await store.version("migration@fr")) > frVersion);
  });

  it("upsert adds new entries and get returns them", async (t, store) => {
    const a = makeUpdate({ image: { url: "https://partner.example/a.png", type: "image/png" } });
    const b = makeUpdate({
      enclosures: [{ url: "https://partner.example/b.mp3", type: "audio/mpeg", length: 12 }],
    });
    t.deepEqual(await store.upsert([a, b], plain), { added: 2, updated: 0, unchanged: 0 });
    t.deepEqual(await store.get(a.id), a);
    t.deepEqual(await store.get(b.id), b);
    t.is(await store.get("no-such-id"), undefined);
  });

  it("an empty upsert writes and bumps nothing", async (t, store) => {
    t.deepEqual(await store.upsert([], plain), { added: 0, updated: 0, unchanged: 0 });
    t.is(await store.version(ALL), 0);
  });

  it("re-upserting identical entries is a no-op that bumps no version", async (t, store) => {
    const fields = { id: "same", categories: ["trafficking", "migration"] };
    await store.upsert([makeUpdate(fields)], plain);
    const before = [await store.version(ALL), await store.version("trafficking")];
    t.true((before[0] ?? 0) > 0);
    // A fresh but equal object, with properties in another order, as a re-poll produces.
    const again = makeUpdate(fields);
    const reordered = Object.fromEntries(Object.entries(again).reverse()) as unknown as Update;
    t.deepEqual(await store.upsert([reordered], plain), { added: 0, updated: 0, unchanged: 1 });
    t.deepEqual([await store.version(ALL), await store.version("trafficking")], before);
  });

  it("a changed entry is updated and bumps only its categories and ALL", async (t, store) => {
    const a = makeUpdate({ categories: ["trafficking"] });
    const b = makeUpdate({ categories: ["migration"] });
    await store.upsert([a, b], plain);
    const all = await store.version(ALL);
    const trafficking = await store.version("trafficking");
    const migration = await store.version("migration");
    const changed = { ...a, title: "A corrected title" };
    t.deepEqual(await store.upsert([changed, { ...b }], plain), {
      added: 0,
      updated: 1,
      unchanged: 1,
    });
    t.is((await store.get(a.id))?.title, "A corrected title");
    t.true((await store.version(ALL)) > all);
    t.true((await store.version("trafficking")) > trafficking);
    t.is(await store.version("migration"), migration);
  });

  it("a repeated id in one batch is stored once, the last occurrence winning", async (t, store) => {
    const first = makeUpdate({ id: "twice", title: "first" });
    const last = { ...first, title: "last" };
    t.deepEqual(await store.upsert([first, last], plain), { added: 1, updated: 0, unchanged: 0 });
    t.is((await store.get("twice"))?.title, "last");
    t.is(await store.count(ALL), 1);
  });

  it("an entry without a usable published date is rejected before anything is written", async (t, store) => {
    const good = makeUpdate();
    const bad = makeUpdate({ published: "not a date" });
    await t.throwsAsync(store.upsert([good, bad], plain), { instanceOf: TypeError });
    t.is(await store.get(good.id), undefined);
    t.is(await store.version(ALL), 0);
  });

  it("fallback-dated entries keep their first-seen dates", async (t, store) => {
    const older = makeUpdate({ published: minutesAfterEpoch(-5), updated: minutesAfterEpoch(-5) });
    const firstSeen = makeUpdate({
      id: "undated",
      published: minutesAfterEpoch(0),
      updated: minutesAfterEpoch(0),
    });
    await store.upsert([older, firstSeen], { fallbackDated: new Set(["undated"]) });
    const version = await store.version(ALL);

    // The next poll stamps "now" again: same content, so nothing changes.
    const repoll = {
      ...firstSeen,
      published: minutesAfterEpoch(30),
      updated: minutesAfterEpoch(30),
    };
    t.deepEqual(await store.upsert([repoll], { fallbackDated: new Set(["undated"]) }), {
      added: 0,
      updated: 0,
      unchanged: 1,
    });
    t.is(await store.version(ALL), version);
    t.is((await store.get("undated"))?.published, minutesAfterEpoch(0));

    // A real change is written, still under the first-seen dates and position.
    const edited = {
      ...repoll,
      title: "Edited",
      published: minutesAfterEpoch(60),
      updated: minutesAfterEpoch(60),
    };
    t.deepEqual(await store.upsert([edited], { fallbackDated: new Set(["undated"]) }), {
      added: 0,
      updated: 1,
      unchanged: 0,
    });
    const stored = await store.get("undated");
    t.is(stored?.title, "Edited");
    t.is(stored?.published, minutesAfterEpoch(0));
    t.is(stored?.updated, minutesAfterEpoch(0));
    t.deepEqual(ids((await store.list({ category: ALL, limit: 10 })).items), ["undated", older.id]);
  });

  it("a new fallback-dated entry is stored with the dates given", async (t, store) => {
    const u = makeUpdate({ published: minutesAfterEpoch(7), updated: minutesAfterEpoch(7) });
    t.deepEqual(await store.upsert([u], { fallbackDated: new Set([u.id]) }), {
      added: 1,
      updated: 0,
      unchanged: 0,
    });
    t.is((await store.get(u.id))?.published, minutesAfterEpoch(7));
  });

  it("without the fallback flag a new published date moves the entry", async (t, store) => {
    const a = makeUpdate({ published: minutesAfterEpoch(1) });
    const b = makeUpdate({ published: minutesAfterEpoch(2) });
    await store.upsert([a, b], plain);
    t.deepEqual(ids((await store.list({ category: ALL, limit: 10 })).items), [b.id, a.id]);
    await store.upsert([{ ...a, published: minutesAfterEpoch(3) }], plain);
    t.deepEqual(ids((await store.list({ category: ALL, limit: 10 })).items), [a.id, b.id]);
    t.is(await store.count(ALL), 2);
  });

  it("index memberships follow a change of categories", async (t, store) => {
    const u = makeUpdate({ categories: ["x", "y"] });
    await store.upsert([u], plain);
    const before = {
      x: await store.version("x"),
      y: await store.version("y"),
      z: await store.version("z"),
    };
    await store.upsert([{ ...u, categories: ["y", "z"] }], plain);
    t.is(await store.count("x"), 0);
    t.is(await store.count("y"), 1);
    t.is(await store.count("z"), 1);
    t.is(await store.count(ALL), 1);
    t.deepEqual((await store.list({ category: "x", limit: 5 })).items, []);
    t.deepEqual(ids((await store.list({ category: "z", limit: 5 })).items), [u.id]);
    // Every category whose listing changed gets a new version.
    t.true((await store.version("x")) > before.x);
    t.true((await store.version("y")) > before.y);
    t.true((await store.version("z")) > before.z);
  });

  it("an entry that changes source moves to the new source's index", async (t, store) => {
    const u = makeUpdate({ sourceId: "old-source" });
    await store.upsert([u], plain);
    await store.upsert([{ ...u, sourceId: "new-source" }], plain);
    t.is(await store.count(ALL, "old-source"), 0);
    t.is(await store.count(ALL, "new-source"), 1);
  });

  it("lists newest first, equal dates by id descending", async (t, store) => {
    const updates = [
      makeUpdate({ id: "b", published: minutesAfterEpoch(10) }),
      makeUpdate({ id: "a", published: minutesAfterEpoch(20) }),
      makeUpdate({ id: "c", published: minutesAfterEpoch(10) }),
      makeUpdate({ id: "d", published: minutesAfterEpoch(-10) }),
      makeUpdate({ id: "aa", published: minutesAfterEpoch(10) }),
    ];
    await store.upsert(updates, plain);
    const page = await store.list({ category: "trafficking", limit: 10 });
    t.deepEqual(ids(page.items), ["a", "c", "b", "aa", "d"]);
    t.is(page.next, null);
  });

  it("equal dates order ids by code point, as Redis orders members", async (t, store) => {
    // UTF-16 order would put U+E000 after the surrogate pair of U+1F600; UTF-8 bytes do not.
    const same = minutesAfterEpoch(0);
    const names = ["e-a", "e-\u{1F600}", "e-\uE000", "e-z", "e-é"];
    await store.upsert(
      names.map((id) => makeUpdate({ id, published: same })),
      plain,
    );
    t.deepEqual(ids((await store.list({ category: ALL, limit: 10 })).items), [
      "e-\u{1F600}",
      "e-\uE000",
      "e-é",
      "e-z",
      "e-a",
    ]);
    t.deepEqual(await pageThrough(store, { category: ALL, limit: 2 }), [
      "e-\u{1F600}",
      "e-\uE000",
      "e-é",
      "e-z",
      "e-a",
    ]);
  });

  it("pages return every entry exactly once and the last page has no next", async (t, store) => {
    const updates = series(7);
    await store.upsert(updates, plain);
    const first = await store.list({ category: "trafficking", limit: 3 });
    t.is(first.items.length, 3);
    t.not(first.next, null);
    t.deepEqual(
      await pageThrough(store, { category: "trafficking", limit: 3 }),
      newestFirst(updates),
    );
  });

  it("a listing that ends on a full page has no next", async (t, store) => {
    await store.upsert(series(6), plain);
    const first = await store.list({ category: ALL, limit: 3 });
    const second = await store.list({ category: ALL, limit: 3, cursor: first.next ?? undefined });
    t.is(second.items.length, 3);
    t.is(second.next, null);
    const exact = await store.list({ category: ALL, limit: 6 });
    t.is(exact.next, null);
  });

  it("pages do not shift when newer entries arrive between requests", async (t, store) => {
    const original = series(10);
    await store.upsert(original, plain);
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let round = 0; ; round++) {
      const page = await store.list({ category: ALL, limit: 3, cursor });
      seen.push(...ids(page.items));
      if (page.next === null) break;
      cursor = page.next;
      // A poll lands between two page requests, with entries newer than any listed.
      await store.upsert(
        [
          makeUpdate({ published: minutesAfterEpoch(1000 + round) }),
          makeUpdate({ published: minutesAfterEpoch(1000 + round), categories: ["other"] }),
        ],
        plain,
      );
    }
    t.deepEqual(seen, newestFirst(original));
  });

  it("pages through a large group of equal dates exactly once", async (t, store) => {
    const same = minutesAfterEpoch(0);
    const tied = Array.from({ length: 25 }, (_, i) =>
      makeUpdate({ id: `tie-${String(i).padStart(2, "0")}`, published: same }),
    );
    const around = [
      makeUpdate({ published: minutesAfterEpoch(1) }),
      makeUpdate({ published: minutesAfterEpoch(-1) }),
    ];
    await store.upsert([...tied, ...around], plain);
    const listed = await pageThrough(store, { category: ALL, limit: 4 });
    t.deepEqual(listed, newestFirst([...tied, ...around]));
    t.is(new Set(listed).size, 27);
  });

  it("a cursor stays valid after its entry is removed", async (t, store) => {
    const updates = series(6, { sourceId: "main" });
    // The last entry of the first page comes from a source whose retention will remove it.
    const doomed = makeUpdate({ sourceId: "short-lived", published: minutesAfterEpoch(4.5) });
    await store.upsert([...updates, doomed], plain);
    const first = await store.list({ category: ALL, limit: 2 });
    t.deepEqual(ids(first.items), [updates[5]?.id, doomed.id]);
    t.is(
      await store.applyRetention(
        "short-lived",
        { maxEntriesPerSource: 0, maxAgeDays: 3650 },
        new Date(EPOCH),
        nothingListed,
      ),
      1,
    );
    const second = await store.list({ category: ALL, limit: 10, cursor: first.next ?? undefined });
    t.deepEqual(ids(second.items), newestFirst(updates.slice(0, 5)));
  });

  it("a source filter walks that source's entries of one category across pages", async (t, store) => {
    const fromA = Array.from({ length: 8 }, (_, i) =>
      makeUpdate({
        sourceId: "a",
        categories: i % 3 === 0 ? ["y"] : ["x"],
        published: minutesAfterEpoch(i),
      }),
    );
    const fromB = series(4, { sourceId: "b", categories: ["x"] });
    await store.upsert([...fromA, ...fromB], plain);
    const xOfA = fromA.filter((u) => u.categories.includes("x"));
    t.deepEqual(
      await pageThrough(store, { category: "x", source: "a", limit: 2 }),
      newestFirst(xOfA),
    );
    t.deepEqual(
      await pageThrough(store, { category: ALL, source: "a", limit: 3 }),
      newestFirst(fromA),
    );
    t.deepEqual(
      await pageThrough(store, { category: "x", source: "b", limit: 10 }),
      newestFirst(fromB),
    );
    t.deepEqual(await store.list({ category: "x", source: "nobody", limit: 5 }), {
      items: [],
      next: null,
      previous: null,
    });
    t.deepEqual(await store.list({ category: "nothing", source: "a", limit: 5 }), {
      items: [],
      next: null,
      previous: null,
    });
  });

  it("a sparse category in a large source still fills its pages", async (t, store) => {
    const many = Array.from({ length: 120 }, (_, i) =>
      makeUpdate({
        sourceId: "big",
        categories: i % 40 === 0 ? ["rare", "common"] : ["common"],
        published: minutesAfterEpoch(i),
      }),
    );
    await store.upsert(many, plain);
    const rare = many.filter((u) => u.categories.includes("rare"));
    const page = await store.list({ category: "rare", source: "big", limit: 2 });
    t.deepEqual(ids(page.items), newestFirst(rare).slice(0, 2));
    t.deepEqual(
      await pageThrough(store, { category: "rare", source: "big", limit: 2 }),
      newestFirst(rare),
    );
  });

  it("an unknown category is empty, counts 0 and has version 0", async (t, store) => {
    await store.upsert([makeUpdate()], plain);
    t.deepEqual(await store.list({ category: "unknown", limit: 5 }), {
      items: [],
      next: null,
      previous: null,
    });
    t.is(await store.count("unknown"), 0);
    t.is(await store.version("unknown"), 0);
  });

  it("categoryVersion: the version, when it last moved, and the data generation", async (t, store) => {
    t.deepEqual(await store.categoryVersion(ALL), {
      version: 0,
      changedAt: undefined,
      generation: undefined,
    });
    const before = Date.now();
    await store.upsert([makeUpdate({ id: "a", categories: ["x"] })], plain);
    const first = await store.categoryVersion("x");
    t.is(first.version, await store.version("x"));
    const at = first.changedAt?.getTime() ?? 0;
    t.true(at >= before && at <= Date.now(), `changedAt ${first.changedAt?.toISOString()}`);
    t.is(typeof first.generation, "string");
    await new Promise((resolve) => setTimeout(resolve, 5));
    // An edit, and a new entry dated long ago, both move it: it is when the content changed.
    await store.upsert([makeUpdate({ id: "a", categories: ["x"], title: "Edited" })], plain);
    const edited = await store.categoryVersion("x");
    t.true((edited.changedAt?.getTime() ?? 0) > at);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await store.upsert(
      [makeUpdate({ categories: ["x"], published: minutesAfterEpoch(-1e6) })],
      plain,
    );
    const backdated = await store.categoryVersion("x");
    t.true((backdated.changedAt?.getTime() ?? 0) > (edited.changedAt?.getTime() ?? 0));
    t.is(backdated.generation, first.generation, "the same data set");
    // Removing entries moves it too; a category that did not change keeps its instant.
    await store.upsert([makeUpdate({ sourceId: "other", categories: ["y"] })], plain);
    const y = await store.categoryVersion("y");
    await new Promise((resolve) => setTimeout(resolve, 5));
    await store.removeSource("source-a");
    t.true(
      ((await store.categoryVersion("x")).changedAt?.getTime() ?? 0) >
        (y.changedAt?.getTime() ?? 0),
    );
    t.deepEqual(await store.categoryVersion("y"), y);
  });

  it("rejects invalid cursors with InvalidCursorError", async (t, store) => {
    await store.upsert(series(5), plain);
    const { next } = await store.list({ category: ALL, limit: 2 });
    t.truthy(next);
    const valid = next ?? "";
    const flip = (s: string, at: number) =>
      s.slice(0, at) + (s[at] === "A" ? "B" : "A") + s.slice(at + 1);
    const bad = [
      "",
      "garbage",
      "not.a.cursor",
      valid.slice(0, -1),
      flip(valid, 3),
      flip(valid, valid.length - 1),
      `${valid}x`,
      Buffer.from(JSON.stringify([Date.now(), "id"])).toString("base64url"),
      "%%%.%%%",
    ];
    for (const cursor of bad) {
      await t.throwsAsync(
        store.list({ category: ALL, limit: 2, cursor }),
        { instanceOf: InvalidCursorError },
        cursor,
      );
    }
  });

  it("a before-read lists the entries right before its position, newest first, in every kind of index", async (t, store) => {
    const fromA = Array.from({ length: 8 }, (_, i) =>
      makeUpdate({
        sourceId: "a",
        categories: i % 3 === 0 ? ["y"] : ["x"],
        published: minutesAfterEpoch(i),
      }),
    );
    // Source b's dates tie with some of a's: ids order those in the merged indexes.
    const fromB = series(4, { sourceId: "b", categories: ["x"] });
    const all = [...fromA, ...fromB];
    await store.upsert(all, plain);
    const cases: [Omit<ListQuery, "limit">, Update[]][] = [
      [{ category: ALL }, all],
      [{ category: "x" }, all.filter((u) => u.categories.includes("x"))],
      [{ category: ALL, source: "a" }, fromA],
      [{ category: "x", source: "a" }, fromA.filter((u) => u.categories.includes("x"))],
      [{ category: "y", source: "a" }, fromA.filter((u) => u.categories.includes("y"))],
    ];
    for (const [query, members] of cases) {
      const expected = newestFirst(members);
      // Every position but the last entry's (no page is followed by it).
      for (let k = 0; k < expected.length - 1; k++) {
        const label = `${JSON.stringify(query)} before entry ${k}`;
        const before = (await cursorAt(store, query, k)) ?? "";
        const page = await store.list({ ...query, limit: 2, before });
        t.deepEqual(ids(page.items), expected.slice(Math.max(0, k - 2), k), label);
        // Older entries follow (the position's own at least): next is the last item's cursor.
        t.is(page.next, k === 0 ? null : await cursorAt(store, query, k - 1), label);
        // Newer ones precede it only while the page has not reached the newest entry.
        t.is(page.previous, k > 2 ? await cursorAt(store, query, k - 2) : null, label);
      }
    }
  });

  it("paging back with previous from the last page gives every page again, each entry once, in order", async (t, store) => {
    const updates = series(10);
    await store.upsert(updates, plain);
    const query = { category: "trafficking", limit: 3 };
    const forward = await pagesForward(store, query);
    t.is(forward.length, 4);
    const back = await pagesBack(store, query, forward.at(-1) as Page);
    t.deepEqual(idsOfPages(back), idsOfPages(forward));
    t.deepEqual(
      back.flatMap((page) => ids(page.items)),
      newestFirst(updates),
    );
    // Each page read back links on both ways as the forward pages do.
    t.deepEqual(
      back.map((page) => page.next),
      forward.map((page) => page.next),
    );
    t.is(back[0]?.previous, null, "the first page reached has no newer page");
  });

  it("previous is null on a first page, and names the first item on the pages after it", async (t, store) => {
    t.is((await store.list({ category: ALL, limit: 2 })).previous, null, "an empty store");
    await store.upsert(series(5), plain);
    const first = await store.list({ category: ALL, limit: 2 });
    t.is(first.previous, null);
    t.is((await store.list({ category: ALL, limit: 10 })).previous, null, "a single page");
    const second = await store.list({ category: ALL, limit: 2, cursor: first.next ?? "" });
    t.not(second.previous, null);
    const back = await store.list({ category: ALL, limit: 2, before: second.previous ?? "" });
    t.deepEqual(ids(back.items), ids(first.items));
    t.is(back.previous, null);
    t.is(back.next, first.next);
  });

  it("pages back through equal dates across page boundaries, ids breaking the ties", async (t, store) => {
    const same = minutesAfterEpoch(0);
    const tied = Array.from({ length: 25 }, (_, i) =>
      makeUpdate({ id: `tie-${String(i).padStart(2, "0")}`, published: same }),
    );
    const around = [
      makeUpdate({ published: minutesAfterEpoch(1) }),
      makeUpdate({ published: minutesAfterEpoch(-1) }),
    ];
    await store.upsert([...tied, ...around], plain);
    const expected = newestFirst([...tied, ...around]);
    for (const limit of [1, 4, 7]) {
      const query = { category: ALL, limit };
      const forward = await pagesForward(store, query);
      const back = await pagesBack(store, query, forward.at(-1) as Page);
      t.deepEqual(idsOfPages(back), idsOfPages(forward), `limit ${limit}`);
      t.deepEqual(
        back.flatMap((page) => ids(page.items)),
        expected,
        `limit ${limit}`,
      );
    }
    // From inside the group: the entries right before the 13th, across the group's top edge.
    const before = (await cursorAt(store, { category: ALL }, 13)) ?? "";
    t.deepEqual(
      ids((await store.list({ category: ALL, limit: 20, before })).items),
      expected.slice(0, 13),
    );
  });

  it("pages back through a sparse category of a large source", async (t, store) => {
    const many = Array.from({ length: 120 }, (_, i) =>
      makeUpdate({
        sourceId: "big",
        categories: i % 40 === 0 ? ["rare", "common"] : ["common"],
        published: minutesAfterEpoch(i),
      }),
    );
    await store.upsert(many, plain);
    const query = { category: "rare", source: "big", limit: 2 };
    const forward = await pagesForward(store, query);
    const back = await pagesBack(store, query, forward.at(-1) as Page);
    t.deepEqual(idsOfPages(back), idsOfPages(forward));
    t.deepEqual(
      back.flatMap((page) => ids(page.items)),
      newestFirst(many.filter((u) => u.categories.includes("rare"))),
    );
  });

  it("pages back do not shift when older entries arrive between requests", async (t, store) => {
    const original = series(10);
    await store.upsert(original, plain);
    const query = { category: ALL, limit: 3 };
    const forward = await pagesForward(store, query);
    const back = await pagesBack(store, query, forward.at(-1) as Page, async (round) => {
      // A poll lands between two requests, with entries older than any listed.
      await store.upsert([makeUpdate({ published: minutesAfterEpoch(-1000 - round) })], plain);
    });
    t.deepEqual(idsOfPages(back), idsOfPages(forward));
  });

  it("a cursor read past the last entry has the cursor given as previous", async (t, store) => {
    const updates = series(4, { sourceId: "main" });
    // The two oldest entries go: the cursor names the first of them, and nothing follows it.
    const doomed = [-1, -2].map((minutes) =>
      makeUpdate({ sourceId: "short-lived", published: minutesAfterEpoch(minutes) }),
    );
    await store.upsert([...updates, ...doomed], plain);
    const cursor = (await cursorAt(store, { category: ALL }, 4)) ?? "";
    t.is(await store.removeSource("short-lived"), 2);
    // What "Older" from the last page finds once the entries it pointed at have gone.
    const empty = await store.list({ category: ALL, limit: 2, cursor });
    t.deepEqual(empty, { items: [], next: null, previous: cursor });
    const back = await store.list({ category: ALL, limit: 2, before: cursor });
    t.deepEqual(ids(back.items), newestFirst(updates).slice(2, 4));
    t.is(back.next, null, "nothing older is left");
    t.is(back.previous, await cursorAt(store, { category: ALL }, 2));
  });

  it("a cursor read has no previous once every newer entry is gone", async (t, store) => {
    const updates = series(4, { sourceId: "main" });
    const doomed = makeUpdate({ sourceId: "short-lived", published: minutesAfterEpoch(10) });
    await store.upsert([...updates, doomed], plain);
    const cursor = (await cursorAt(store, { category: ALL }, 0)) ?? "";
    const before = await store.list({ category: ALL, limit: 2, cursor });
    t.is(before.previous, await cursorAt(store, { category: ALL }, 1), "the newest is newer");
    await store.removeSource("short-lived");
    const page = await store.list({ category: ALL, limit: 2, cursor });
    t.deepEqual(ids(page.items), newestFirst(updates).slice(0, 2));
    t.is(page.previous, null, "its first item is now the newest entry");
  });

  it("a before cursor stays valid after its entry is removed", async (t, store) => {
    const same = minutesAfterEpoch(0);
    // The position sits inside a group of equal dates, where its rank would have located it.
    const main = Array.from({ length: 6 }, (_, i) =>
      makeUpdate({ id: `m-${i}`, sourceId: "main", published: same }),
    );
    const doomed = makeUpdate({ id: "m-3x", sourceId: "short-lived", published: same });
    await store.upsert([...main, doomed], plain);
    const expected = newestFirst([...main, doomed]);
    t.is(expected[2], "m-3x");
    const before = (await cursorAt(store, { category: ALL }, 2)) ?? "";
    const after = (await cursorAt(store, { category: ALL }, 1)) ?? "";
    t.is(await store.removeSource("short-lived"), 1);
    const page = await store.list({ category: ALL, limit: 2, before });
    t.deepEqual(ids(page.items), ["m-5", "m-4"]);
    t.is(page.previous, null);
    t.is(page.next, after, "older entries still follow the last item");
    const rest = await store.list({ category: ALL, limit: 10, cursor: page.next ?? "" });
    t.deepEqual(ids(rest.items), ["m-3", "m-2", "m-1", "m-0"]);
  });

  it("rejects invalid before cursors with InvalidCursorError", async (t, store) => {
    await store.upsert(series(5), plain);
    const { next } = await store.list({ category: ALL, limit: 2 });
    const valid = next ?? "";
    const bad = ["", "garbage", valid.slice(0, -1), `${valid}x`, "%%%.%%%"];
    for (const before of bad) {
      await t.throwsAsync(
        store.list({ category: ALL, limit: 2, before }),
        { instanceOf: InvalidCursorError },
        before,
      );
    }
    // Checked before the index is looked at: an unknown category is no excuse.
    await t.throwsAsync(store.list({ category: "unknown", limit: 2, before: "garbage" }), {
      instanceOf: InvalidCursorError,
    });
  });

  it("a cursor and a before cursor together are a RangeError", async (t, store) => {
    await store.upsert(series(5), plain);
    const { next } = await store.list({ category: ALL, limit: 2 });
    const cursor = next ?? "";
    await t.throwsAsync(store.list({ category: ALL, limit: 2, cursor, before: cursor }), {
      instanceOf: RangeError,
    });
  });

  it("rejects a limit that is not a positive integer", async (t, store) => {
    await t.throwsAsync(store.list({ category: ALL, limit: 0 }), { instanceOf: RangeError });
    await t.throwsAsync(store.list({ category: ALL, limit: 1.5 }), { instanceOf: RangeError });
  });

  it("counts by category, ALL and source", async (t, store) => {
    await store.upsert(
      [
        makeUpdate({ sourceId: "a", categories: ["x"] }),
        makeUpdate({ sourceId: "a", categories: ["x", "y"] }),
        makeUpdate({ sourceId: "a", categories: ["y"] }),
        makeUpdate({ sourceId: "b", categories: ["x"] }),
      ],
      plain,
    );
    t.is(await store.count(ALL), 4);
    t.is(await store.count("x"), 3);
    t.is(await store.count("y"), 2);
    t.is(await store.count("x", "a"), 2);
    t.is(await store.count("y", "b"), 0);
    t.is(await store.count(ALL, "a"), 3);
    t.is(await store.count(ALL, "nobody"), 0);
  });

  it("source state round-trips and is absent for an unknown source", async (t, store) => {
    t.is(await store.getSourceState("s"), undefined);
    await store.setSourceState("s", initialSourceState());
    t.deepEqual(await store.getSourceState("s"), initialSourceState());
    const state: SourceState = {
      status: "error",
      errorKind: "http-503",
      lastError: "HTTP 503 from https://partner.example/feed",
      lastFetchAt: minutesAfterEpoch(1),
      lastSuccessAt: minutesAfterEpoch(0),
      etag: '"abc"',
      lastModified: "Sat, 01 Mar 2025 12:00:00 GMT",
      consecutiveFailures: 2,
      notBefore: minutesAfterEpoch(10),
      lastDurationMs: 321,
      feedTitle: "Partner",
      feedLink: "https://partner.example/",
    };
    await store.setSourceState("s", state);
    t.deepEqual(await store.getSourceState("s"), state);
    t.is(await store.getSourceState("other"), undefined);
  });

  it("returned and stored entries do not share objects with the caller", async (t, store) => {
    const u = makeUpdate({ categories: ["x"] });
    await store.upsert([u], plain);
    u.title = "mutated after upsert";
    u.categories.push("y");
    const got = await store.get(u.id);
    t.not(got?.title, "mutated after upsert");
    if (got) got.tags.push("mutated after get");
    t.deepEqual((await store.get(u.id))?.tags, ["Human trafficking"]);
    const state = initialSourceState();
    await store.setSourceState("s", state);
    state.consecutiveFailures = 9;
    t.is((await store.getSourceState("s"))?.consecutiveFailures, 0);
  });

  it("retention keeps the newest entries of the source", async (t, store) => {
    const a = series(5, { sourceId: "a", categories: ["x"] });
    const b = series(2, { sourceId: "b", categories: ["x"] });
    await store.upsert([...a, ...b], plain);
    const versions = [await store.version(ALL), await store.version("x")];
    const now = new Date(EPOCH + 3_600_000);
    const policy = { maxEntriesPerSource: 3, maxAgeDays: 365 };
    t.is(await store.applyRetention("a", policy, now, nothingListed), 2);
    t.is(await store.get(a[0]?.id ?? ""), undefined);
    t.is(await store.get(a[1]?.id ?? ""), undefined);
    t.is(await store.count(ALL, "a"), 3);
    t.is(await store.count("x"), 5);
    t.deepEqual(
      await pageThrough(store, { category: "x", source: "a", limit: 2 }),
      newestFirst(a.slice(2)),
    );
    t.true((await store.version(ALL)) > (versions[0] ?? 0));
    t.true((await store.version("x")) > (versions[1] ?? 0));
    // Nothing more to remove: no version moves.
    const after = [await store.version(ALL), await store.version("x")];
    t.is(await store.applyRetention("a", policy, now, nothingListed), 0);
    t.deepEqual([await store.version(ALL), await store.version("x")], after);
    t.is(await store.count(ALL, "b"), 2);
  });

  it("retention removes entries older than maxAgeDays", async (t, store) => {
    const day = 24 * 60;
    const now = new Date(EPOCH);
    const fresh = makeUpdate({
      sourceId: "a",
      categories: ["y"],
      published: minutesAfterEpoch(-day),
    });
    const edge = makeUpdate({
      sourceId: "a",
      categories: ["y"],
      published: minutesAfterEpoch(-10 * day),
    });
    const stale = makeUpdate({
      sourceId: "a",
      categories: ["x"],
      published: minutesAfterEpoch(-11 * day),
    });
    const otherSource = makeUpdate({
      sourceId: "b",
      categories: ["x"],
      published: minutesAfterEpoch(-40 * day),
    });
    await store.upsert([fresh, edge, stale, otherSource], plain);
    const y = await store.version("y");
    const policy = { maxEntriesPerSource: 100, maxAgeDays: 10 };
    t.is(await store.applyRetention("a", policy, now, nothingListed), 1);
    t.is(await store.get(stale.id), undefined);
    t.truthy(await store.get(edge.id));
    t.truthy(await store.get(otherSource.id));
    t.deepEqual(ids((await store.list({ category: "x", limit: 10 })).items), [otherSource.id]);
    // Only categories that lost an entry move.
    t.is(await store.version("y"), y);
  });

  it("retention of a source without entries removes nothing", async (t, store) => {
    await store.upsert([makeUpdate({ sourceId: "a" })], plain);
    const version = await store.version(ALL);
    t.is(
      await store.applyRetention(
        "nobody",
        { maxEntriesPerSource: 0, maxAgeDays: 0 },
        new Date(EPOCH),
        nothingListed,
      ),
      0,
    );
    t.is(await store.version(ALL), version);
    t.is(await store.count(ALL), 1);
  });

  it("retention never ages out what the partner lists: a second poll of a 2017–2019 archive changes nothing", async (t, store) => {
    const policy = { maxEntriesPerSource: 500, maxAgeDays: 365 };
    const first = await pollArchive(store, archive(), policy);
    t.deepEqual(first, { added: 3, updated: 0, unchanged: 0, expired: 0 });
    const versions = [await store.version(ALL), await store.version("x")];
    const second = await pollArchive(store, archive(), policy);
    t.deepEqual(second, { added: 0, updated: 0, unchanged: 3, expired: 0 });
    t.deepEqual([await store.version(ALL), await store.version("x")], versions);
    t.deepEqual(
      ids((await store.list({ category: "x", limit: 10 })).items),
      newestFirst(archive()),
    );
  });

  it("retention removes entries that left the feed once older than maxAgeDays, and only those", async (t, store) => {
    const policy = { maxEntriesPerSource: 500, maxAgeDays: 365 };
    const [oldest, ...stillListed] = archive();
    const recent = makeUpdate({
      sourceId: ARCHIVE_SOURCE,
      categories: ["y"],
      published: new Date(ARCHIVE_NOW.getTime() - 10 * 86_400_000).toISOString(),
    });
    await pollArchive(store, [...archive(), recent], policy);
    const y = await store.version("y");
    // The partner dropped the oldest post and the recent one from its feed.
    t.deepEqual(await pollArchive(store, stillListed, policy), {
      added: 0,
      updated: 0,
      unchanged: 2,
      expired: 1,
    });
    t.is(await store.get(oldest?.id ?? ""), undefined);
    t.truthy(await store.get(recent.id), "younger than maxAgeDays: kept though unlisted");
    t.deepEqual(
      ids((await store.list({ category: "x", limit: 10 })).items),
      newestFirst(stillListed),
    );
    t.deepEqual(await store.version("y"), y, "only categories that lost an entry move");
  });

  it("retention still caps what the partner lists, keeping the newest", async (t, store) => {
    const listed = [
      ...archive(),
      makeUpdate({ id: "archive-3", sourceId: ARCHIVE_SOURCE, published: "2019-12-01T00:00:00Z" }),
    ];
    const recent = makeUpdate({
      sourceId: ARCHIVE_SOURCE,
      published: new Date(ARCHIVE_NOW.getTime() - 86_400_000).toISOString(),
    });
    await store.upsert([...listed, recent], plain);
    const policy = { maxEntriesPerSource: 3, maxAgeDays: 365 };
    const removed = await store.applyRetention(
      ARCHIVE_SOURCE,
      policy,
      ARCHIVE_NOW,
      new Set(ids(listed)),
    );
    t.is(removed, 2);
    t.deepEqual(
      ids((await store.list({ category: ALL, source: ARCHIVE_SOURCE, limit: 10 })).items),
      newestFirst([...listed, recent]).slice(0, 3),
    );
  });

  it("removeSource removes the source's entries from every index and forgets its state", async (t, store) => {
    const gone = [
      makeUpdate({ sourceId: "gone", categories: ["x"], published: minutesAfterEpoch(1) }),
      makeUpdate({ sourceId: "gone", categories: ["x", "y"], published: minutesAfterEpoch(2) }),
    ];
    const kept = makeUpdate({ sourceId: "kept", categories: ["x"] });
    const untouched = makeUpdate({ sourceId: "kept", categories: ["z"] });
    await store.upsert([...gone, kept, untouched], plain);
    await store.setSourceState("gone", { ...initialSourceState(), status: "ok" });
    const before = {
      all: await store.version(ALL),
      x: await store.version("x"),
      y: await store.version("y"),
      z: await store.version("z"),
    };

    t.is(await store.removeSource("gone"), 2);

    for (const entry of gone) t.is(await store.get(entry.id), undefined);
    t.deepEqual(await store.get(kept.id), kept);
    t.deepEqual(ids((await store.list({ category: "x", limit: 10 })).items), [kept.id]);
    t.deepEqual((await store.list({ category: "y", limit: 10 })).items, []);
    t.deepEqual((await store.list({ category: ALL, source: "gone", limit: 10 })).items, []);
    t.is(await store.count(ALL), 2);
    t.is(await store.count(ALL, "gone"), 0);
    t.is(await store.getSourceState("gone"), undefined);
    // Readers of the categories that lost entries must see a new version; others must not.
    t.true((await store.version(ALL)) > before.all);
    t.true((await store.version("x")) > before.x);
    t.true((await store.version("y")) > before.y);
    t.is(await store.version("z"), before.z);
  });

  it("removeSource of a source with nothing stored removes nothing and bumps nothing", async (t, store) => {
    await store.upsert([makeUpdate({ sourceId: "a" })], plain);
    const version = await store.version(ALL);
    t.is(await store.removeSource("nobody"), 0);
    t.is(await store.version(ALL), version);
    t.is(await store.count(ALL), 1);
  });

  it("removeSource of a source with state but no entries deletes the state", async (t, store) => {
    await store.setSourceState("failing", { ...initialSourceState(), status: "error" });
    t.is(await store.removeSource("failing"), 0);
    t.is(await store.getSourceState("failing"), undefined);
  });

  it("ping answers, and after close every call rejects with StoreUnavailableError", async (t, store) => {
    await t.notThrowsAsync(store.ping());
    await store.close();
    await t.throwsAsync(store.ping(), { instanceOf: StoreUnavailableError });
    await t.throwsAsync(store.list({ category: ALL, limit: 5 }), {
      instanceOf: StoreUnavailableError,
    });
    await t.throwsAsync(store.upsert([makeUpdate()], plain), { instanceOf: StoreUnavailableError });
  });

  it("hide takes an entry out of every listing and bumps its versions; hidden() names it", async (t, store) => {
    const kept = makeUpdate({ sourceId: "s", categories: ["migration"] });
    const taken = makeUpdate({ sourceId: "s", categories: ["migration", "trafficking"] });
    await store.upsert([kept, taken], plain);
    const before = {
      all: await store.version(ALL),
      trafficking: await store.version("trafficking"),
    };
    const at = new Date("2026-03-01T12:00:00.000Z");
    t.true(await store.hide(taken.id, at));
    for (const query of [
      { category: ALL, limit: 10 },
      { category: "migration", limit: 10 },
      { category: ALL, source: "s", limit: 10 },
    ]) {
      t.deepEqual(ids((await store.list(query)).items), [kept.id], JSON.stringify(query));
    }
    t.deepEqual((await store.list({ category: "trafficking", limit: 10 })).items, []);
    t.is(await store.count(ALL), 1);
    t.is(await store.count("trafficking"), 0);
    t.true((await store.version(ALL)) > before.all);
    t.true((await store.version("trafficking")) > before.trafficking);
    t.deepEqual(await store.hidden(), [
      { id: taken.id, hiddenAt: at.toISOString(), title: taken.title, sourceId: "s" },
    ]);
    // Hiding it again keeps the first time; unknown ids hide nothing.
    t.true(await store.hide(taken.id, new Date("2026-03-02T00:00:00.000Z")));
    t.is((await store.hidden())[0]?.hiddenAt, at.toISOString());
    t.false(await store.hide("no-such-entry", at));
    t.false(await store.unhide(kept.id), "an entry that is not hidden");
  });

  it("a hidden entry stays hidden when a poll brings it again; unhide lists its latest copy", async (t, store) => {
    const entry = makeUpdate({ sourceId: "s", categories: ["migration"] });
    await store.upsert([entry], plain);
    await store.hide(entry.id, new Date());
    const version = await store.version("migration");
    const edited = { ...entry, title: "Edited at the partner" };
    t.deepEqual(await store.upsert([edited], plain), { added: 0, updated: 1, unchanged: 0 });
    t.deepEqual((await store.list({ category: ALL, limit: 10 })).items, []);
    t.is(await store.version("migration"), version, "no version moved for a hidden entry");
    const policy = { maxEntriesPerSource: 500, maxAgeDays: 365 };
    t.is(await store.applyRetention("s", policy, new Date(), new Set()), 0);

    t.true(await store.unhide(entry.id));
    t.deepEqual(ids((await store.list({ category: "migration", limit: 10 })).items), [entry.id]);
    t.is(
      (await store.list({ category: ALL, source: "s", limit: 10 })).items[0]?.title,
      edited.title,
    );
    t.true((await store.version("migration")) > version);
    t.deepEqual(await store.hidden(), []);
  });

  it("removeSource removes its hidden entries too", async (t, store) => {
    const mine = makeUpdate({ sourceId: "gone" });
    const other = makeUpdate({ sourceId: "stays" });
    await store.upsert([mine, other], plain);
    await store.hide(mine.id, new Date());
    await store.hide(other.id, new Date());
    await store.removeSource("gone");
    t.deepEqual(
      (await store.hidden()).map((h) => h.id),
      [other.id],
    );
    t.is(await store.get(mine.id), undefined);
  });
}
