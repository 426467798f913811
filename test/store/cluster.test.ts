// The Redis store on a real Redis Cluster: three masters with one replica each
// (test/helpers/redis-topology.ts). In a cluster the key prefix is a hash tag, `{tributary}:`,
// so every MULTI and script stays in one slot; the store contract holds (each test under its
// own tag, so the tests spread over all three masters); version bumps reach other instances
// by pub/sub; and a failover (the master of the slot killed with SIGKILL, its replica promoted)
// loses no acknowledged entry while polling writes again.
import test from "ava";
import { pino } from "pino";
import { createPoller, openStore } from "../../src/app/wiring.js";
import { parseConfig } from "../../src/config/load.js";
import type { Config } from "../../src/config/types.js";
import { initialSourceState } from "../../src/model/source.js";
import { connectRedisStore, type RedisStore } from "../../src/store/redis.js";
import { clusterKeyPrefix } from "../../src/store/redis-client.js";
import { watchVersions } from "../../src/store/version-watch.js";
import { makeConfig } from "../helpers/config.js";
import { startFixtureServer } from "../helpers/fixture-server.js";
import { uniquePrefix } from "../helpers/redis.js";
import { type ClusterSet, startCluster } from "../helpers/redis-topology.js";
import { makeUpdate } from "../helpers/updates.js";
import { waitFor } from "../helpers/wait.js";
import { storeContract } from "./contract.js";
import { assertSurvived, partnerSource, rss } from "./failover.js";

let cluster: ClusterSet | undefined;

test.before(async () => {
  cluster = await startCluster();
});

test.after.always(async () => {
  await cluster?.close();
});

const set = (): ClusterSet => {
  if (!cluster) throw new Error("the cluster did not start");
  return cluster;
};

const clusterUrl = () =>
  `redis+cluster://${set()
    .nodes.map(({ host, port }) => `${host}:${port}`)
    .join(",")}`;

const target = () => ({ kind: "cluster" as const, nodes: set().nodes });

const silent = pino({ level: "silent" });
const plain = { fallbackDated: new Set<string>() };

test("the cluster prefix is a hash tag of the plain one", (t) => {
  t.is(clusterKeyPrefix("tributary:"), "{tributary}:");
  t.is(clusterKeyPrefix("tributary-test:ab12:"), "{tributary-test:ab12}:");
  t.is(clusterKeyPrefix("{already}:"), "{already}:");
  t.is(clusterKeyPrefix("bare"), "{bare}");
});

// Serial tests run before the concurrent contract below, which then runs on a cluster that
// has been through a failover.
test.serial(
  "REDIS_URL=redis+cluster://… keeps every key of the store in the slot of {tributary}",
  async (t) => {
    const config = parseConfig("categories: [{ id: migration, title: Migration }]\nsources: []", {
      REDIS_URL: clusterUrl(),
    });
    const store = await openStore(config, silent);
    t.teardown(() => store.close());
    t.is(store.kind, "redis");
    const entries = [1, 2, 3].map(() => makeUpdate({ categories: ["migration"] }));
    await store.upsert(entries, plain);
    await store.setSourceState("partner", initialSourceState());
    const listed = await store.list({ category: "migration", limit: 10 });
    t.deepEqual(listed.items.map((u) => u.id).sort(), entries.map((u) => u.id).sort());
    t.true((await store.version("migration")) > 0);

    const owner = await set().masterOf("{tributary}:");
    for (const master of set().masters) {
      const keys = await (await set().client(master)).keys("*tributary*");
      if (master === owner) {
        // Entries, both category indexes, the source index, versions, changed, generation, state.
        t.true(keys.length >= 3 + 2 + 1 + 2 + 2 + 1 + 1, keys.join(" "));
        t.true(keys.every((key) => key.startsWith("{tributary}:")));
      } else {
        t.deepEqual(keys, [], `master ${master.port} holds none`);
      }
    }
  },
);

test.serial("a version bump reaches another instance by pub/sub through the cluster", async (t) => {
  const prefix = clusterKeyPrefix(uniquePrefix());
  const writer = await connectRedisStore({ target: target(), prefix });
  const reader = await connectRedisStore({ target: target(), prefix });
  // No periodic re-check: only a pushed message can refresh the reader's cached version.
  const watched = watchVersions(reader, (listener) => reader.subscribeVersions(listener), {
    recheckMs: 600_000,
  });
  t.teardown(async () => {
    await watched.close();
    await writer.close();
  });
  await waitFor(() => watched.watching || undefined, 10_000, "the subscription");
  const before = await watched.version("migration");
  await writer.upsert([makeUpdate({ categories: ["migration"] })], plain);
  const after = await waitFor(
    async () => {
      const version = await watched.version("migration");
      return version !== before ? version : undefined;
    },
    5_000,
    "the pushed bump",
  );
  t.is(after, await writer.version("migration"));
});

test.serial(
  "a failover (the slot's master killed) loses no acknowledged entry, and polling resumes",
  async (t) => {
    const partner = await startFixtureServer(t, { "/feed.rss": { body: rss(["a", "b", "c"]) } });
    const source = partnerSource(partner);
    const config: Config = {
      ...makeConfig({ sources: [source] }),
      redisUrl: clusterUrl(),
      redisCommandTimeoutMs: 1_000,
    };
    const store = await openStore(config, silent);
    t.teardown(() => store.close());
    const poller = createPoller(config, store, silent);
    t.teardown(() => poller.drain());

    const first = await poller.poll(source, { force: true });
    t.is(first?.status, "ok");
    t.is(first?.added, 3);
    const versionBefore = await store.version("migration");
    await set().replicated("{tributary}:");

    const killed = await set().masterOf("{tributary}:");
    const killedAt = Date.now();
    await killed.kill();
    // The replica takes the slot over once the other masters agree the master failed.
    await waitFor(
      async () => {
        try {
          const now = await set().masterOf("{tributary}:");
          return now.port !== killed.port ? now : undefined;
        } catch {
          return undefined;
        }
      },
      20_000,
      "a replica to take the slot over",
    );
    await set().healthy();

    await assertSurvived(t, { store, poller, partner, source, versionBefore, killedAt });
  },
);

storeContract(test, "redis", async (t): Promise<RedisStore> => {
  const store = await connectRedisStore({
    target: target(),
    prefix: clusterKeyPrefix(uniquePrefix()),
  });
  t.teardown(() => store.close());
  return store;
});
