// The Redis store's circuit against a private redis-server that the test SIGSTOPs (never the
// shared one): one command timeout opens it, every call then fails at once, a background PING
// closes it after SIGCONT, and a store with an open circuit closes without waiting.
import test, { type ExecutionContext } from "ava";
import { connectRedisStore } from "../../src/store/redis.js";
import { REDIS_CLIENT_DEFAULTS } from "../../src/store/redis-client.js";
import { ALL, StoreUnavailableError } from "../../src/store/store.js";
import { uniquePrefix } from "../helpers/redis.js";
import { startRedisServer } from "../helpers/redis-server.js";
import { makeUpdate } from "../helpers/updates.js";

const TIMEOUT_MS = 300;
/** "At once": no Redis round trip. Generous: the machine is shared. */
const AT_ONCE_MS = 100;
const plain = { fallbackDated: new Set<string>() };

async function hungStore(t: ExecutionContext, commandTimeoutMs = TIMEOUT_MS) {
  const redis = await startRedisServer(t);
  const events: string[] = [];
  const hungFor: number[] = [];
  const store = await connectRedisStore({
    url: redis.url,
    prefix: uniquePrefix(),
    commandTimeoutMs,
    onHang: (error) => events.push(`hang: ${error.message}`),
    onAnswering: (hungForMs) => {
      events.push("answering");
      hungFor.push(hungForMs);
    },
  });
  t.teardown(() => store.close());
  await store.upsert([makeUpdate({ id: "kept" })], plain);
  redis.pause();
  t.teardown(() => {
    if (redis.pid !== undefined) redis.resume();
  });
  return { redis, store, events, hungFor };
}

async function timedRejection(call: Promise<unknown>) {
  const started = performance.now();
  const error = await call.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  return { error, ms: performance.now() - started };
}

test("redis circuit: one command timeout, then every call fails at once until a ping gets through", async (t) => {
  const { redis, store, events, hungFor } = await hungStore(t);

  const first = await timedRejection(store.get("kept"));
  t.true(first.error instanceof StoreUnavailableError);
  t.true(first.ms >= TIMEOUT_MS - 50 && first.ms < TIMEOUT_MS + 1_000, `${first.ms} ms`);

  for (const [name, call] of [
    ["get", () => store.get("kept")],
    ["list", () => store.list({ category: ALL, limit: 5 })],
    ["count", () => store.count(ALL)],
    ["version", () => store.version(ALL)],
    ["upsert", () => store.upsert([makeUpdate()], plain)],
    ["getSourceState", () => store.getSourceState("a")],
    ["ping", () => store.ping()],
  ] as const) {
    const { error, ms } = await timedRejection(call());
    t.true(error instanceof StoreUnavailableError, name);
    t.regex((error as Error).message, /has not answered for \d+ ms/, name);
    t.true(ms < AT_ONCE_MS, `${name} took ${ms} ms`);
  }
  t.deepEqual(events, ["hang: Command timed out"]);

  redis.resume();
  const resumed = performance.now();
  while (events.length < 2 && performance.now() - resumed < 5_000) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  t.log(`circuit closed ${(performance.now() - resumed).toFixed(0)} ms after SIGCONT`);
  t.deepEqual(events, ["hang: Command timed out", "answering"]);
  t.true((hungFor[0] ?? 0) >= TIMEOUT_MS);
  t.is((await store.get("kept"))?.id, "kept");
});

test("redis circuit: a store whose Redis hangs closes at once", async (t) => {
  const { store } = await hungStore(t);
  await timedRejection(store.ping());
  const started = performance.now();
  await store.close();
  const ms = performance.now() - started;
  t.true(ms < AT_ONCE_MS, `close took ${ms} ms`);
  await t.throwsAsync(store.ping(), { instanceOf: StoreUnavailableError });
});

test("redis circuit: a store closes within the probe timeout when Redis hangs unnoticed", async (t) => {
  // The default command timeout: QUIT must not wait for it.
  const { store } = await hungStore(t, REDIS_CLIENT_DEFAULTS.commandTimeoutMs);
  // No command has timed out yet: the circuit is closed, QUIT gets no answer.
  const started = performance.now();
  await store.close();
  const ms = performance.now() - started;
  t.true(ms < REDIS_CLIENT_DEFAULTS.probeTimeoutMs + 250, `close took ${ms} ms`);
});
