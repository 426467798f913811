// Redis restarts empty (no persistence) and the re-poll that refills it is held at one partner,
// so the test looks at feeds while the refill is half done: pages rendered before the loss are
// served as they were, marked stale; pages never rendered are no-store with X-Tributary-Stale;
// never an empty or partial page with a long max-age. Once the re-poll has finished, feeds are
// current again. A private redis-server on a free port, never the shared one.
import test from "ava";
import { STALE_WARNING } from "../../src/http/feed-response.js";
import { get, PARTNERS, startOutageRig, waitUntil } from "./rig.js";

const RECOVERY_MS = 15_000;

const titlesOf = (json: string): string[] =>
  (JSON.parse(json) as { items: { title: string }[] }).items.map((item) => item.title);

test("after Redis restarts empty, until the re-poll has finished no page is served as current", async (t) => {
  const rig = await startOutageRig(t);
  const { service } = rig;
  await service.initialPoll;
  const all = await get(`${service.url}/feeds/all.json`);
  const trafficking = await get(`${service.url}/feeds/trafficking.rss`, {
    "accept-encoding": "gzip",
  });
  t.deepEqual(titlesOf(all.text), ["Trafficking report", "Migration study", "Older story"]);

  // The re-poll after the restart reaches the journal and is held there; the UN partner has
  // been written by then or is being written: the store is partly refilled.
  const held = rig.hold(PARTNERS.journal);
  await rig.redis.restart();
  await held.arrived;
  await waitUntil(async () => {
    const answer = await get(`${service.url}/api/updates`);
    return answer.status === 200 && titlesOf(answer.text).length > 0;
  }, RECOVERY_MS);

  const stale = await get(`${service.url}/feeds/all.json`);
  t.is(stale.status, 200);
  t.is(stale.text, all.text, "the copy from before the loss, not the partial store");
  t.is(stale.header("etag"), all.header("etag"));
  t.is(stale.header("warning"), STALE_WARNING);
  t.truthy(stale.header("x-tributary-stale"));
  const revalidated = await get(`${service.url}/feeds/trafficking.rss`, {
    "accept-encoding": "gzip",
    "if-none-match": trafficking.header("etag"),
  });
  t.is(revalidated.status, 304);
  t.is(revalidated.header("warning"), STALE_WARNING);

  // Never rendered before the loss: what the store holds now, which no cache may keep.
  for (const path of ["/feeds/migration.atom", "/feeds/all.rss", "/feeds/trafficking.json"]) {
    const partial = await get(`${service.url}${path}`);
    t.is(partial.status, 200, path);
    t.is(partial.header("cache-control"), "no-store", path);
    t.truthy(partial.header("x-tributary-stale"), path);
    t.is(partial.header("warning"), STALE_WARNING, path);
  }

  held.release();
  await waitUntil(
    async () => rig.logs.some((line) => line.msg === "polled after the store returned"),
    RECOVERY_MS,
  );
  const fresh = await waitUntil(async () => {
    const answer = await get(`${service.url}/feeds/all.json`);
    return answer.header("warning") === "";
  }, RECOVERY_MS);
  t.log(`current feeds ${fresh.toFixed(0)} ms after the re-poll was logged`);
  const current = await get(`${service.url}/feeds/all.json`);
  t.is(current.header("cache-control"), "public, max-age=300");
  t.deepEqual(titlesOf(current.text), ["Trafficking report", "Migration study", "Older story"]);
  const migration = await get(`${service.url}/feeds/migration.atom`);
  t.is(migration.header("cache-control"), "public, max-age=300");
  t.is(migration.header("x-tributary-stale"), "");
  t.true(migration.text.includes("Migration study"));
});
