// A store that lost its data (here: the test's own keys on the real Redis deleted, as a Redis
// restarted without persistence would hold none) is refilled by a re-poll. Until that re-poll
// has settled, the publisher serves the copies from before the loss, marked stale, and pages
// it never rendered as partial (HTTP: no-store), never as current feeds.
import test, { type ExecutionContext } from "ava";
import { createPublisher } from "../../src/publish/publisher.js";
import { StoreRecovery } from "../../src/publish/store-recovery.js";
import type { FeedRequest } from "../../src/publish/types.js";
import { ALL } from "../../src/store/store.js";
import { deleteKeys, redisStoreForTest, uniquePrefix } from "../helpers/redis.js";
import { makeUpdate, minutesAfterEpoch } from "../helpers/updates.js";
import { BASE } from "./context.js";

const plain = { fallbackDated: new Set<string>() };

async function setup(t: ExecutionContext) {
  const prefix = uniquePrefix();
  const store = await redisStoreForTest(t, prefix);
  let losses = 0;
  const recovery = new StoreRecovery({ onLoss: () => losses++ });
  const publisher = createPublisher({
    store,
    categories: new Map([
      ["all", { id: "all", title: "All", description: "Everything." }],
      ["trafficking", { id: "trafficking", title: "Trafficking", description: "TIP." }],
      ["migration", { id: "migration", title: "Migration", description: "Mobility." }],
    ]),
    sources: new Map(),
    service: { title: "Tributary", baseUrl: BASE },
    recovery,
  });
  const entries = [
    makeUpdate({ id: "t1", categories: ["trafficking"], published: minutesAfterEpoch(2) }),
    makeUpdate({ id: "t2", categories: ["trafficking"], published: minutesAfterEpoch(1) }),
    makeUpdate({ id: "m1", categories: ["migration"], published: minutesAfterEpoch(0) }),
  ];
  await store.upsert(entries, plain);
  return { prefix, store, recovery, publisher, entries, losses: () => losses };
}

const page = (category: string, format: FeedRequest["format"] = "rss"): FeedRequest => ({
  category,
  format,
  limit: 50,
});

test("until the re-poll after a store loss settles, pages are the copies from before it or partial", async (t) => {
  const { prefix, store, recovery, publisher, entries, losses } = await setup(t);
  const before = await publisher.get(page("trafficking"));
  t.is(before.stale, undefined);
  const renderedAt = Date.now();

  await deleteKeys(prefix); // the store lost its data
  const lost = await publisher.get(page("trafficking"));
  t.is(lost.identity, before.identity, "the last good bytes and ETag");
  t.truthy(lost.stale);
  t.falsy(lost.stale?.partial, "a copy from before the loss keeps its max-age");
  t.true((lost.stale?.since.getTime() ?? Infinity) <= renderedAt);
  t.is(losses(), 1, "the loss is reported once, to start the re-poll");

  // A page never rendered before: what the store holds now, marked partial.
  const unseen = await publisher.get(page("trafficking", "json"));
  t.true(unseen.stale?.partial);
  t.deepEqual(JSON.parse(unseen.identity.body.toString()).items, [], "nothing refilled yet");

  // The re-poll refills part of the store: the copy from before still wins.
  await store.upsert([entries[1] ?? makeUpdate()], plain);
  t.is((await publisher.get(page("trafficking"))).identity, before.identity);
  t.true((await publisher.get(page("trafficking", "json"))).stale?.partial);
  t.is(losses(), 1);

  // The re-poll has finished: current pages again, without any stale marker.
  await store.upsert(entries, plain);
  recovery.settled((await store.categoryVersion(ALL)).generation);
  const after = await publisher.get(page("trafficking"));
  t.is(after.stale, undefined);
  t.is(after.identity.etag, before.identity.etag, "the same entries, the same bytes");
  t.true((after.lastModified?.getTime() ?? 0) > (before.lastModified?.getTime() ?? 0));
  t.is((await publisher.get(page("trafficking", "json"))).stale, undefined);
});

test("a re-poll that settled before any request saw the loss leaves nothing stale", async (t) => {
  const { prefix, store, recovery, publisher, entries, losses } = await setup(t);
  await publisher.get(page("all"));
  await deleteKeys(prefix);
  await store.upsert(entries, plain);
  recovery.settled((await store.categoryVersion(ALL)).generation);
  t.is((await publisher.get(page("all"))).stale, undefined);
  t.is((await publisher.get(page("migration"))).stale, undefined);
  t.is(losses(), 0);
});
