import test from "ava";
import type { Update } from "../../src/model/update.js";
import { createPublisher, type PublisherDeps } from "../../src/publish/publisher.js";
import { RenderBusyError, RenderGate } from "../../src/publish/render-gate.js";
import type { FeedRequest } from "../../src/publish/types.js";
import { MemoryStore } from "../../src/store/memory.js";
import { InvalidCursorError, type Store, StoreUnavailableError } from "../../src/store/store.js";
import { makeUpdate, minutesAfterEpoch } from "../helpers/updates.js";
import { BASE } from "./context.js";

const NO_FALLBACK = { fallbackDated: new Set<string>() };

/**
 * The real MemoryStore, with a count of calls per method (instrumentation, not a mock). Methods
 * run on the store itself: MemoryStore's private fields reject any other `this`.
 */
function counted(store: Store): { store: Store; calls: Record<string, number> } {
  const calls: Record<string, number> = {};
  const proxy = new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== "function" || typeof property !== "string") return value;
      return (...args: unknown[]) => {
        calls[property] = (calls[property] ?? 0) + 1;
        return value.apply(target, args);
      };
    },
  });
  return { store: proxy, calls };
}

async function setup(updates: Update[], deps: Partial<PublisherDeps> = {}) {
  const memory = new MemoryStore();
  await memory.upsert(updates, NO_FALLBACK);
  const { store, calls } = counted(memory);
  const publisher = createPublisher({
    store,
    categories: new Map([
      ["all", { id: "all", title: "All updates", description: "Everything." }],
      ["trafficking", { id: "trafficking", title: "Human trafficking", description: "TIP." }],
      ["migration", { id: "migration", title: "Migration", description: "Mobility." }],
    ]),
    sources: new Map([
      ["source-a", { title: "Partner A", url: "https://partner.example/feed.xml" }],
    ]),
    service: { title: "Tributary", baseUrl: `${BASE}/` },
    ...deps,
  });
  return { memory, calls, publisher };
}

const request = (overrides: Partial<FeedRequest> = {}): FeedRequest => ({
  category: "trafficking",
  format: "rss",
  limit: 50,
  ...overrides,
});

test("a second get at the same version reads no entries and returns the cached bytes", async (t) => {
  const { calls, publisher } = await setup([makeUpdate()]);
  const first = await publisher.get(request());
  const second = await publisher.get(request());
  t.is(second, first);
  t.is(calls.list, 1);
  t.is(calls.categoryVersion, 2, "one round trip per request");
});

test("an upsert that changes the category changes the bytes and the ETag", async (t) => {
  const { memory, calls, publisher } = await setup([makeUpdate({ id: "u1" })]);
  const before = await publisher.get(request());
  await memory.upsert([makeUpdate({ id: "u2", title: "Brand new" })], NO_FALLBACK);
  const after = await publisher.get(request());
  t.is(calls.list, 2);
  t.false(after.identity.body.equals(before.identity.body));
  t.not(after.identity.etag, before.identity.etag);
  t.true(after.identity.body.toString().includes("Brand new"));
});

test("an upsert in another category leaves this one cached", async (t) => {
  const { memory, calls, publisher } = await setup([makeUpdate()]);
  await publisher.get(request());
  await memory.upsert([makeUpdate({ categories: ["migration"] })], NO_FALLBACK);
  await publisher.get(request());
  t.is(calls.list, 1);
});

test("formats, limits and sources are separate pages; formats and limits share one read", async (t) => {
  const { calls, publisher } = await setup([makeUpdate()]);
  const reps = [];
  for (const page of [
    request(),
    request({ format: "atom" }),
    request({ format: "json" }),
    request({ limit: 10 }),
    request({ source: "source-a" }),
  ]) {
    reps.push(await publisher.get(page));
  }
  t.is(new Set(reps.map((rep) => rep.identity.etag)).size, 5);
  t.is(calls.list, 2, "one read without the source filter, one with it");
  t.is(reps[0]?.contentType, "application/rss+xml; charset=utf-8");
  t.is(reps[1]?.contentType, "application/atom+xml; charset=utf-8");
  t.is(reps[2]?.contentType, "application/feed+json; charset=utf-8");
});

test("concurrent identical misses share one read, render and compression", async (t) => {
  const { calls, publisher } = await setup([makeUpdate()]);
  const [a, b, c] = await Promise.all([
    publisher.get(request()),
    publisher.get(request()),
    publisher.get(request()),
  ]);
  t.is(calls.list, 1);
  t.is(a, b);
  t.is(b, c);
});

test("the LRU keeps at most maxEntries pages", async (t) => {
  const { publisher } = await setup([makeUpdate()], { maxEntries: 2 });
  const rss = await publisher.get(request({ format: "rss" }));
  const atom = await publisher.get(request({ format: "atom" }));
  await publisher.get(request({ format: "rss" })); // refreshes rss
  await publisher.get(request({ format: "json" })); // evicts atom
  t.is(await publisher.get(request({ format: "rss" })), rss, "kept");
  const again = await publisher.get(request({ format: "atom" }));
  t.not(again, atom, "rendered again");
  t.is(again.identity.etag, atom.identity.etag, "to the same bytes");
});

test("links: self, first, next from the page cursor; previous to the first page; query order fixed", async (t) => {
  const updates = [0, 1, 2].map((i) =>
    makeUpdate({ id: `p${i}`, published: minutesAfterEpoch(i) }),
  );
  const { publisher } = await setup(updates);
  const page1 = JSON.parse(
    (
      await publisher.get(request({ format: "json", limit: 2, source: "source-a" }))
    ).identity.body.toString(),
  );
  t.is(page1.feed_url, `${BASE}/feeds/trafficking.json?limit=2&source=source-a`);
  t.deepEqual(
    page1.items.map((item: { id: string }) => item.id),
    ["urn:tributary:p2", "urn:tributary:p1"],
  );
  const next = new URL(page1.next_url);
  t.is(`${next.origin}${next.pathname}`, `${BASE}/feeds/trafficking.json`);
  t.deepEqual([...next.searchParams.keys()], ["limit", "source", "cursor"]);
  const cursor = next.searchParams.get("cursor") ?? "";

  const atom = (
    await publisher.get(request({ format: "atom", limit: 2, source: "source-a", cursor }))
  ).identity.body.toString();
  const q = (s: string) => s.replaceAll("&", "&amp;");
  t.true(atom.includes(`href="${q(page1.next_url.replace(".json", ".atom"))}"`), "self");
  t.true(
    atom.includes(
      `href="${q(`${BASE}/feeds/trafficking.atom?limit=2&source=source-a`)}" rel="first"`,
    ),
  );
  t.true(
    atom.includes(
      `href="${q(`${BASE}/feeds/trafficking.atom?limit=2&source=source-a`)}" rel="previous"`,
    ),
  );
  t.false(atom.includes('rel="next"'), "last page");
  t.true(atom.includes("urn:tributary:p0"));
});

test("previous is written only when exact: page 2 links to the first page, page 3 has none", async (t) => {
  const updates = [0, 1, 2, 3, 4].map((i) =>
    makeUpdate({ id: `q${i}`, published: minutesAfterEpoch(i) }),
  );
  const { memory, publisher } = await setup(updates);
  const page = async (cursor?: string) =>
    JSON.parse(
      (await publisher.get(request({ format: "json", limit: 2, cursor }))).identity.body.toString(),
    ) as { next_url?: string };
  const rss = async (cursor?: string) =>
    (await publisher.get(request({ limit: 2, cursor }))).identity.body.toString();
  const cursorOf = (url: string | undefined) => new URL(url ?? "").searchParams.get("cursor") ?? "";
  const page2 = cursorOf((await page()).next_url);
  const page3 = cursorOf((await page(page2)).next_url);
  t.false((await rss()).includes('rel="previous"'), "the first page has none");
  t.true(
    (await rss(page2)).includes(`href="${BASE}/feeds/trafficking.rss?limit=2" rel="previous"`),
  );
  t.false((await rss(page3)).includes('rel="previous"'), "page 3 cannot name page 2");
  // A new entry shifts the first page: the old cursor's page is no longer the second.
  await memory.upsert([makeUpdate({ id: "q9", published: minutesAfterEpoch(9) })], NO_FALLBACK);
  t.false((await rss(page2)).includes('rel="previous"'));
});

test("with defaultLimit, links leave the default limit out so they match the subscribed URL", async (t) => {
  const { publisher } = await setup([makeUpdate()], { defaultLimit: 50 });
  const feed = JSON.parse(
    (await publisher.get(request({ format: "json" }))).identity.body.toString(),
  );
  t.is(feed.feed_url, `${BASE}/feeds/trafficking.json`);
  t.is(feed.home_page_url, `${BASE}/categories/trafficking`);
});

test("lastModified is when the store recorded the category's version, for every page of it", async (t) => {
  const before = Date.now();
  const { memory, publisher } = await setup([
    makeUpdate({ published: minutesAfterEpoch(10), updated: minutesAfterEpoch(10) }),
    makeUpdate({ published: minutesAfterEpoch(0), updated: minutesAfterEpoch(99) }),
  ]);
  const { changedAt } = await memory.categoryVersion("trafficking");
  const rep = await publisher.get(request());
  t.is(rep.lastModified?.getTime(), changedAt?.getTime());
  t.true((rep.lastModified?.getTime() ?? 0) >= before, "not an entry's date");
  for (const page of [request({ format: "atom", limit: 1 }), request({ source: "source-a" })]) {
    t.is((await publisher.get(page)).lastModified?.getTime(), changedAt?.getTime());
  }
});

test("a backdated new entry and an edited entry both move lastModified", async (t) => {
  const edited = makeUpdate({ published: minutesAfterEpoch(10), updated: minutesAfterEpoch(10) });
  const { memory, publisher } = await setup([edited]);
  const first = (await publisher.get(request())).lastModified?.getTime() ?? 0;
  await new Promise((resolve) => setTimeout(resolve, 5));
  // Dated before everything on the page: the newest entry's date would not move.
  await memory.upsert([makeUpdate({ published: minutesAfterEpoch(-500) })], NO_FALLBACK);
  const backdated = (await publisher.get(request())).lastModified?.getTime() ?? 0;
  t.true(backdated > first, `${backdated} > ${first}`);
  await new Promise((resolve) => setTimeout(resolve, 5));
  // Edited in place, its dates unchanged.
  await memory.upsert([{ ...edited, title: "Corrected title" }], NO_FALLBACK);
  const corrected = (await publisher.get(request())).lastModified?.getTime() ?? 0;
  t.true(corrected > backdated, `${corrected} > ${backdated}`);
});

test("an empty feed that never changed has no lastModified, and the same ETag everywhere", async (t) => {
  const { publisher } = await setup([makeUpdate()]);
  const empty = await publisher.get(request({ category: "migration" }));
  t.is(empty.lastModified, undefined, "not 1970");
  const { publisher: other } = await setup([]);
  const again = await other.get(request({ category: "migration" }));
  t.is(again.identity.etag, empty.identity.etag, "same empty feed, same ETag on another instance");
});

test("a bad cursor rejects with the store's InvalidCursorError", async (t) => {
  const { publisher } = await setup([makeUpdate()]);
  await t.throwsAsync(publisher.get(request({ cursor: "garbage" })), {
    instanceOf: InvalidCursorError,
  });
});

test("when the store is down, a cached page is served and an uncached one rejects", async (t) => {
  const { memory, publisher } = await setup([makeUpdate()]);
  const before = Date.now();
  const cached = await publisher.get(request());
  t.is(cached.stale, undefined);
  await memory.close();
  const stale = await publisher.get(request());
  t.is(stale.identity, cached.identity, "the same bytes and ETag");
  // Marked stale since the store last confirmed them: here, when the page was rendered.
  const since = stale.stale?.since.getTime() ?? 0;
  t.true(since >= before && since <= Date.now(), `since ${stale.stale?.since.toISOString()}`);
  await t.throwsAsync(publisher.get(request({ format: "atom" })), {
    instanceOf: StoreUnavailableError,
  });
});

test("every limit is a slice of one read per version, with the items and cursor of a direct read", async (t) => {
  const updates = Array.from({ length: 9 }, (_, i) =>
    // Two entries per minute: equal dates must slice exactly as the store pages them.
    makeUpdate({ id: `s${i}`, published: minutesAfterEpoch(Math.floor(i / 2)) }),
  );
  const { memory, calls, publisher } = await setup(updates, { defaultLimit: 3, maxLimit: 6 });
  for (let limit = 1; limit <= 6; limit++) {
    const feed = JSON.parse(
      (await publisher.get(request({ format: "json", limit }))).identity.body.toString(),
    ) as { items: { id: string }[]; next_url?: string };
    const direct = await memory.list({ category: "trafficking", limit });
    t.deepEqual(
      feed.items.map((item) => item.id),
      direct.items.map((u) => `urn:tributary:${u.id}`),
      `limit ${limit}`,
    );
    const cursor = feed.next_url && new URL(feed.next_url).searchParams.get("cursor");
    t.is(cursor ?? null, direct.next, `limit ${limit}`);
  }
  t.is(calls.list, 2, "the default page (3) once, the largest page (6) once");
  // Pages after a sliced cursor read on exactly where the store would.
  const second = await publisher.get(
    request({
      format: "json",
      limit: 4,
      cursor: (await memory.list({ category: "trafficking", limit: 4 })).next ?? "",
    }),
  );
  const ids = (JSON.parse(second.identity.body.toString()) as { items: { id: string }[] }).items;
  t.deepEqual(
    ids.map((item) => item.id),
    ["s4", "s3", "s2", "s1"].map((id) => `urn:tributary:${id}`),
  );
});

test("the previous link of cursor pages costs one read of the first page per version, not per limit", async (t) => {
  const updates = Array.from({ length: 8 }, (_, i) =>
    makeUpdate({ id: `c${i}`, published: minutesAfterEpoch(i) }),
  );
  const { memory, calls, publisher } = await setup(updates, { defaultLimit: 4, maxLimit: 4 });
  for (let limit = 1; limit <= 4; limit++) {
    const cursor = (await memory.list({ category: "trafficking", limit })).next ?? "";
    const rss = (await publisher.get(request({ limit, cursor }))).identity.body.toString();
    t.true(rss.includes('rel="previous"'), `limit ${limit}: page 2 names page 1`);
  }
  // Each cursor page read once, and the first page once for all four limits.
  t.is(calls.list, 4 + 1);
});

test("beyond the render bound an uncached page is refused at once; cached pages are still served", async (t) => {
  const { publisher } = await setup([makeUpdate()], { gate: new RenderGate({ maxInFlight: 1 }) });
  const cached = await publisher.get(request());
  const rendering = publisher.get(request({ format: "atom" }));
  await t.throwsAsync(publisher.get(request({ format: "json" })), { instanceOf: RenderBusyError });
  // The same page as the render in flight joins it rather than being refused.
  const joined = publisher.get(request({ format: "atom" }));
  t.is(await publisher.get(request()), cached);
  t.is(await joined, await rendering);
  t.truthy(await publisher.get(request({ format: "json" })), "a slot is free again");
});
