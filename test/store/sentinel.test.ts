// The Redis store through Redis Sentinel: a real master, its replica and three sentinels
// (test/helpers/redis-topology.ts). The store contract holds through Sentinel, and the service's
// own wiring (openStore and the poller, from a redis+sentinel:// URL) survives a failover: the
// master killed with SIGKILL, the sentinels promote the replica, every entry acknowledged
// before is still there and polling writes again.
import test from "ava";
import { pino } from "pino";
import { createPoller, openStore } from "../../src/app/wiring.js";
import { parseConfig } from "../../src/config/load.js";
import type { Config } from "../../src/config/types.js";
import { connectRedisStore } from "../../src/store/redis.js";
import type { WatchedStore } from "../../src/store/version-watch.js";
import { makeConfig } from "../helpers/config.js";
import { startFixtureServer } from "../helpers/fixture-server.js";
import { uniquePrefix } from "../helpers/redis.js";
import { type SentinelSet, startSentinelSet } from "../helpers/redis-topology.js";
import { makeUpdate } from "../helpers/updates.js";
import { waitFor } from "../helpers/wait.js";
import { storeContract } from "./contract.js";
import { assertSurvived, partnerSource, rss } from "./failover.js";

let sentinel: SentinelSet | undefined;

test.before(async () => {
  sentinel = await startSentinelSet();
});

test.after.always(async () => {
  await sentinel?.close();
});

const set = (): SentinelSet => {
  if (!sentinel) throw new Error("the sentinel set did not start");
  return sentinel;
};

/** `redis+sentinel://host:port,…/name`, read the way REDIS_URL is. */
const sentinelUrl = () =>
  `redis+sentinel://${set()
    .sentinels.map(({ host, port }) => `${host}:${port}`)
    .join(",")}/${set().name}`;

const silent = pino({ level: "silent" });
const plain = { fallbackDated: new Set<string>() };

// Serial tests run before the concurrent contract below: the contract then runs on the master
// the failover promoted.
test.serial("REDIS_URL=redis+sentinel://… reaches the master the sentinels name", async (t) => {
  const config = parseConfig("categories: [{ id: migration, title: Migration }]\nsources: []", {
    REDIS_URL: sentinelUrl(),
  });
  const store = await openStore(config, silent);
  t.teardown(() => store.close());
  t.is(store.kind, "redis");
  // The version subscription (a duplicate of the client) also found the master.
  await waitFor(() => (store as WatchedStore).watching || undefined, 10_000, "the subscription");
  const entry = makeUpdate({ categories: ["migration"] });
  await store.upsert([entry], plain);
  // Written to the master itself, not somewhere else that happens to answer.
  const master = await set().client(await set().currentMaster());
  t.truthy(await master.get(`tributary:entry:${entry.id}`));
  t.deepEqual(
    (await store.list({ category: "migration", limit: 10 })).items.map((u) => u.id),
    [entry.id],
  );
});

test.serial(
  "a failover (the master killed) loses no acknowledged entry, and polling resumes",
  async (t) => {
    const partner = await startFixtureServer(t, { "/feed.rss": { body: rss(["a", "b", "c"]) } });
    const source = partnerSource(partner);
    const base = makeConfig({ sources: [source] });
    const config: Config = { ...base, redisUrl: sentinelUrl(), redisCommandTimeoutMs: 1_000 };
    const store = await openStore(config, silent);
    t.teardown(() => store.close());
    const poller = createPoller(config, store, silent);
    t.teardown(() => poller.drain());

    const first = await poller.poll(source, { force: true });
    t.is(first?.status, "ok");
    t.is(first?.added, 3);
    const versionBefore = await store.version("migration");
    // Acknowledged by the replica: what the master answered OK to must survive it.
    await set().replicated();

    const killed = await set().currentMaster();
    t.is(killed.port, set().master.port);
    const killedAt = Date.now();
    await set().master.kill();
    const promoted = await waitFor(
      async () => {
        const now = await set().currentMaster();
        return now.port !== killed.port ? now : undefined;
      },
      20_000,
      "the sentinels to promote the replica",
    );
    t.is(promoted.port, set().replica.port);

    // Every entry is there on the new master, read through the same store.
    await assertSurvived(t, { store, poller, partner, source, versionBefore, killedAt });
    const promotedClient = await set().client(promoted);
    t.is((await promotedClient.role())[0], "master");
    t.is(await promotedClient.zcard("tributary:src:partner"), 4);
  },
);

storeContract(test, "redis", async (t) => {
  const store = await connectRedisStore({
    target: {
      kind: "sentinel",
      sentinels: set().sentinels.map(({ host, port }) => ({ host, port })),
      name: set().name,
    },
    prefix: uniquePrefix(),
  });
  t.teardown(() => store.close());
  return store;
});
