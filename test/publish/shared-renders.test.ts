// Rendered pages shared through Redis (publisher.ts `render`, RedisStore `renders`): an instance
// that starts after another rendered a page serves that render's bytes without reading entries
// or rendering, while a different config, a new version or a store that cannot share still
// render on their own. Two real RedisStores on one real Redis, under one key prefix.
import test, { type ExecutionContext } from "ava";
import { createPublisher } from "../../src/publish/publisher.js";
import type { FeedRequest } from "../../src/publish/types.js";
import { MemoryStore } from "../../src/store/memory.js";
import type { Store } from "../../src/store/store.js";
import { rawRedisForTest, redisStoreForTest, uniquePrefix } from "../helpers/redis.js";
import { makeUpdate } from "../helpers/updates.js";
import { BASE } from "./context.js";

const NO_FALLBACK = { fallbackDated: new Set<string>() };
const ALL_RSS: FeedRequest = { category: "all", format: "rss", limit: 50 };

/** The real store, counting its `list` calls (the entries read a render needs). */
function countingLists(store: Store): { store: Store; lists: () => number } {
  let lists = 0;
  const proxy = new Proxy(store, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (property === "list" && typeof value === "function") {
        return (...args: unknown[]) => {
          lists++;
          return value.apply(target, args);
        };
      }
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { store: proxy, lists: () => lists };
}

const publisherOn = (store: Store, title = "Tributary") =>
  createPublisher({
    store,
    categories: new Map([["all", { id: "all", title: "All updates", description: "All." }]]),
    sources: new Map([["source-a", { title: "Partner A", url: "https://partner.example/f" }]]),
    service: { title, baseUrl: BASE },
  });

async function twoInstances(t: ExecutionContext) {
  const prefix = uniquePrefix();
  const first = await redisStoreForTest(t, prefix);
  const second = countingLists(await redisStoreForTest(t, prefix));
  await first.upsert([makeUpdate({ id: "a" }), makeUpdate({ id: "b" })], NO_FALLBACK);
  return { prefix, first, second };
}

const bytesOf = async (publisher: ReturnType<typeof publisherOn>, request = ALL_RSS) =>
  (await publisher.get(request)).identity.body.toString("utf8");

test("an instance serves the page another rendered, reading no entries", async (t) => {
  const { first, second } = await twoInstances(t);
  const rendered = await bytesOf(publisherOn(first));
  // The share is written after the answer, without waiting: let it land.
  await new Promise((resolve) => setTimeout(resolve, 100));
  const served = await bytesOf(publisherOn(second.store));
  t.is(served, rendered);
  t.is(second.lists(), 0, "the second instance read entries to render the page itself");
  // Same ETag on both, as for any identical bytes.
  const [a, b] = await Promise.all([
    publisherOn(first).get(ALL_RSS),
    publisherOn(second.store).get(ALL_RSS),
  ]);
  t.is(a.etag("gzip"), b.etag("gzip"));
});

test("another config, another page or a new version renders on its own", async (t) => {
  const { first, second } = await twoInstances(t);
  await bytesOf(publisherOn(first));
  await new Promise((resolve) => setTimeout(resolve, 100));
  const retitled = await bytesOf(publisherOn(second.store, "Another title"));
  t.regex(retitled, /Another title/);
  t.is(second.lists(), 1, "a different config must not take the other's bytes");
  await bytesOf(publisherOn(second.store), { ...ALL_RSS, limit: 1 });
  t.is(second.lists(), 2, "a different page must not take the other's bytes");

  await first.upsert([makeUpdate({ id: "c", title: "Newer entry" })], NO_FALLBACK);
  const fresh = await bytesOf(publisherOn(second.store));
  t.regex(fresh, /Newer entry/, "the new version is rendered, not the old version's share");
});

test("shared renders expire, and a memory store shares nothing", async (t) => {
  const { prefix, first } = await twoInstances(t);
  await bytesOf(publisherOn(first));
  await new Promise((resolve) => setTimeout(resolve, 100));
  const redis = await rawRedisForTest(t);
  const keys = await redis.keys(`${prefix}rendered:*`);
  t.is(keys.length, 1);
  const ttl = await redis.pttl(keys[0] ?? "");
  t.true(ttl > 0 && ttl <= 10 * 60_000, `expires in ${ttl} ms`);

  const memory = new MemoryStore();
  t.teardown(() => memory.close());
  t.is((memory as Store).renders, undefined);
  await memory.upsert([makeUpdate({ id: "m" })], NO_FALLBACK);
  t.regex(await bytesOf(publisherOn(memory)), /<rss/);
});
