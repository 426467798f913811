// The checked writes stories rely on (redis-writes.ts): a write planned from what was read
// applies whole while what it read still holds, and not at all once another instance changed
// it. Against the real test Redis.
import test from "ava";
import { RedisWrites, WriteConflictError } from "../../src/store/redis-writes.js";
import { ALL } from "../../src/store/store.js";
import { deleteKeys, rawRedisForTest, redisStoreForTest, uniquePrefix } from "../helpers/redis.js";
import { makeUpdate } from "../helpers/updates.js";

const plain = { fallbackDated: new Set<string>() };

test("a checked write applies while every expected field holds, absent ones included", async (t) => {
  const redis = await rawRedisForTest(t);
  const prefix = uniquePrefix();
  t.teardown(() => deleteKeys(prefix));
  await redis.hset(`${prefix}h`, "a", "1", "b", "2");
  await new RedisWrites()
    .expect(`${prefix}h`, "a", "1")
    .expect(`${prefix}h`, "b", "2")
    .expect(`${prefix}h`, "c", undefined)
    .expect(`${prefix}other`, "x", undefined)
    .hset(`${prefix}h`, "c", "3")
    .set(`${prefix}s`, "done")
    .exec(redis);
  t.deepEqual(await redis.hgetall(`${prefix}h`), { a: "1", b: "2", c: "3" });
  t.is(await redis.get(`${prefix}s`), "done");
});

test("a checked write applies nothing when one expected field changed, or appeared", async (t) => {
  const redis = await rawRedisForTest(t);
  const prefix = uniquePrefix();
  t.teardown(() => deleteKeys(prefix));
  await redis.hset(`${prefix}h`, "a", "1", "b", "2");
  const changed = new RedisWrites()
    .expect(`${prefix}h`, "a", "1")
    .expect(`${prefix}h`, "b", "was 2 when read")
    .set(`${prefix}s`, "written");
  await t.throwsAsync(changed.exec(redis), { instanceOf: WriteConflictError });
  const appeared = new RedisWrites()
    .expect(`${prefix}h`, "a", undefined)
    .set(`${prefix}s`, "written");
  await t.throwsAsync(appeared.exec(redis), { instanceOf: WriteConflictError });
  t.is(await redis.get(`${prefix}s`), null);
});

test("thousands of expected fields of one hash are all checked", async (t) => {
  const redis = await rawRedisForTest(t);
  const prefix = uniquePrefix();
  t.teardown(() => deleteKeys(prefix));
  const fields = Array.from({ length: 2500 }, (_, i) => `f${i}`);
  const pairs = fields.flatMap((f) => [f, "v"]);
  await redis.hset(`${prefix}h`, ...pairs);
  const all = () => {
    const writes = new RedisWrites();
    for (const f of fields) writes.expect(`${prefix}h`, f, "v");
    return writes.incr(`${prefix}n`);
  };
  await all().exec(redis);
  t.is(await redis.get(`${prefix}n`), "1");
  // The last field of the last group changed: still caught.
  await redis.hset(`${prefix}h`, "f2499", "w");
  await t.throwsAsync(all().exec(redis), { instanceOf: WriteConflictError });
  t.is(await redis.get(`${prefix}n`), "1");
});

test("two instances writing copies of one story at once make one story", async (t) => {
  const prefix = uniquePrefix();
  const a = await redisStoreForTest(t, prefix);
  const b = await redisStoreForTest(t, prefix);
  const copies = Array.from({ length: 40 }, (_, i) => i);
  const story = (i: number, source: string) =>
    makeUpdate({
      id: `${source}-${i}`,
      sourceId: source,
      title: `Story number ${i} of a shared wire`,
      link: `https://wire.example/story/${i}${source === "partner-b" ? "?utm_source=b" : ""}`,
    });
  await Promise.all([
    ...copies.map((i) => a.upsert([story(i, "partner-a")], plain)),
    ...copies.map((i) => b.upsert([story(i, "partner-b")], plain)),
  ]);
  const page = await a.list({ category: ALL, limit: 200 });
  t.is(page.items.length, copies.length, "each story is listed once");
  for (const item of page.items) {
    t.deepEqual(
      item.story?.copies.map((c) => c.sourceId).sort(),
      ["partner-a", "partner-b"],
      `${item.id} names both partners`,
    );
  }
});
