import { once } from "node:events";
import {
  type AddressInfo,
  createServer,
  connect as netConnect,
  type Server,
  type Socket,
} from "node:net";
import test, { type ExecutionContext } from "ava";
import { titleTokenKeys } from "../../src/model/story-keys.js";
import type { Update } from "../../src/model/update.js";
import { connectRedisStore } from "../../src/store/redis.js";
import { DEFAULT_REDIS_PREFIX, redisKeys } from "../../src/store/redis-keys.js";
import { ALL, StoreUnavailableError } from "../../src/store/store.js";
import { freePort } from "../helpers/ports.js";
import {
  keysUnder,
  rawRedisForTest,
  redisStoreForTest,
  TEST_REDIS_URL,
  uniquePrefix,
} from "../helpers/redis.js";
import { makeUpdate } from "../helpers/updates.js";
import { ARCHIVE_SOURCE, archive, pollArchive, storeContract } from "./contract.js";
import { leaseContract } from "./lease-contract.js";
import { pingedTopicsContract } from "./pinged-topics-contract.js";
import { storyContract } from "./story-contract.js";
import { subscriptionContract } from "./subscription-contract.js";

const plain = { fallbackDated: new Set<string>() };

storeContract(test, "redis", (t) => redisStoreForTest(t));
storyContract(test, "redis", (t) => redisStoreForTest(t));
leaseContract(test, "redis", (t) => redisStoreForTest(t));
subscriptionContract(test, "redis", (t) => redisStoreForTest(t));
pingedTopicsContract(test, "redis", (t) => redisStoreForTest(t));

/** Starts a TCP server on `port` (0 = any) with the given connection handler, closed in teardown. */
async function listen(t: ExecutionContext, port: number, onSocket: (socket: Socket) => void) {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    onSocket(socket);
  });
  server.listen(port, "127.0.0.1");
  await once(server, "listening");
  const stop = async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  };
  t.teardown(async () => {
    if (server.listening) await stop();
  });
  return { port: (server.address() as AddressInfo).port, stop };
}

/** A TCP proxy to the test Redis, so a test can cut the connection and restore it. */
async function redisProxy(t: ExecutionContext, port = 0) {
  const target = new URL(TEST_REDIS_URL);
  return listen(t, port, (client) => {
    const upstream = netConnect(Number(target.port || 6379), target.hostname);
    client.pipe(upstream).pipe(client);
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
}

test("redis: a closed port rejects quickly with StoreUnavailableError", async (t) => {
  const port = await freePort();
  const started = Date.now();
  const error = await t.throwsAsync(connectRedisStore({ url: `redis://127.0.0.1:${port}` }), {
    instanceOf: StoreUnavailableError,
  });
  t.true(Date.now() - started < 2_000, `took ${Date.now() - started} ms`);
  t.regex(error?.message ?? "", /127\.0\.0\.1/);
});

test("redis: a server that never answers rejects after the connect timeout", async (t) => {
  const silent = await listen(t, 0, () => {});
  const started = Date.now();
  await t.throwsAsync(
    connectRedisStore({ url: `redis://127.0.0.1:${silent.port}`, connectTimeoutMs: 300 }),
    { instanceOf: StoreUnavailableError },
  );
  t.true(Date.now() - started < 2_000, `took ${Date.now() - started} ms`);
});

test("redis: the password never appears in the error message", async (t) => {
  const port = await freePort();
  const error = await t.throwsAsync(
    connectRedisStore({ url: `redis://user:s3cret@127.0.0.1:${port}` }),
  );
  t.false(error?.message.includes("s3cret"));
});

test("redis: an outage fails fast as StoreUnavailableError, and the store recovers by itself", async (t) => {
  const proxy = await redisProxy(t);
  const prefix = uniquePrefix();
  const store = await redisStoreForTest(t, prefix);
  const viaProxy = await connectRedisStore({ url: `redis://127.0.0.1:${proxy.port}`, prefix });
  t.teardown(() => viaProxy.close());
  const entry = makeUpdate();
  await store.upsert([entry], plain);
  t.is((await viaProxy.list({ category: ALL, limit: 5 })).items.length, 1);

  await proxy.stop();
  const started = Date.now();
  // Never an empty page, a zero count or "no state": the outage is an error.
  await t.throwsAsync(viaProxy.list({ category: ALL, limit: 5 }), {
    instanceOf: StoreUnavailableError,
  });
  await t.throwsAsync(viaProxy.count(ALL), { instanceOf: StoreUnavailableError });
  await t.throwsAsync(viaProxy.get(entry.id), { instanceOf: StoreUnavailableError });
  await t.throwsAsync(viaProxy.getSourceState("a"), { instanceOf: StoreUnavailableError });
  await t.throwsAsync(viaProxy.upsert([makeUpdate()], plain), {
    instanceOf: StoreUnavailableError,
  });
  await t.throwsAsync(viaProxy.ping(), { instanceOf: StoreUnavailableError });
  t.true(Date.now() - started < 2_000, `took ${Date.now() - started} ms`);

  await redisProxy(t, proxy.port);
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await viaProxy.ping();
      break;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  t.deepEqual((await viaProxy.get(entry.id))?.id, entry.id);
});

test("redis: close during an outage returns promptly", async (t) => {
  const proxy = await redisProxy(t);
  const store = await connectRedisStore({
    url: `redis://127.0.0.1:${proxy.port}`,
    prefix: uniquePrefix(),
  });
  await proxy.stop();
  const started = Date.now();
  await store.close();
  t.true(Date.now() - started < 1_000, `took ${Date.now() - started} ms`);
  await t.throwsAsync(store.ping(), { instanceOf: StoreUnavailableError });
});

test("redis: instances sharing a prefix share entries, versions and source state", async (t) => {
  const prefix = uniquePrefix();
  const one = await redisStoreForTest(t, prefix);
  const two = await connectRedisStore({ url: TEST_REDIS_URL, prefix });
  t.teardown(() => two.close());
  const entry = makeUpdate({ categories: ["x"] });
  await one.upsert([entry], plain);
  await one.setSourceState("a", { status: "ok", consecutiveFailures: 0 });
  t.deepEqual(await two.get(entry.id), entry);
  t.is(await two.version("x"), await one.version("x"));
  t.deepEqual(await two.getSourceState("a"), { status: "ok", consecutiveFailures: 0 });
  t.deepEqual(await two.upsert([{ ...entry }], plain), { added: 0, updated: 0, unchanged: 1 });
});

test("redis: every key lives under the prefix, in the documented layout", async (t) => {
  const prefix = uniquePrefix();
  const store = await redisStoreForTest(t, prefix);
  const raw = await rawRedisForTest(t);
  await store.upsert([makeUpdate({ id: "e1", sourceId: "s1", categories: ["x"] })], plain);
  await store.setSourceState("s1", { status: "ok", consecutiveFailures: 0 });
  const keys = (await keysUnder(raw, prefix)).map((key) => key.slice(prefix.length)).sort();
  // The entry is in English (makeUpdate's default), so it is listed per language too.
  t.deepEqual(keys, [
    "cat:all",
    "cat:all@en",
    "cat:x",
    "cat:x@en",
    "changed:all",
    "changed:all@en",
    "changed:x",
    "changed:x@en",
    "entry:e1",
    "generation",
    "listings",
    "merged:all",
    "merged:all@en",
    "merged:x",
    "merged:x@en",
    "src:s1",
    "state:s1",
    "storykey",
    "storyof",
    "storyrev",
    "version:all",
    "version:all@en",
    "version:x",
    "version:x@en",
  ]);
  t.is(await raw.type(`${prefix}cat:x`), "zset");
  t.is(await raw.type(`${prefix}entry:e1`), "string");
  t.is(DEFAULT_REDIS_PREFIX, "tributary:");
  t.is(redisKeys().entry("e1"), "tributary:entry:e1");
});

test("redis: a failed command inside the write transaction rejects the upsert", async (t) => {
  const prefix = uniquePrefix();
  const store = await redisStoreForTest(t, prefix);
  const raw = await rawRedisForTest(t);
  // A key of the wrong type makes INCR fail inside MULTI while exec() itself resolves.
  await raw.rpush(`${prefix}version:x`, "not a counter");
  await t.throwsAsync(store.upsert([makeUpdate({ categories: ["x"] })], plain), {
    instanceOf: StoreUnavailableError,
    message: /WRONGTYPE/,
  });
});

test("redis: removeSource leaves no key of the source behind", async (t) => {
  const prefix = uniquePrefix();
  const store = await redisStoreForTest(t, prefix);
  const client = await rawRedisForTest(t);
  const keys = redisKeys(prefix);
  const gone = makeUpdate({ sourceId: "gone", categories: ["x"] });
  const kept = makeUpdate({ sourceId: "kept", categories: ["x"] });
  await store.upsert([gone, kept], plain);
  await store.setSourceState("gone", { status: "ok", consecutiveFailures: 0 });
  t.is(await store.removeSource("gone"), 1);
  const left = await keysUnder(client, prefix);
  t.false(left.includes(keys.entry(gone.id)));
  t.false(left.includes(keys.source("gone")));
  t.false(left.includes(keys.sourceState("gone")));
  t.true(left.includes(keys.entry(kept.id)));
  // Nor a field of its story in the hashes every story shares.
  t.deepEqual(Object.keys(await client.hgetall(keys.storyRevs())), [kept.id]);
  t.deepEqual(Object.keys(await client.hgetall(keys.storyOf())), [kept.id]);
});

/** Commands that change a key; any of them on the test's prefix is a write. */
const WRITES = new Set([
  "set",
  "mset",
  "del",
  "unlink",
  "incr",
  "incrby",
  "zadd",
  "zrem",
  "expire",
]);

/**
 * MONITOR on its own socket (ioredis's monitor mode races its command queue): every command the
 * server runs that names a key under `prefix`, as its `"name" "arg" …` text.
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
  /** Resolves once MONITOR has shown a command naming `key`: everything before it was seen. */
  const reached = async (key: string) => {
    while (!lines.some((line) => line.includes(`"${key}"`))) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  return { lines, reached };
}

test("redis: a second poll of an unchanged 2017–2019 archive writes no key", async (t) => {
  const prefix = uniquePrefix();
  const store = await redisStoreForTest(t, prefix);
  const policy = { maxEntriesPerSource: 500, maxAgeDays: 365 };
  await pollArchive(store, archive(), policy);
  const monitor = await monitorPrefix(t, prefix);
  t.deepEqual(await pollArchive(store, archive(), policy), {
    added: 0,
    updated: 0,
    unchanged: 3,
    expired: 0,
  });
  const sentinel = `${prefix}sentinel`;
  const raw = await rawRedisForTest(t);
  await raw.get(sentinel);
  await monitor.reached(sentinel);
  const commands = monitor.lines.filter((line) => !line.includes(sentinel));
  t.true(commands.length > 0, "the poll read its keys");
  const writes = commands.filter((line) =>
    WRITES.has(/^"([^"]+)"/.exec(line)?.[1]?.toLowerCase() ?? ""),
  );
  t.deepEqual(writes, []);
  t.is(await store.count(ALL, ARCHIVE_SOURCE), 3);
});

test("redis: entries stored before stories existed are put in stories once, at start-up", async (t) => {
  const prefix = uniquePrefix();
  const before = await connectRedisStore({ url: TEST_REDIS_URL, prefix, stories: false });
  t.teardown(() => before.close());
  const link = "https://agency.example/report";
  const copies = ["agency", "relief", "news"].map((sourceId, i) =>
    makeUpdate({
      id: `old-${sourceId}`,
      sourceId,
      link,
      published: new Date(Date.UTC(2026, 0, 1, i)).toISOString(),
    }),
  );
  const other = makeUpdate({ id: "old-other", sourceId: "agency" });
  for (const copy of [...copies, other]) await before.upsert([copy], plain);
  // What an upgraded instance finds: every copy stored, no merged listing yet.
  const store = await redisStoreForTest(t, prefix);
  t.is((await store.list({ category: ALL, limit: 10 })).items.length, 0);
  const version = await store.version(ALL);
  t.is(await store.buildStories(2), 4);
  const listed = (await store.list({ category: ALL, limit: 10 })).items;
  t.deepEqual(listed.map((u) => u.id).sort(), ["old-agency", "old-other"]);
  t.is(listed.find((u) => u.id === "old-agency")?.story?.copies.length, 3);
  t.true((await store.version(ALL)) > version);
  // A second start-up finds the stories built and does nothing.
  t.is(await store.buildStories(), 0);
});

test("redis: stories kept in the layout before (copy summaries in the story, [story, entry] title tokens) are still found and cleaned up", async (t) => {
  const prefix = uniquePrefix();
  const keys = redisKeys(prefix);
  const store = await redisStoreForTest(t, prefix);
  const raw = await rawRedisForTest(t);
  const published = "2026-03-02T10:00:00.000Z";
  const title = "Thousands displaced as floods hit northern provinces";
  const first = makeUpdate({ id: "a1", sourceId: "agency", title, published });
  await store.upsert([first], plain);
  // Rewritten as the layout before kept it: the copy's summary in its story (with a revision,
  // no token), pairs as tokens.
  const tokens = titleTokenKeys(title, Date.parse(published)).map((token) =>
    keys.titleToken(token),
  );
  t.true(tokens.length > 0);
  for (const token of tokens) {
    t.deepEqual(await raw.smembers(token), ["a1"]);
    await raw.del(token);
    await raw.sadd(token, JSON.stringify(["a1", "a1"]));
  }
  await raw.hset(
    keys.story("a1"),
    "_rev",
    "1",
    "a1",
    JSON.stringify({ id: "a1", sourceId: "agency", title }),
  );
  await raw.hdel(keys.storyRevs(), "a1");

  // A retitled copy from another partner (its own link) finds the story through the old tokens.
  const copy = makeUpdate({
    id: "r1",
    sourceId: "relief",
    title: `${title} | Relief Hub`,
    published: "2026-03-02T12:00:00.000Z",
  });
  await store.upsert([copy], plain);
  const listed = (await store.list({ category: ALL, limit: 10 })).items;
  t.deepEqual(
    listed.map((u) => u.id),
    ["a1"],
  );
  t.deepEqual(
    listed[0]?.story?.copies.map((c) => [c.id, c.title]),
    [
      ["a1", title],
      ["r1", copy.title],
    ],
  );
  // The first copy retitled (no word kept): its old tokens go, in whichever layout they were
  // written; the other copy, indexed under the same words, stays.
  await store.upsert(
    [{ ...first, title: "Aid convoys reach worst-affected districts after deluge" }],
    plain,
  );
  for (const token of tokens) t.deepEqual(await raw.smembers(token), ["r1"], token);
  t.is(
    await raw.hget(keys.story("a1"), "a1"),
    JSON.stringify({ id: "a1", sourceId: "agency", title }),
  );
  const after = (await store.list({ category: ALL, limit: 10 })).items;
  t.deepEqual(
    after[0]?.story?.copies.map((c) => c.title),
    ["Aid convoys reach worst-affected districts after deluge", copy.title],
  );
});

test("redis: a story naming a copy whose entry is gone drops it at its next write", async (t) => {
  const prefix = uniquePrefix();
  const keys = redisKeys(prefix);
  const store = await redisStoreForTest(t, prefix);
  const raw = await rawRedisForTest(t);
  const link = "https://agency.example/reports/flood-response";
  await store.upsert([makeUpdate({ id: "a1", sourceId: "agency", link })], plain);
  // An interrupted write of the layout before left the story naming a copy that has no entry.
  await raw.hset(keys.story("a1"), "_rev", "1", "a1", "agency", "ghost", "elsewhere");
  await raw.hdel(keys.storyRevs(), "a1");
  const listed = await store.list({ category: ALL, limit: 10 });
  t.deepEqual(
    listed.items.map((u) => [u.id, u.story]),
    [["a1", undefined]],
    "the ghost is no copy of the story",
  );
  await store.upsert([makeUpdate({ id: "r1", sourceId: "relief", link })], plain);
  // The revision of the layout before goes with the ghost: the story's token replaces it.
  t.deepEqual(Object.keys(await raw.hgetall(keys.story("a1"))).sort(), ["a1", "r1"]);
  t.regex((await raw.hget(keys.storyRevs(), "a1")) ?? "", /^m/);
});

/** A partner's reports and the copies another partner republishes under tracked http links. */
function reportsAndCopies(n: number) {
  const agency = Array.from({ length: n }, (_, i) =>
    makeUpdate({
      id: `agency-${i}`,
      sourceId: "agency",
      title: `Agency report ${i} on displacement along the northern border`,
      link: `https://www.agency.example/reports/${i}/`,
    }),
  );
  const relief = agency.map((u, i) => ({
    ...u,
    id: `relief-${u.id}`,
    sourceId: "relief",
    link: `http://agency.example/reports/${i}?utm_source=relief`,
  }));
  return { agency, relief };
}

/** The entries MONITOR saw a snapshot read back (its MGET, in capitals: the script's). */
const entriesRead = (lines: string[], prefix: string) =>
  lines
    .filter((line) => line.startsWith('"MGET"'))
    .flatMap((line) => [...line.matchAll(new RegExp(`"${prefix}entry:([^"]+)"`, "g"))])
    .map((match) => match[1]);

test("redis: a story this instance wrote is planned from what it wrote, not read back; another instance reads it", async (t) => {
  const prefix = uniquePrefix();
  const store = await redisStoreForTest(t, prefix);
  const other = await redisStoreForTest(t, prefix);
  const { agency, relief } = reportsAndCopies(6);
  await store.upsert(agency.slice(0, 3), plain);
  await other.upsert(agency.slice(3), plain);
  const monitor = await monitorPrefix(t, prefix);
  await store.upsert(relief, plain);
  const sentinel = `${prefix}sentinel`;
  const raw = await rawRedisForTest(t);
  await raw.get(sentinel);
  await monitor.reached(sentinel);
  // The copies of what this instance wrote are known here; those of the other instance are read.
  t.deepEqual(entriesRead(monitor.lines, prefix).sort(), ["agency-3", "agency-4", "agency-5"]);
  t.is(await store.count(ALL), 6, "every copy joined its report's story");
  const page = await other.list({ category: ALL, limit: 10 });
  t.deepEqual(
    page.items.map((u) => u.story?.copies.map((c) => c.sourceId)),
    Array.from({ length: 6 }, () => ["agency", "relief"]),
  );
});

test("redis: a story written by another instance since is read from Redis, not from memory", async (t) => {
  const prefix = uniquePrefix();
  const store = await redisStoreForTest(t, prefix);
  const other = await redisStoreForTest(t, prefix);
  const { agency, relief } = reportsAndCopies(1);
  const [report, copy] = [agency[0], relief[0]] as [Update, Update];
  await store.upsert([report], plain);
  await other.upsert([copy], plain);
  // This instance remembers the story of one copy it wrote; it has two now.
  const third = { ...report, id: "ngo-1", sourceId: "ngo", link: `${report.link}?mtm_campaign=x` };
  await store.upsert([third], plain);
  const [listed] = (await store.list({ category: ALL, limit: 10 })).items;
  t.deepEqual(listed?.story?.copies.map((c) => c.sourceId).sort(), ["agency", "ngo", "relief"]);
  t.is(await store.count(ALL), 1);
});

test("redis: a story under a token of this instance it does not remember is read again from Redis", async (t) => {
  // As after a write whose answer was lost, though Redis applied it: the token looks like this
  // instance's, but nothing is remembered under it.
  const prefix = uniquePrefix();
  const store = await redisStoreForTest(t, prefix);
  const { agency, relief } = reportsAndCopies(1);
  const [report, copy] = [agency[0], relief[0]] as [Update, Update];
  await store.upsert([report], plain);
  const raw = await rawRedisForTest(t);
  const revs = redisKeys(prefix).storyRevs();
  const token = (await raw.hget(revs, report.id)) as string;
  const unknown = `${token.slice(0, -1)}${token.at(-1) === "z" ? "y" : "z"}zz`;
  await raw.hset(revs, report.id, unknown);
  await store.upsert([copy], plain);
  const [listed] = (await store.list({ category: ALL, limit: 10 })).items;
  t.deepEqual(listed?.story?.copies.map((c) => c.sourceId).sort(), ["agency", "relief"]);
  t.not(await raw.hget(revs, report.id), unknown, "the write checked and replaced that token");
});

test("redis: a feed and its copy written at once by one instance are not refused and sent again", async (t) => {
  // Both read the story before either wrote it; without the gate (key-gate.ts) the second write
  // would find the canonical link's key taken, be refused, and read and write all over again.
  const prefix = uniquePrefix();
  const store = await redisStoreForTest(t, prefix);
  // Loads the scripts first, so that MONITOR shows no NOSCRIPT attempt.
  await store.upsert([makeUpdate({ id: "warm-up", sourceId: "warm" })], plain);
  const monitor = await monitorPrefix(t, prefix);
  const { agency, relief } = reportsAndCopies(20);
  t.deepEqual(await Promise.all([store.upsert(agency, plain), store.upsert(relief, plain)]), [
    { added: 20, updated: 0, unchanged: 0 },
    { added: 20, updated: 0, unchanged: 0 },
  ]);
  const sentinel = `${prefix}sentinel`;
  const raw = await rawRedisForTest(t);
  await raw.get(sentinel);
  await monitor.reached(sentinel);
  const scripts = monitor.lines.filter((line) => /^"eval(sha)?"/i.test(line));
  t.is(scripts.length, 4, "a story read and a checked write per upsert, none of them twice");
  t.is(await store.count(ALL), 21, "each report listed once, and the warm-up entry");
  t.is(await store.count(ALL, "relief"), 20);
});
