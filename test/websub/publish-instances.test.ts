// Two instances on one real Redis (127.0.0.1:6379, a key prefix of their own), both polling the
// same partners behind one public base URL: each change reaches the hub once per feed, whichever
// instance wrote it, because the instance that pings is the one whose mark of the new ETag won.
import test, { type ExecutionContext } from "ava";
import { startPublishHub } from "../fixtures/publish-hub.js";
import { scrape } from "../helpers/prometheus.js";
import { redisStoreForTest, uniquePrefix } from "../helpers/redis.js";
import { CATEGORIES, startRig, urlsOf } from "./publish-rig.js";

const sorted = (urls: string[]) => [...urls].sort();

/** A hub and two instances behind one public name, on one Redis, polling the same partners. */
async function twoInstances(t: ExecutionContext) {
  const hub = await startPublishHub(t);
  const prefix = uniquePrefix();
  const one = await startRig(t, { hubs: [hub.url], store: await redisStoreForTest(t, prefix) });
  const two = await startRig(t, {
    hubs: [hub.url],
    store: await redisStoreForTest(t, prefix),
    partners: one.partners,
    baseUrl: one.service.getConfig().service.baseUrl,
  });
  return { hub, one, two };
}

test("two instances on one Redis: one ping per change per feed, none for unchanged polls", async (t) => {
  const { hub, one, two } = await twoInstances(t);
  // Both polled every partner at start; every feed was announced once, by one of them.
  t.deepEqual(urlsOf(hub.pings), sorted(one.topics("all", ...CATEGORIES)));

  const atStart = hub.pings.length;
  // Both poll again, at once, with nothing changed.
  await Promise.all([one.poll("a", "b", "c", "r"), two.poll("a", "b", "c", "r")]);
  const afterUnchanged = hub.pings.length;
  t.is(afterUnchanged, atStart, "no ping for unchanged polls");

  one.publish("b", ["Bravo one", "Bravo two"]);
  await Promise.all([one.poll("a", "b", "c", "r"), two.poll("a", "b", "c", "r")]);
  t.deepEqual(
    urlsOf(hub.pings.slice(afterUnchanged)),
    sorted(one.topics("all", "trafficking")),
    "each changed feed once",
  );

  // Only the second instance polls this time: it pings, as the first would.
  one.publish("c", ["Charlie one", "Charlie two"]);
  const beforeSecond = hub.pings.length;
  await two.poll("c");
  t.deepEqual(urlsOf(hub.pings.slice(beforeSecond)), sorted(one.topics("all", "migration")));

  const oks = await Promise.all(
    [one, two].map(
      async (rig) =>
        (await scrape(rig.service.url)).value("tributary_websub_pings_total", {
          hub: hub.url,
          outcome: "ok",
        }) ?? 0,
    ),
  );
  t.is(
    (oks[0] ?? 0) + (oks[1] ?? 0),
    hub.pings.length,
    "every ping counted by the instance that sent it",
  );
});

test("unchanged polls on both instances make no ping", async (t) => {
  const { hub, one, two } = await twoInstances(t);
  const atStart = hub.pings.length;
  await Promise.all([one.poll("a", "b", "c", "r"), two.poll("a", "b", "c", "r")]);
  await two.poll("a", "b");
  t.is(hub.pings.length, atStart);
});
