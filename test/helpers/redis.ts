// RedisStores for tests against the shared Redis on 127.0.0.1:6379: each gets a unique key
// prefix and its keys are deleted (SCAN + DEL of that prefix, never FLUSHDB) in t.teardown.
import { randomBytes } from "node:crypto";
import type { ExecutionContext } from "ava";
import { Redis } from "ioredis";
import { connectRedisStore, type RedisStore } from "../../src/store/redis.js";
import { prefixPattern } from "../../src/store/redis-keys.js";

export const TEST_REDIS_URL = process.env.TRIBUTARY_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

export const uniquePrefix = (): string => `tributary-test:${randomBytes(8).toString("hex")}:`;

/** A store on the test Redis under a fresh prefix, closed and emptied after the test. */
export async function redisStoreForTest(
  t: ExecutionContext,
  prefix: string = uniquePrefix(),
): Promise<RedisStore> {
  const store = await connectRedisStore({ url: TEST_REDIS_URL, prefix });
  t.teardown(async () => {
    await store.close();
    await deleteKeys(prefix);
  });
  return store;
}

/** A plain client for looking at keys directly; closed after the test. */
export async function rawRedisForTest(t: ExecutionContext): Promise<Redis> {
  const client = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await client.connect();
  t.teardown(() => {
    client.disconnect();
  });
  return client;
}

/** Every key under `prefix`. */
export async function keysUnder(client: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = "0";
  do {
    const [next, batch] = await client.scan(cursor, "MATCH", prefixPattern(prefix), "COUNT", 500);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== "0");
  return keys;
}

export async function deleteKeys(prefix: string): Promise<void> {
  const client = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await client.connect();
  try {
    const keys = await keysUnder(client, prefix);
    for (let i = 0; i < keys.length; i += 500) await client.del(...keys.slice(i, i + 500));
  } finally {
    client.disconnect();
  }
}
