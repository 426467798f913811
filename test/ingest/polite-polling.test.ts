// Polite polling end to end below the service: a real partner server (the fixture) sends caching
// hints, the real fetcher and parser (in the worker thread) read them, refresh records the floor
// in the real Redis store, the poller skips a scheduled poll under it while a forced one runs,
// and /api/sources' read model names the reason.
import test from "ava";
import type { SourceConfig } from "../../src/config/types.js";
import type { FetchOptions } from "../../src/ingest/fetch/fetch.js";
import { parseFeed } from "../../src/ingest/parse/parse.js";
import { type RefreshDeps, refreshSource } from "../../src/ingest/refresh.js";
import { IngestPool } from "../../src/ingest/worker/pool.js";
import type { SourceState } from "../../src/model/source.js";
import { Poller } from "../../src/schedule/poller.js";
import { startScheduler } from "../../src/schedule/scheduler.js";
import { describeSources } from "../../src/status/sources.js";
import type { Store } from "../../src/store/store.js";
import { makeConfig } from "../helpers/config.js";
import { startFixtureServer } from "../helpers/fixture-server.js";
import { redisStoreForTest } from "../helpers/redis.js";

const FETCH: FetchOptions = {
  timeoutMs: 5_000,
  maxBytes: 1024 * 1024,
  maxRedirects: 5,
  userAgent: "Tributary/test",
  allowPrivateNetworks: true,
};
const RETENTION = { maxEntriesPerSource: 500, maxAgeDays: 365 };

const rss = (channelExtra = "") => `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"><channel>
  <title>Partner</title><link>https://partner.example/</link><description>d</description>
  ${channelExtra}
  <item><title>One</title><link>https://partner.example/1</link><guid>1</guid>
    <pubDate>Sun, 01 Feb 2026 09:00:00 GMT</pubDate></item>
</channel></rss>`;

const source = (url: string): SourceConfig => ({
  id: "partner",
  title: "Partner",
  url,
  categories: ["migration"],
  enabled: true,
});

function depsOf(store: Store, extra: Partial<RefreshDeps> = {}): RefreshDeps {
  return { store, fetchOptions: FETCH, retention: RETENTION, ...extra };
}

const secondsUntil = (state: SourceState | undefined, from: number) =>
  state?.notBefore === undefined ? undefined : (Date.parse(state.notBefore) - from) / 1000;

test("Cache-Control max-age=3600: floor stored; a scheduled poll right after is skipped, a forced one runs", async (t) => {
  const fixture = await startFixtureServer(t, {
    "/feed.xml": {
      headers: { "Content-Type": "application/rss+xml", "Cache-Control": "public, max-age=3600" },
      body: rss(),
    },
  });
  const store = await redisStoreForTest(t);
  const partner = source(fixture.url("/feed.xml"));
  const before = Date.now();
  const first = await refreshSource(partner, depsOf(store));
  t.is(first.status, "ok");

  const state = await store.getSourceState("partner");
  t.is(state?.nextPollReason, "cache-control");
  const wait = secondsUntil(state, before) ?? 0;
  t.true(wait > 3590 && wait <= 3601, `notBefore ${wait} s after the poll`);

  const poller = new Poller({
    store,
    concurrency: 4,
    refresh: (s, known) => refreshSource(s, depsOf(store), known),
  });
  t.is(await poller.poll(partner), undefined, "a scheduled poll under the floor is skipped");
  t.is(fixture.requests.length, 1);
  const forced = await poller.poll(partner, { force: true });
  t.is(forced?.status, "ok", "an operator's poll ignores the floor");
  t.is(fixture.requests.length, 2);
});

test("a 304 carries Cache-Control too, and keeps the <ttl> of the document it confirms", async (t) => {
  const fixture = await startFixtureServer(t);
  let cacheControl = "max-age=60";
  fixture.set("/feed.xml", (req, res) => {
    if (req.headers["if-none-match"] === '"v1"') {
      res.writeHead(304, { ETag: '"v1"', "Cache-Control": cacheControl }).end();
      return undefined;
    }
    return {
      headers: {
        "Content-Type": "application/rss+xml",
        ETag: '"v1"',
        "Cache-Control": cacheControl,
      },
      body: rss("<ttl>30</ttl>"),
    };
  });
  const store = await redisStoreForTest(t);
  const partner = source(fixture.url("/feed.xml"));
  const started = Date.now();
  t.is((await refreshSource(partner, depsOf(store))).status, "ok");
  let state = await store.getSourceState("partner");
  t.is(state?.nextPollReason, "ttl", "30 minutes of ttl outlast 60 s of max-age");
  t.deepEqual(state?.feedHints, { ttl: "30" });

  cacheControl = "max-age=7200";
  t.is((await refreshSource(partner, depsOf(store))).status, "not-modified");
  state = await store.getSourceState("partner");
  t.is(state?.nextPollReason, "cache-control", "the 304's own max-age is read");
  t.true((secondsUntil(state, started) ?? 0) >= 7199);

  cacheControl = "no-store";
  t.is((await refreshSource(partner, depsOf(store))).status, "not-modified");
  state = await store.getSourceState("partner");
  t.is(state?.nextPollReason, "ttl", "with no-store, the confirmed document's ttl still holds");
  t.deepEqual(state?.feedHints, { ttl: "30" });
});

test("RSS <ttl> and sy:* cross the parse worker; the floor is capped by maxHintSeconds", async (t) => {
  const fixture = await startFixtureServer(t, {
    "/ttl.xml": { headers: { "Content-Type": "application/rss+xml" }, body: rss("<ttl>120</ttl>") },
    "/sy.xml": {
      headers: { "Content-Type": "application/rss+xml" },
      body: rss(
        "<sy:updatePeriod>weekly</sy:updatePeriod><sy:updateFrequency>1</sy:updateFrequency>",
      ),
    },
  });
  const pool = new IngestPool({ size: 1, timeoutMs: 10_000 });
  t.teardown(() => pool.close());
  const store = await redisStoreForTest(t);
  const started = Date.now();

  await refreshSource(source(fixture.url("/ttl.xml")), depsOf(store, { ingest: pool.ingest }));
  let state = await store.getSourceState("partner");
  t.is(state?.nextPollReason, "ttl");
  const ttlWait = secondsUntil(state, started) ?? 0;
  t.true(ttlWait > 7190 && ttlWait <= 7201, `ttl floor ${ttlWait} s`);

  const syStarted = Date.now();
  await refreshSource(
    { ...source(fixture.url("/sy.xml")), id: "weekly" },
    depsOf(store, { ingest: pool.ingest, maxHintSeconds: 3 * 3600 }),
  );
  state = await store.getSourceState("weekly");
  t.is(state?.nextPollReason, "sy:updatePeriod");
  const syWait = secondsUntil(state, syStarted) ?? 0;
  t.true(syWait > 3 * 3600 - 10 && syWait <= 3 * 3600 + 1, `a week capped at 3 h: ${syWait} s`);
});

test("failures keep their floors: Retry-After (capped by maxHintSeconds) and backoff say which", async (t) => {
  const fixture = await startFixtureServer(t, {
    "/busy.xml": { status: 503, headers: { "Retry-After": "86400" } },
    "/down.xml": { status: 500 },
  });
  const store = await redisStoreForTest(t);
  const started = Date.now();
  await refreshSource(
    { ...source(fixture.url("/busy.xml")), id: "busy" },
    depsOf(store, { maxHintSeconds: 7200 }),
  );
  const busy = await store.getSourceState("busy");
  t.is(busy?.nextPollReason, "retry-after");
  const busyWait = secondsUntil(busy, started) ?? 0;
  t.true(busyWait > 7190 && busyWait <= 7201, `Retry-After of a day capped at 2 h: ${busyWait}`);

  await refreshSource({ ...source(fixture.url("/down.xml")), id: "down" }, depsOf(store));
  t.is((await store.getSourceState("down"))?.nextPollReason, "backoff");
});

test("/api/sources' read model: nextPollAt moves to the floor and nextPollReason names it", async (t) => {
  const fixture = await startFixtureServer(t, {
    "/hinted.xml": {
      headers: { "Content-Type": "application/rss+xml", "Cache-Control": "max-age=7200" },
      body: rss(),
    },
    "/short.xml": {
      headers: { "Content-Type": "application/rss+xml", "Cache-Control": "max-age=1" },
      body: rss(),
    },
    "/plain.xml": { headers: { "Content-Type": "application/rss+xml" }, body: rss() },
  });
  const store = await redisStoreForTest(t);
  const base = makeConfig({ polling: { schedule: "*/5 * * * *" } });
  const sources: SourceConfig[] = [
    { ...source(fixture.url("/hinted.xml")), id: "hinted" },
    // A floor that ends before the next tick moves nothing: the schedule is the reason.
    { ...source(fixture.url("/short.xml")), id: "short" },
    { ...source(fixture.url("/plain.xml")), id: "plain" },
    { ...source(fixture.url("/plain.xml")), id: "off", enabled: false },
  ];
  const config = { ...base, sources };
  for (const s of sources.slice(0, 3)) await refreshSource(s, depsOf(store));
  const scheduler = startScheduler({ sources, defaultSchedule: "*/5 * * * *", onDue: () => {} });
  t.teardown(() => scheduler.stop());
  // As LiveRuntime.nextPollAt: the first tick at or after the floor.
  const nextPollAt = (id: string, state: SourceState | undefined) =>
    scheduler.nextPollAt(id, state?.notBefore ? new Date(state.notBefore) : undefined);

  const views = await describeSources(config, store, nextPollAt);
  const byId = new Map(views.map((v) => [v.id, v]));
  t.is(byId.get("hinted")?.nextPollReason, "cache-control");
  const hintedAt = Date.parse(byId.get("hinted")?.nextPollAt ?? "");
  const hintedFloor = Date.parse((await store.getSourceState("hinted"))?.notBefore ?? "");
  t.true(hintedAt >= hintedFloor && hintedAt < hintedFloor + 5 * 60_000);
  t.is(byId.get("short")?.nextPollReason, "schedule");
  t.is(byId.get("plain")?.nextPollReason, "schedule");
  t.true(Date.parse(byId.get("plain")?.nextPollAt ?? "") <= Date.now() + 5 * 60_000);
  t.is(byId.get("off")?.nextPollReason, "disabled");

  await store.setSourceState("plain", { status: "gone", consecutiveFailures: 1 });
  const [, , plain] = await describeSources(config, store, nextPollAt);
  t.is(plain?.nextPollReason, "gone");
});

test("the parser reads the hints of RSS 1.0 channels and leaves feeds without any alone", async (t) => {
  const rdf = `<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
  xmlns:sy="http://purl.org/rss/1.0/modules/syndication/">
  <channel rdf:about="https://partner.example/"><title>P</title><link>https://partner.example/</link>
    <description>d</description>
    <sy:updatePeriod> daily </sy:updatePeriod><sy:updateFrequency>2</sy:updateFrequency>
  </channel>
  <item rdf:about="https://partner.example/1"><title>One</title><link>https://partner.example/1</link></item>
</rdf:RDF>`;
  t.deepEqual((await parseFeed(rdf)).pollHints, { updatePeriod: "daily", updateFrequency: "2" });
  t.is((await parseFeed(rss())).pollHints, undefined);
});

test("polling.adaptive: a feed that publishes every 6 h is polled again no sooner than 3 h later, also after a 304", async (t) => {
  const items = [0, 6, 12, 18]
    .map(
      (h, i) => `<item><title>Post ${i}</title><link>https://partner.example/${i}</link>
<guid>${i}</guid><pubDate>${new Date(Date.UTC(2026, 1, 1, h)).toUTCString()}</pubDate></item>`,
    )
    .join("");
  const body = `<?xml version="1.0"?><rss version="2.0"><channel><title>P</title>
<link>https://partner.example/</link><description>d</description>${items}</channel></rss>`;
  const fixture = await startFixtureServer(t, {
    "/feed.xml": { headers: { "Content-Type": "application/rss+xml", ETag: '"v1"' }, body },
  });
  const store = await redisStoreForTest(t);
  const partner = source(fixture.url("/feed.xml"));
  for (const adaptive of [false, true]) {
    const started = Date.now();
    await refreshSource(partner, depsOf(store, { adaptive }));
    const state = await store.getSourceState("partner");
    t.is(state?.feedHints?.publishedEverySeconds, 6 * 3600);
    if (!adaptive) {
      t.is(state?.notBefore, undefined, "off by default: only the partner's hints count");
      continue;
    }
    t.is(fixture.requests.at(-1)?.headers["if-none-match"], '"v1"', "the second poll was a 304");
    t.is(state?.nextPollReason, "adaptive");
    const wait = secondsUntil(state, started) ?? 0;
    t.true(wait > 3 * 3600 - 10 && wait <= 3 * 3600 + 1, `adaptive floor ${wait} s`);
  }
});
