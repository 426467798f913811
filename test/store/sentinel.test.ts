// The Redis store through Redis Sentinel: a real master, its replica and three sentinels
// (test/helpers/redis-topology.ts). The store contract holds through Sentinel, and the service's
// own wiring (openStore and the poller, from a redis+sentinel:// URL) survives a failover: the
// master killed with SIGKILL, the sentinels promote the replica, every entry acknowledged
// before is still there and polling writes again.
import test from "ava";
import { pino } from "pino";
import { createPoller, openStore } from "../../src/app/wiring.js";
import { parseConfig } from "../../src/config/load.js";
import type { Config, SourceConfig } from "../../src/config/types.js";
import { connectRedisStore } from "../../src/store/redis.js";
import { ALL } from "../../src/store/store.js";
import type { WatchedStore } from "../../src/store/version-watch.js";
import { makeConfig } from "../helpers/config.js";
import { startFixtureServer } from "../helpers/fixture-server.js";
import { uniquePrefix } from "../helpers/redis.js";
import { eventually, type SentinelSet, startSentinelSet } from "../helpers/redis-topology.js";
import { makeUpdate } from "../helpers/updates.js";
import { waitFor } from "../helpers/wait.js";
import { storeContract } from "./contract.js";

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

const rss = (guids: string[]) => `<?xml version="1.0"?>
<rss version="2.0"><channel><title>Partner</title><link>https://partner.example/</link>
${guids
  .map(
    (guid, i) =>
      `<item><title>Item ${guid}</title><link>https://partner.example/${guid}</link><guid>${guid}</guid><pubDate>${new Date(Date.UTC(2026, 0, 1 + i)).toUTCString()}</pubDate></item>`,
  )
  .join("\n")}
</channel></rss>`;

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
    const source: SourceConfig = {
      id: "partner",
      title: "Partner",
      url: partner.url("/feed.rss"),
      categories: ["migration"],
      enabled: true,
    };
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
    const listed = await eventually(() =>
      store.list({ category: ALL, source: source.id, limit: 50 }),
    );
    t.is(listed.items.length, 3);

    // The partner publishes; the next poll writes to the promoted master.
    partner.set("/feed.rss", { body: rss(["a", "b", "c", "d"]) });
    const next = await eventually(async () => {
      const outcome = await poller.poll(source, { force: true });
      if (outcome?.status !== "ok") throw new Error(`poll: ${outcome?.status} ${outcome?.error}`);
      return outcome;
    });
    t.is(next.added, 1);
    t.log(`a poll wrote again ${Date.now() - killedAt} ms after the master was killed`);
    t.is((await store.list({ category: ALL, source: source.id, limit: 50 })).items.length, 4);
    t.true((await store.version("migration")) > versionBefore);
    // The version subscription came back too: cached requests need no round trip again.
    await waitFor(
      () => (store as WatchedStore).watching || undefined,
      15_000,
      "the resubscription",
    );
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
