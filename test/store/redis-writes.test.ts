// The checked writes stories rely on (redis-writes.ts): a write planned from what was read
// applies whole while what it read still holds, and not at all once another instance changed
// it. Against the real test Redis.
import test from "ava";
import { redisKeys } from "../../src/store/redis-keys.js";
import { RedisStories } from "../../src/store/redis-stories.js";
import { RedisWrites, WriteConflictError } from "../../src/store/redis-writes.js";
import { ALL } from "../../src/store/store.js";
import { planStories } from "../../src/store/stories.js";
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

test("runs of commands of one name and length apply in order, between the others, checked or not", async (t) => {
  const redis = await rawRedisForTest(t);
  const prefix = uniquePrefix();
  t.teardown(() => deleteKeys(prefix));
  const write = (at: string) => {
    const writes = new RedisWrites();
    // A run of SADDs, one SADD of another length, a run of HSETs, then commands that read
    // what the run wrote: each sees the writes before it.
    for (let i = 0; i < 5; i++) writes.sadd(`${prefix}${at}:s${i % 2}`, [`m${i}`]);
    writes.sadd(`${prefix}${at}:s0`, ["x", "y"]);
    for (let i = 0; i < 3; i++) writes.hset(`${prefix}${at}:h`, `f${i}`, String(i));
    writes
      .hset(`${prefix}${at}:h`, "f0", "again")
      .incr(`${prefix}${at}:n`)
      .incr(`${prefix}${at}:n`);
    return writes;
  };
  await write("checked").expect(`${prefix}absent`, "f", undefined).exec(redis);
  await write("plain").exec(redis);
  for (const at of ["checked", "plain"]) {
    t.deepEqual((await redis.smembers(`${prefix}${at}:s0`)).sort(), ["m0", "m2", "m4", "x", "y"]);
    t.deepEqual((await redis.smembers(`${prefix}${at}:s1`)).sort(), ["m1", "m3"]);
    t.deepEqual(await redis.hgetall(`${prefix}${at}:h`), { f0: "again", f1: "1", f2: "2" });
    t.is(await redis.get(`${prefix}${at}:n`), "2");
  }
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

test("a copy planned to join a story of one copy applies nothing once that copy was edited meanwhile; planned again, it joins", async (t) => {
  const prefix = uniquePrefix();
  const keys = redisKeys(prefix);
  const store = await redisStoreForTest(t, prefix);
  const raw = await rawRedisForTest(t);
  const link = "https://agency.example/reports/flood-response";
  const first = makeUpdate({ id: "a1", sourceId: "agency", link, categories: ["x"] });
  await store.upsert([first], plain);
  t.is(await raw.exists(keys.story("a1")), 0, "a story of one copy has no hash");
  const stories = new RedisStories(
    raw,
    keys,
    (_what, io) => io(),
    (json) => JSON.parse(json),
  );
  const copy = makeUpdate({ id: "r1", sourceId: "relief", link: `${link}?utm_source=relief` });
  const plan = async () => {
    const snapshot = await stories.snapshot([copy], []);
    const planned = planStories(snapshot, [copy], []);
    const writes = new RedisWrites();
    stories.write(planned, snapshot, writes);
    return { planned, writes };
  };
  const stale = await plan();
  t.is(stale.planned.storyOf.get("r1"), "a1");
  // Meanwhile the agency's poll edits its copy (another category): the plan is out of date.
  await store.upsert([{ ...first, categories: ["x", "z"] }], plain);
  await t.throwsAsync(stale.writes.exec(raw), { instanceOf: WriteConflictError });
  t.is(await raw.hget(keys.storyOf(), "r1"), null);
  t.is(await raw.exists(keys.story("a1")), 0);

  const fresh = await plan();
  await fresh.writes.exec(raw);
  t.deepEqual(await raw.hgetall(keys.story("a1")), { a1: "agency", r1: "relief" });
  t.is(await raw.hget(keys.storyOf(), "r1"), "a1");
});
