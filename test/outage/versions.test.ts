// A Redis that restarts empty starts its version counters afresh. If they restarted at 0 and
// counted up again, an instance could hold bytes cached at the very number the new counter
// reaches and serve them as current. Counters therefore start from the clock.
import test from "ava";
import { connectRedisStore } from "../../src/store/redis.js";
import { ALL } from "../../src/store/store.js";
import { startRedisServer } from "../helpers/redis-server.js";
import { makeUpdate } from "../helpers/updates.js";

const plain = { fallbackDated: new Set<string>() };

test("versions after an empty restart never repeat one handed out before it", async (t) => {
  const redis = await startRedisServer(t);
  const store = await connectRedisStore({ url: redis.url });
  t.teardown(() => store.close());
  const started = Date.now();
  await store.upsert([makeUpdate()], plain);
  await store.upsert([makeUpdate()], plain);
  const before = await store.version(ALL);
  t.true(before > started, `version ${before} counts from the clock`);

  await redis.restart();
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      await store.ping();
      break;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  t.is(await store.version(ALL), 0, "the restarted Redis is empty");
  await store.upsert([makeUpdate()], plain);
  t.true((await store.version(ALL)) > before);
});

test("a Redis that restarted empty has no generation until its first write, then a new one", async (t) => {
  const redis = await startRedisServer(t);
  const store = await connectRedisStore({ url: redis.url });
  t.teardown(() => store.close());
  await store.upsert([makeUpdate()], plain);
  const before = await store.categoryVersion(ALL);
  t.truthy(before.generation);
  await store.upsert([makeUpdate()], plain);
  t.is((await store.categoryVersion(ALL)).generation, before.generation, "kept while data lives");

  await redis.restart();
  await waitForPing(store);
  t.deepEqual(await store.categoryVersion(ALL), {
    version: 0,
    changedAt: undefined,
    generation: undefined,
  });
  await store.upsert([makeUpdate()], plain);
  const after = await store.categoryVersion(ALL);
  t.truthy(after.generation);
  t.not(after.generation, before.generation);
});

async function waitForPing(store: { ping(): Promise<void> }): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      await store.ping();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
