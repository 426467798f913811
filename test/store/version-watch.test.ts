// Category versions pushed by Redis pub/sub (src/store/version-watch.ts): the watched store
// passes the store contract, sees other instances' bumps, falls back to direct reads whenever
// it is not subscribed, forgets everything after a resubscription, re-checks old answers, and
// lets cached feed requests through without a single Redis command.
import { connect as netConnect } from "node:net";
import test, { type ExecutionContext } from "ava";
import type { Redis } from "ioredis";
import { pino } from "pino";
import { openStore } from "../../src/app/wiring.js";
import { STALE_WARNING } from "../../src/http/feed-response.js";
import { instrumentStore } from "../../src/store/instrumented.js";
import { connectRedisStore, type RedisStore } from "../../src/store/redis.js";
import { redisKeys } from "../../src/store/redis-keys.js";
import { type CategoryVersion, type Store, StoreUnavailableError } from "../../src/store/store.js";
import {
  type VersionWatchOptions,
  type WatchedStore,
  watchVersions,
} from "../../src/store/version-watch.js";
import { call, startApp } from "../helpers/app.js";
import { runCli, writeConfig } from "../helpers/cli.js";
import { makeConfig } from "../helpers/config.js";
import { startFixtureServer } from "../helpers/fixture-server.js";
import {
  deleteKeys,
  rawRedisForTest,
  redisStoreForTest,
  TEST_REDIS_URL,
  uniquePrefix,
} from "../helpers/redis.js";
import { startRedisServer } from "../helpers/redis-server.js";
import { makeUpdate } from "../helpers/updates.js";
import { delay, waitFor } from "../helpers/wait.js";
import { storeContract } from "./contract.js";

const plain = { fallbackDated: new Set<string>() };
/** Long enough that only a pushed message (or a reset) can refresh a cached version. */
const NO_RECHECK: VersionWatchOptions = { recheckMs: 600_000 };

const watch = (store: RedisStore, options: VersionWatchOptions = NO_RECHECK): WatchedStore =>
  watchVersions(store, (listener) => store.subscribeVersions(listener), options);

/** A watched store on `url` under `prefix`, subscribed already; closed (keys too) at teardown. */
async function watchedForTest(
  t: ExecutionContext,
  options: {
    prefix?: string;
    url?: string;
    watch?: VersionWatchOptions;
    commandTimeoutMs?: number;
  } = {},
): Promise<WatchedStore> {
  const prefix = options.prefix ?? uniquePrefix();
  const url = options.url ?? TEST_REDIS_URL;
  const { commandTimeoutMs } = options;
  const store = watch(await connectRedisStore({ url, prefix, commandTimeoutMs }), options.watch);
  t.teardown(async () => {
    await store.close();
    if (url === TEST_REDIS_URL) await deleteKeys(prefix);
  });
  await waitFor(() => store.watching || undefined, 5_000, "the version subscription");
  return store;
}

/**
 * Entries of `categories` written by a plain store BEFORE the watch subscribes: no message of
 * that write can reach the watch later and drop what it caches, as one of its own would.
 */
async function seededWatch(
  t: ExecutionContext,
  categories: string[],
  options: { watch?: VersionWatchOptions } = {},
) {
  const prefix = uniquePrefix();
  const writer = await redisStoreForTest(t, prefix);
  await writer.upsert([makeUpdate({ categories })], plain);
  const watched = await watchedForTest(t, { ...options, prefix });
  return { prefix, watched };
}

// The contract names tests by the kind it checks, so these read "redis: …" here too.
storeContract(test, "redis", (t) => watchedForTest(t));

/** The id of the subscriber connection of `prefix` (named after its channel), if connected. */
async function subscriberId(raw: Redis, prefix: string): Promise<string | undefined> {
  const list = (await raw.call("CLIENT", "LIST", "TYPE", "pubsub")) as string;
  const line = list
    .split("\n")
    .find((l) => l.includes(` name=${redisKeys(prefix).versionsChannel()} `));
  return /\bid=(\d+)/.exec(line ?? "")?.[1];
}

/** Moves a category's version behind the watch's back: a bump whose message got lost. */
const bumpSilently = (raw: Redis, prefix: string, category: string) =>
  raw.incr(redisKeys(prefix).version(category));

test("a bump by another instance is seen by the watched store within ~100 ms", async (t) => {
  const prefix = uniquePrefix();
  const watched = await watchedForTest(t, { prefix });
  const other = await redisStoreForTest(t, prefix);
  await other.upsert([makeUpdate({ categories: ["x"] })], plain);
  const first = await waitFor(
    async () => ((await watched.categoryVersion("x")).version > 0 ? true : undefined),
    2_000,
    "the first bump",
  );
  t.true(first);
  const cached = await watched.categoryVersion("x");
  t.is(cached.version, await other.version("x"));

  await other.upsert([makeUpdate({ categories: ["x"] })], plain);
  const expected = await other.categoryVersion("x");
  const started = performance.now();
  const seen = await waitFor(
    async () => {
      const now = await watched.categoryVersion("x");
      return now.version === expected.version ? now : undefined;
    },
    2_000,
    "the second bump",
  );
  const ms = performance.now() - started;
  t.log(`another instance's bump seen after ${ms.toFixed(1)} ms`);
  t.deepEqual(seen, expected);
  t.is(await watched.version("x"), expected.version);
  t.true(ms < 500, `${ms} ms`);
});

test("its own writes are seen at once: no waiting for the message", async (t) => {
  const watched = await watchedForTest(t);
  const before = await watched.categoryVersion("x");
  await watched.upsert([makeUpdate({ categories: ["x"] })], plain);
  const after = await watched.categoryVersion("x");
  t.true(after.version > before.version);
  const removed = await watched.removeSource(makeUpdate().sourceId);
  t.is(removed, 1);
  t.true((await watched.categoryVersion("x")).version > after.version);
});

test("answers come from memory while subscribed: a silent change is not seen", async (t) => {
  const { prefix, watched } = await seededWatch(t, ["x"]);
  const raw = await rawRedisForTest(t);
  const cached = await watched.categoryVersion("x");
  await bumpSilently(raw, prefix, "x");
  // No PUBLISH went with that INCR, so the watch has no reason to read again.
  t.deepEqual(await watched.categoryVersion("x"), cached);
  t.is(await watched.version("x"), cached.version);
});

test("before it is subscribed, every answer is a direct read", async (t) => {
  const prefix = uniquePrefix();
  const raw = await rawRedisForTest(t);
  const store = await connectRedisStore({ url: TEST_REDIS_URL, prefix });
  const watched = watch(store);
  t.teardown(async () => {
    await watched.close();
    await deleteKeys(prefix);
  });
  // The subscriber connects in the background: nothing has happened on it yet.
  t.false(watched.watching);
  const first = await watched.categoryVersion("x");
  t.false(watched.watching, "still connecting");
  await bumpSilently(raw, prefix, "x");
  const second = await watched.categoryVersion("x");
  t.is(second.version, first.version + 1);
});

test("an outage throws StoreUnavailableError as without the watch, and after Redis returns nothing cached survives", async (t) => {
  const redis = await startRedisServer(t);
  const prefix = uniquePrefix();
  const watched = await watchedForTest(t, { prefix, url: redis.url });
  await watched.upsert([makeUpdate({ categories: ["x"] })], plain);
  const cached = await watched.categoryVersion("x");
  t.true(cached.version > 0);

  await redis.stop();
  await waitFor(() => (watched.watching ? undefined : true), 5_000, "the watch to notice");
  await t.throwsAsync(watched.categoryVersion("x"), { instanceOf: StoreUnavailableError });
  await t.throwsAsync(watched.version("x"), { instanceOf: StoreUnavailableError });

  // Restarted without persistence: the version is gone, and a cached answer would hide that.
  await redis.restart();
  await waitFor(() => watched.watching || undefined, 10_000, "the resubscription");
  const after = await waitFor(
    async () => {
      try {
        return await watched.categoryVersion("x");
      } catch {
        return undefined;
      }
    },
    10_000,
    "the serving connection",
  );
  t.deepEqual(after, { version: 0, changedAt: undefined, generation: undefined });
});

test("a lost subscriber connection: direct reads meanwhile, everything re-read after it resubscribes", async (t) => {
  const { prefix, watched } = await seededWatch(t, ["x", "y"]);
  const raw = await rawRedisForTest(t);
  const x = await watched.categoryVersion("x");
  const y = await watched.categoryVersion("y");
  // Both change while the watch is not looking (the messages are lost).
  await bumpSilently(raw, prefix, "x");
  await bumpSilently(raw, prefix, "y");
  t.deepEqual(await watched.categoryVersion("x"), x, "still cached");

  const killed = await subscriberId(raw, prefix);
  t.truthy(killed);
  await raw.call("CLIENT", "KILL", "ID", killed as string);
  await waitFor(
    async () => {
      const id = await subscriberId(raw, prefix);
      return id !== undefined && id !== killed && watched.watching ? id : undefined;
    },
    10_000,
    "a new subscriber connection",
  );
  t.is((await watched.categoryVersion("x")).version, x.version + 1);
  t.is((await watched.categoryVersion("y")).version, y.version + 1);
});

test("while the subscriber is down, reads go to Redis", async (t) => {
  const prefix = uniquePrefix();
  const watched = await watchedForTest(t, { prefix });
  const raw = await rawRedisForTest(t);
  await watched.upsert([makeUpdate({ categories: ["x"] })], plain);
  await watched.categoryVersion("x");
  const killed = await subscriberId(raw, prefix);
  await raw.call("CLIENT", "KILL", "ID", killed as string);
  // Every read while not watching is direct, so each silent bump shows at once.
  let directReads = 0;
  const until = Date.now() + 3_000;
  while (Date.now() < until) {
    if (watched.watching) {
      await delay(1);
      if (directReads > 0) break;
      continue;
    }
    const before = await watched.categoryVersion("x");
    if (watched.watching) continue;
    await bumpSilently(raw, prefix, "x");
    const after = await watched.categoryVersion("x");
    if (watched.watching) continue;
    t.is(after.version, before.version + 1);
    directReads++;
  }
  t.log(`${directReads} direct read pairs while the subscriber reconnected`);
  t.true(directReads > 0, "never saw the subscriber down");
});

test("a cached version older than recheckMs is read again", async (t) => {
  // Long enough for the first steps on a busy machine; short enough to wait out.
  const { prefix, watched } = await seededWatch(t, ["x"], { watch: { recheckMs: 1_000 } });
  const raw = await rawRedisForTest(t);
  const cached = await watched.categoryVersion("x");
  await bumpSilently(raw, prefix, "x");
  t.is((await watched.categoryVersion("x")).version, cached.version, "within the interval");
  await delay(1_100);
  t.is((await watched.categoryVersion("x")).version, cached.version + 1);
});

/**
 * MONITOR on its own socket: every command the server runs that names a key under `prefix`.
 * `settle()` resolves once a sentinel command sent after everything else has been seen.
 */
async function monitorPrefix(t: ExecutionContext, prefix: string) {
  const target = new URL(TEST_REDIS_URL);
  const socket = netConnect(Number(target.port || 6379), target.hostname);
  t.teardown(() => socket.destroy());
  const lines: string[] = [];
  let buffered = "";
  let started = () => {};
  const monitoring = new Promise<void>((resolve) => {
    started = resolve;
  });
  socket.on("data", (chunk) => {
    buffered += chunk.toString();
    const complete = buffered.split("\r\n");
    buffered = complete.pop() ?? "";
    for (const line of complete) {
      if (line === "+OK") started();
      else if (line.includes(`"${prefix}`)) lines.push(line.slice(line.indexOf("] ") + 2));
    }
  });
  socket.write("MONITOR\r\n");
  await monitoring;
  const raw = await rawRedisForTest(t);
  let sentinels = 0;
  const settle = async (): Promise<string[]> => {
    const sentinel = `${prefix}sentinel-${sentinels++}`;
    await raw.get(sentinel);
    while (!lines.some((line) => line.includes(`"${sentinel}"`))) await delay(10);
    return lines.filter((line) => !line.includes("sentinel-"));
  };
  return { lines, settle };
}

test("concurrent misses of one category share one read", async (t) => {
  const { prefix, watched } = await seededWatch(t, ["x"]);
  const monitor = await monitorPrefix(t, prefix);
  const answers = await Promise.all(Array.from({ length: 20 }, () => watched.categoryVersion("x")));
  const commands = await monitor.settle();
  t.is(commands.length, 1, commands.join("\n"));
  t.regex(commands[0] ?? "", /^"mget"/);
  t.true(answers.every((answer) => answer === answers[0]));
  t.true((answers[0] as CategoryVersion).version > 0);
});

test("a failed read is not cached: the next call reads again", async (t) => {
  const redis = await startRedisServer(t);
  const watched = await watchedForTest(t, { url: redis.url, commandTimeoutMs: 300 });
  redis.pause();
  t.teardown(() => redis.resume());
  // While the connection is open and nothing answers, the watch still thinks it is live
  // until the first command times out and opens the circuit.
  const reads = await Promise.allSettled([watched.categoryVersion("x"), watched.version("x")]);
  t.true(reads.every((read) => read.status === "rejected"));
  t.false(watched.watching, "a hung Redis is not watched");
  await t.throwsAsync(watched.categoryVersion("x"), { instanceOf: StoreUnavailableError });
  redis.resume();
  await waitFor(() => watched.watching || undefined, 10_000, "the circuit to close");
  t.is((await watched.categoryVersion("x")).version, 0);
});

test("close() closes the subscriber connection too", async (t) => {
  const prefix = uniquePrefix();
  const raw = await rawRedisForTest(t);
  const store = watch(await connectRedisStore({ url: TEST_REDIS_URL, prefix }));
  await waitFor(() => store.watching || undefined, 5_000, "the version subscription");
  t.truthy(await subscriberId(raw, prefix));
  await store.close();
  t.false(store.watching);
  await waitFor(
    async () => ((await subscriberId(raw, prefix)) === undefined ? true : undefined),
    2_000,
    "the subscriber to leave",
  );
  await t.throwsAsync(store.ping(), { instanceOf: StoreUnavailableError });
});

test("tributary poll with REDIS_URL still exits once it is done", async (t) => {
  const redis = await startRedisServer(t);
  const rss = `<?xml version="1.0"?><rss version="2.0"><channel><title>P</title>
<link>https://partner.example.org/</link><description>d</description>
<item><title>One</title><link>https://partner.example.org/1</link><guid>p-1</guid>
<pubDate>Mon, 02 Mar 2026 10:00:00 GMT</pubDate></item></channel></rss>`;
  const partners = await startFixtureServer(t, { "/good.rss": { body: rss } });
  const path = writeConfig(
    t,
    `polling: { allowPrivateNetworks: true, timeoutMs: 5000 }
categories: [{ id: news, title: News }]
sources:
  - { id: good, title: Good, url: "${partners.origin}/good.rss", categories: [news] }
`,
  );
  const started = Date.now();
  const polled = await runCli(["poll", "--config", path], { REDIS_URL: redis.url });
  t.is(polled.code, 0, polled.stderr);
  t.true(Date.now() - started < 15_000, `${Date.now() - started} ms`);
});

test("N cached feed requests through the HTTP app send no command to Redis", async (t) => {
  const prefix = uniquePrefix();
  const store: Store = watch(await connectRedisStore({ url: TEST_REDIS_URL, prefix }));
  t.teardown(() => deleteKeys(prefix));
  await waitFor(() => (store as WatchedStore).watching || undefined, 5_000, "the subscription");
  const config = makeConfig();
  const category = config.categories[0]?.id as string;
  const source = config.sources[0]?.id as string;
  await store.upsert([makeUpdate({ sourceId: source, categories: [category] })], plain);
  const app = await startApp(t, { config, store });
  const url = `${app.url}/feeds/${category}.rss`;
  const first = await call(url, { headers: { "accept-encoding": "gzip" } });
  t.is(first.status, 200);
  const monitor = await monitorPrefix(t, prefix);
  // Rendered once; from now on each request is a lookup by version, from memory.
  const N = 50;
  for (let i = 0; i < N; i++) {
    const again = await call(url, { headers: { "accept-encoding": "gzip" } });
    t.is(again.status, 200);
    t.is(again.header("etag"), first.header("etag"));
  }
  const revalidated = await call(url, {
    headers: { "accept-encoding": "gzip", "if-none-match": first.header("etag") },
  });
  t.is(revalidated.status, 304);
  t.deepEqual(await monitor.settle(), []);

  // And a change elsewhere still reaches the app.
  const other = await redisStoreForTest(t, prefix);
  await other.upsert([makeUpdate({ sourceId: source, categories: [category] })], plain);
  await waitFor(
    async () => {
      const now = await call(url, { headers: { "accept-encoding": "gzip" } });
      return now.header("etag") !== first.header("etag") ? true : undefined;
    },
    2_000,
    "the new feed",
  );
  t.pass();
});

test("openStore watches a Redis store; with Redis hung or stopped the feed is served stale, as without the watch", async (t) => {
  const redis = await startRedisServer(t);
  const config = { ...makeConfig(), redisUrl: redis.url, redisCommandTimeoutMs: 300 };
  const store = (await openStore(config, pino({ level: "silent" }))) as WatchedStore;
  t.is(store.kind, "redis");
  await waitFor(() => store.watching || undefined, 5_000, "the subscription");
  const category = config.categories[0]?.id as string;
  await store.upsert([makeUpdate({ categories: [category] })], plain);
  const app = await startApp(t, { config, store });
  const url = `${app.url}/feeds/${category}.json`;
  const fresh = await call(url);
  t.is(fresh.status, 200);
  t.is(fresh.header("warning"), "");

  // Hung: the subscriber's socket stays open, so only the serving side can tell.
  // (No resume in teardown: the server's own close() sends SIGCONT with its SIGTERM.)
  redis.pause();
  await t.throwsAsync(store.ping(), { instanceOf: StoreUnavailableError });
  const hung = await call(url);
  t.is(hung.status, 200);
  t.is(hung.header("warning"), STALE_WARNING);
  t.deepEqual(hung.body, fresh.body);
  redis.resume();
  await waitFor(() => store.watching || undefined, 10_000, "the circuit to close");
  t.is((await call(url)).header("warning"), "");

  await redis.stop();
  await waitFor(() => (store.watching ? undefined : true), 5_000, "the watch to notice");
  const stopped = await call(url);
  t.is(stopped.status, 200);
  t.is(stopped.header("warning"), STALE_WARNING);
});

// peekVersion: categoryVersion's answer without a promise, exactly when that answer would come
// from memory; undefined whenever categoryVersion would read Redis.

/**
 * The category's version read through the watch and still kept a moment later: the message of
 * a write just made (its own writes' come back too) may land after the read and drop it.
 */
async function keptVersion(watched: WatchedStore, category: string): Promise<CategoryVersion> {
  return waitFor(
    async () => {
      const read = await watched.categoryVersion(category);
      await delay(50);
      return watched.peekVersion?.(category) === read ? read : undefined;
    },
    5_000,
    `a kept version of ${category}`,
  );
}

test("peekVersion: live and settled, the cached answer itself, synchronously", async (t) => {
  const { watched } = await seededWatch(t, ["x"]);
  t.is(watched.peekVersion?.("x"), undefined, "nothing read yet");
  const read = watched.categoryVersion("x");
  t.is(watched.peekVersion?.("x"), undefined, "the read is still in flight");
  const cached = await read;
  t.true(cached.version > 0);
  const peeked = watched.peekVersion?.("x");
  t.is(peeked, cached, "the very object categoryVersion resolved to");
  t.is(watched.peekVersion?.("x"), peeked, "and again: nothing made per call");
  t.is(watched.peekVersion?.("y"), undefined, "another category is not known");
});

test("peekVersion after a bump message: undefined until read again, then the new version", async (t) => {
  const prefix = uniquePrefix();
  const watched = await watchedForTest(t, { prefix });
  const other = await redisStoreForTest(t, prefix);
  await other.upsert([makeUpdate({ categories: ["x"] })], plain);
  const before = await keptVersion(watched, "x");
  t.is(before.version, await other.version("x"));
  t.is(watched.peekVersion?.("x"), before);

  await other.upsert([makeUpdate({ categories: ["x"] })], plain);
  const expected = await other.categoryVersion("x");
  // The message drops the cached version: from then on peek never returns the old one.
  await waitFor(
    () => (watched.peekVersion?.("x") === undefined ? true : undefined),
    2_000,
    "the bump message",
  );
  t.is(watched.peekVersion?.("x"), undefined, "not re-read yet");
  const reread = await watched.categoryVersion("x");
  t.deepEqual(reread, expected);
  t.is(watched.peekVersion?.("x"), reread);
});

test("peekVersion after its own write: never the version from before it", async (t) => {
  const watched = await watchedForTest(t);
  const before = await keptVersion(watched, "x");
  t.is(watched.peekVersion?.("x"), before);
  await watched.upsert([makeUpdate({ categories: ["x"] })], plain);
  t.is(watched.peekVersion?.("x"), undefined, "dropped as the write returned");
  const after = await keptVersion(watched, "x");
  t.true(after.version > before.version);
  t.is(watched.peekVersion?.("x"), after);
});

test("peekVersion while not live: undefined, though a version was cached; after it resubscribes, until read again", async (t) => {
  const redis = await startRedisServer(t);
  const watched = await watchedForTest(t, { url: redis.url, commandTimeoutMs: 300 });
  await watched.upsert([makeUpdate({ categories: ["x"] })], plain);
  const cached = await keptVersion(watched, "x");
  t.true(cached.version > 0);

  // Hung: the subscriber's socket stays open; once a command times out, the watch is not live.
  redis.pause();
  await t.throwsAsync(watched.ping(), { instanceOf: StoreUnavailableError });
  t.false(watched.watching);
  t.is(watched.peekVersion?.("x"), undefined, "categoryVersion would read Redis (and fail)");
  redis.resume();
  await waitFor(() => watched.watching || undefined, 10_000, "the circuit to close");

  await redis.stop();
  await waitFor(() => (watched.watching ? undefined : true), 5_000, "the watch to notice");
  t.is(watched.peekVersion?.("x"), undefined);
  await redis.restart();
  await waitFor(() => watched.watching || undefined, 10_000, "the resubscription");
  // Everything was dropped with the resubscription (and the data is gone with the restart).
  t.is(watched.peekVersion?.("x"), undefined);
  const after = await waitFor(
    async () => {
      try {
        return await watched.categoryVersion("x");
      } catch {
        return undefined;
      }
    },
    10_000,
    "the serving connection",
  );
  t.is(after.version, 0);
  t.is(watched.peekVersion?.("x"), after);
});

test("peekVersion before the subscription: undefined, every read goes to Redis", async (t) => {
  const prefix = uniquePrefix();
  const store = await connectRedisStore({ url: TEST_REDIS_URL, prefix });
  const watched = watch(store);
  t.teardown(async () => {
    await watched.close();
    await deleteKeys(prefix);
  });
  t.false(watched.watching);
  await watched.categoryVersion("x");
  t.false(watched.watching, "still connecting");
  t.is(watched.peekVersion?.("x"), undefined);
});

test("peekVersion of a version older than recheckMs: undefined until read again", async (t) => {
  const { prefix, watched } = await seededWatch(t, ["x"], { watch: { recheckMs: 1_000 } });
  const raw = await rawRedisForTest(t);
  const cached = await watched.categoryVersion("x");
  t.is(watched.peekVersion?.("x"), cached, "within the interval");
  await bumpSilently(raw, prefix, "x");
  await delay(1_100);
  t.is(watched.peekVersion?.("x"), undefined, "too old: categoryVersion would read Redis");
  const reread = await watched.categoryVersion("x");
  t.is(reread.version, cached.version + 1);
  t.is(watched.peekVersion?.("x"), reread);
});

test("peekVersion through the metrics wrapper: the same object, synchronously", async (t) => {
  const { watched } = await seededWatch(t, ["x"]);
  const counted: string[] = [];
  const instrumented = instrumentStore(watched, (operation) => counted.push(operation));
  const cached = await instrumented.categoryVersion("x");
  const peeked = instrumented.peekVersion?.("x");
  t.false(peeked instanceof Promise);
  t.is(peeked, cached);
  t.is(peeked, watched.peekVersion?.("x"));
  t.is(instrumented.peekVersion?.("y"), undefined);
  t.deepEqual(counted, []);
});

test("a RedisStore alone has no peekVersion: callers read the store", async (t) => {
  const store = await redisStoreForTest(t);
  t.is((store as Store).peekVersion, undefined);
});
