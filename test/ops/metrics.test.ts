// GET /metrics read through a Prometheus text parser after polls of good and failing fixture
// partners, requests, a store outage and a reload.
import test from "ava";
import { Metrics } from "../../src/metrics.js";
import { instrumentStore } from "../../src/store/instrumented.js";
import { MemoryStore } from "../../src/store/memory.js";
import { InvalidCursorError, StoreUnavailableError } from "../../src/store/store.js";
import { call } from "../helpers/app.js";
import { startFixtureServer } from "../helpers/fixture-server.js";
import { scrape } from "../helpers/prometheus.js";
import { opsYaml, rss, startOpsService } from "./fixtures.js";

const goodBody = rss("Good news");

async function pollFixtures(t: Parameters<typeof startOpsService>[0]) {
  const partners = await startFixtureServer(t, {
    // The ETag makes the second poll a 304.
    "/good.rss": {
      headers: { ETag: '"v1"', "Content-Type": "application/rss+xml" },
      body: goodBody,
    },
    "/html": { headers: { "Content-Type": "text/html" }, body: "<html><body>Hi</body></html>" },
  });
  const yaml = opsYaml(partners.origin, [
    { id: "good", path: "/good.rss" },
    { id: "missing", path: "/missing.rss", categories: ["other"] },
    { id: "html", path: "/html" },
  ]);
  const ops = await startOpsService(t, yaml);
  const sources = ops.service.getConfig().sources;
  const started = Date.now();
  await ops.service.poller.pollMany(sources, { force: true });
  await ops.service.poller.pollMany(sources, { force: true });
  return { ops, partners, started };
}

test("fetch counters by outcome, durations, bytes and entries after two polls", async (t) => {
  const { ops, started } = await pollFixtures(t);
  const m = await scrape(ops.url);
  t.is(m.status, 200);
  t.is(m.contentType, "text/plain; version=0.0.4; charset=utf-8");

  t.is(m.families.get("tributary_fetch_total")?.type, "COUNTER");
  t.is(m.value("tributary_fetch_total", { source: "good", outcome: "ok" }), 1);
  t.is(m.value("tributary_fetch_total", { source: "good", outcome: "not-modified" }), 1);
  t.is(m.value("tributary_fetch_total", { source: "missing", outcome: "http-404" }), 2);
  t.is(m.value("tributary_fetch_total", { source: "html", outcome: "not-a-feed" }), 2);
  t.is(m.histogramCount("tributary_fetch_duration_seconds", { source: "good" }), 2);
  t.is(m.histogramCount("tributary_fetch_duration_seconds", { source: "missing" }), 2);
  t.is(m.value("tributary_fetch_bytes_total", { source: "good" }), Buffer.byteLength(goodBody));
  t.is(m.value("tributary_fetch_bytes_total", { source: "missing" }), 0);
  t.is(m.value("tributary_entries_added_total", { source: "good" }), 1);
  t.is(m.value("tributary_entries_added_total", { source: "html" }), 0);

  const lastSuccess = m.value("tributary_source_last_success_timestamp_seconds", {
    source: "good",
  });
  t.true(lastSuccess !== undefined && lastSuccess * 1000 >= started - 1000, String(lastSuccess));
  t.is(
    m.value("tributary_source_last_success_timestamp_seconds", { source: "missing" }),
    undefined,
  );
  t.is(m.value("tributary_source_consecutive_failures", { source: "good" }), 0);
  t.is(m.value("tributary_source_consecutive_failures", { source: "missing" }), 2);
  t.is(m.value("tributary_source_stale", { source: "good" }), 0);
  t.is(m.value("tributary_category_entries", { category: "news" }), 1);
  t.is(m.value("tributary_category_entries", { category: "other" }), 0);
  t.is(m.value("tributary_category_entries", { category: "all" }), 1);
});

test("HTTP requests are counted by route pattern, method and status, never by raw path", async (t) => {
  const { ops } = await pollFixtures(t);
  await call(`${ops.url}/feeds/news.json`);
  await call(`${ops.url}/feeds/news.rss`);
  await call(`${ops.url}/feeds/nope.json`);
  await call(`${ops.url}/no/such/path`);
  await call(`${ops.url}/api/sources`, { method: "HEAD" });
  const m = await scrape(ops.url);
  t.is(
    m.value("tributary_http_requests_total", {
      route: "/feeds/:file",
      method: "GET",
      status: "200",
    }),
    2,
  );
  t.is(
    m.value("tributary_http_requests_total", {
      route: "/feeds/:file",
      method: "GET",
      status: "404",
    }),
    1,
  );
  t.is(
    m.value("tributary_http_requests_total", { route: "unmatched", method: "GET", status: "404" }),
    1,
  );
  t.is(
    m.value("tributary_http_requests_total", {
      route: "/api/sources",
      method: "HEAD",
      status: "200",
    }),
    1,
  );
  t.is(
    m.histogramCount("tributary_http_request_duration_seconds", {
      route: "/feeds/:file",
      method: "GET",
    }),
    3,
  );
  const routes = new Set(m.labelSets("tributary_http_requests_total").map((l) => l.route));
  t.false([...routes].some((route) => route?.includes("news") || route?.includes("no/such")));
});

test("the default Node process metrics are exported", async (t) => {
  const { ops } = await pollFixtures(t);
  const m = await scrape(ops.url);
  for (const name of [
    "process_cpu_user_seconds_total",
    "process_resident_memory_bytes",
    "nodejs_heap_size_used_bytes",
    "nodejs_eventloop_lag_seconds",
  ]) {
    t.true(m.families.has(name), name);
  }
});

test("store errors are counted per operation, and /metrics still answers during the outage", async (t) => {
  const { ops } = await pollFixtures(t);
  await ops.service.store.close(); // the memory store now fails like an unreachable Redis
  t.is((await call(`${ops.url}/api/sources`)).status, 503);
  const outcomes = await ops.service.poller.pollMany(ops.service.getConfig().sources.slice(0, 1));
  t.like(outcomes[0], { status: "error", errorKind: "store-unavailable" });
  const m = await scrape(ops.url);
  t.is(m.status, 200);
  t.is(m.value("tributary_fetch_total", { source: "good", outcome: "store-unavailable" }), 1);
  t.true((m.value("tributary_store_errors_total", { operation: "getSourceState" }) ?? 0) >= 3);
  t.true((m.value("tributary_store_errors_total", { operation: "count" }) ?? 0) >= 1);
  // What the store could not say is left out of this scrape rather than reported as zero.
  t.deepEqual(m.labelSets("tributary_source_consecutive_failures"), []);
  t.deepEqual(m.labelSets("tributary_category_entries"), []);
});

test("a reload that removes a source removes its series", async (t) => {
  const { ops, partners } = await pollFixtures(t);
  ops.rewrite(opsYaml(partners.origin, [{ id: "good", path: "/good.rss" }]));
  const result = await ops.service.reload("test");
  t.like(result, { reloaded: true, removed: ["missing", "html"] });
  const m = await scrape(ops.url);
  for (const name of [
    "tributary_fetch_total",
    "tributary_fetch_bytes_total",
    "tributary_entries_added_total",
    "tributary_source_consecutive_failures",
    "tributary_source_stale",
  ]) {
    t.deepEqual([...new Set(m.labelSets(name).map((l) => l.source))], ["good"], name);
  }
  t.false(/_count\{source="missing"/.test(m.text));
  t.is(m.value("tributary_fetch_total", { source: "good", outcome: "ok" }), 1);
});

test("the instrumented store counts only StoreUnavailableError and rethrows it unchanged", async (t) => {
  const counted: string[] = [];
  const inner = new MemoryStore();
  const store = instrumentStore(inner, (operation) => counted.push(operation));
  t.is(store.kind, "memory");
  await t.throwsAsync(store.list({ category: "all", limit: 10, cursor: "garbage" }), {
    instanceOf: InvalidCursorError,
  });
  t.deepEqual(counted, []);
  await inner.close();
  await t.throwsAsync(store.count("all"), { instanceOf: StoreUnavailableError });
  await t.throwsAsync(store.ping(), { instanceOf: StoreUnavailableError });
  t.deepEqual(counted, ["count", "ping"]);
});

test("two services in one process keep separate registries", (t) => {
  const one = new Metrics();
  const two = new Metrics();
  one.recordStoreError("ping");
  t.not(one.registry, two.registry);
  t.notThrows(() => new Metrics());
});
