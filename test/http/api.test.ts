import { gunzipSync } from "node:zlib";
import test from "ava";
import type { Update } from "../../src/model/update.js";
import { MemoryStore } from "../../src/store/memory.js";
import { call, startApp } from "../helpers/app.js";
import { makeConfig } from "../helpers/config.js";
import { makeUpdate, seed } from "./seed.js";

interface UpdatesPage {
  items: Update[];
  next: string | null;
}

test("GET /api/updates: every entry of all, newest first, with next null on the last page", async (t) => {
  const { url, store } = await startApp(t);
  const updates = await seed(store);
  const res = await call(`${url}/api/updates`);
  t.is(res.status, 200);
  t.is(res.header("content-type"), "application/json; charset=utf-8");
  t.is(res.header("access-control-allow-origin"), "*");
  const page = res.json() as UpdatesPage;
  t.deepEqual(Object.keys(page).sort(), ["items", "next"]);
  t.deepEqual(
    page.items.map((u) => u.id),
    ["id-005", "id-004", "id-003", "id-002", "id-001"],
  );
  t.deepEqual(page.items[0], updates[4]);
  t.is(page.next, null);
});

test("GET /api/updates: category, source, limit and cursor", async (t) => {
  const { url, store } = await startApp(t);
  await seed(store);
  const ids = async (query: string) => {
    const page = (await call(`${url}/api/updates?${query}`)).json() as UpdatesPage;
    return { ids: page.items.map((u) => u.id), next: page.next };
  };
  t.deepEqual((await ids("category=migration")).ids, ["id-003", "id-002", "id-001"]);
  t.deepEqual((await ids("category=trafficking&source=un-news")).ids, ["id-003"]);
  const first = await ids("limit=2");
  t.deepEqual(first.ids, ["id-005", "id-004"]);
  t.truthy(first.next);
  const second = await ids(`limit=2&cursor=${encodeURIComponent(first.next ?? "")}`);
  t.deepEqual(second.ids, ["id-003", "id-002"]);
});

test("GET /api/updates: 400s name the parameter", async (t) => {
  const { url } = await startApp(t, { config: makeConfig({ feeds: { maxLimit: 20 } }) });
  const cases: [string, string][] = [
    ["limit=21", 'limit: must be an integer between 1 and 20, got "21"'],
    ["limit=ten", 'limit: must be an integer between 1 and 20, got "ten"'],
    ["source=x", 'source: unknown source "x"; known sources: un-news, atr, mpi'],
    ["category=x", 'category: unknown category "x"; known categories: all, migration, trafficking'],
    [
      "cursor=%00not-a-cursor",
      "cursor: not a valid cursor; pass the `next` value of a page unchanged",
    ],
  ];
  for (const [query, error] of cases) {
    const res = await call(`${url}/api/updates?${query}`);
    t.is(res.status, 400, query);
    t.deepEqual(res.json(), { error });
    t.is(res.header("access-control-allow-origin"), "*");
  }
});

test("GET /api/updates: a source outside the category is a 400 naming its categories", async (t) => {
  const { url, store } = await startApp(t);
  await seed(store);
  const res = await call(`${url}/api/updates?category=migration&source=atr`);
  t.is(res.status, 400);
  t.deepEqual(res.json(), {
    error: 'source: "atr" is not in category "migration"; its categories: trafficking',
  });
  t.is((await call(`${url}/api/updates?source=atr`)).status, 200);
});

test("GET /api/categories: all first, counts from the store, absolute feed URLs", async (t) => {
  const { url, store } = await startApp(t);
  await seed(store);
  const res = await call(`${url}/api/categories`);
  t.is(res.status, 200);
  t.is(res.header("access-control-allow-origin"), "*");
  t.deepEqual(res.json(), [
    {
      id: "all",
      title: "All updates",
      description: "Every category merged, newest first.",
      entries: 5,
      languages: [],
      feeds: {
        rss: "http://tributary.test/feeds/all.rss",
        atom: "http://tributary.test/feeds/all.atom",
        json: "http://tributary.test/feeds/all.json",
      },
    },
    {
      id: "migration",
      title: "Migration",
      description: "Migrants, refugees and displacement.",
      entries: 3,
      languages: [],
      feeds: {
        rss: "http://tributary.test/feeds/migration.rss",
        atom: "http://tributary.test/feeds/migration.atom",
        json: "http://tributary.test/feeds/migration.json",
      },
    },
    {
      id: "trafficking",
      title: "Human trafficking",
      description: "Trafficking in persons & forced labour.",
      entries: 3,
      languages: [],
      feeds: {
        rss: "http://tributary.test/feeds/trafficking.rss",
        atom: "http://tributary.test/feeds/trafficking.atom",
        json: "http://tributary.test/feeds/trafficking.json",
      },
    },
  ]);
});

test("GET /api/sources: config plus fetch state, nulls for what is unknown", async (t) => {
  const store = new MemoryStore();
  await seed(store);
  await store.setSourceState("un-news", {
    status: "error",
    errorKind: "timeout",
    lastError: "no answer within 20000 ms",
    lastFetchAt: "2026-03-02T10:00:00.000Z",
    lastSuccessAt: "2026-03-01T10:00:00.000Z",
    failingSince: "2026-03-02T09:30:00.000Z",
    consecutiveFailures: 1,
    etag: '"private-validator"',
  });
  await store.setSourceState("mpi", { status: "ok", consecutiveFailures: 0 });
  const next = new Date("2026-03-02T10:30:00.000Z");
  const { url } = await startApp(t, {
    store,
    nextPollAt: (id) => (id === "un-news" ? next : undefined),
  });
  const res = await call(`${url}/api/sources`);
  t.is(res.status, 200);
  t.deepEqual(res.json(), [
    {
      id: "un-news",
      title: "UN News",
      url: "https://news.un.org/feed/subscribe/en/news/all/rss.xml",
      enabled: true,
      categories: ["migration", "trafficking"],
      status: "error",
      errorKind: "timeout",
      lastError: "no answer within 20000 ms",
      lastFetchAt: "2026-03-02T10:00:00.000Z",
      lastSuccessAt: "2026-03-01T10:00:00.000Z",
      failingSince: "2026-03-02T09:30:00.000Z",
      entries: 3,
      nextPollAt: "2026-03-02T10:30:00.000Z",
      nextPollReason: "schedule",
      proposedUrl: null,
      stale: false,
      push: "none",
    },
    {
      id: "atr",
      title: "Anti-Trafficking Review",
      url: "https://antitraffickingreview.org/index.php/atrjournal/gateway/plugin/WebFeedGatewayPlugin/atom",
      enabled: true,
      categories: ["trafficking"],
      status: "pending",
      errorKind: null,
      lastError: null,
      lastFetchAt: null,
      lastSuccessAt: null,
      failingSince: null,
      entries: 2,
      nextPollAt: null,
      nextPollReason: "schedule",
      proposedUrl: null,
      stale: false,
      push: "none",
    },
    {
      id: "mpi",
      title: "Migration Policy Institute",
      url: "https://www.migrationpolicy.org/rss.xml",
      enabled: false,
      categories: ["migration"],
      status: "disabled",
      errorKind: null,
      lastError: null,
      lastFetchAt: null,
      lastSuccessAt: null,
      failingSince: null,
      entries: 0,
      nextPollAt: null,
      nextPollReason: "disabled",
      proposedUrl: null,
      stale: false,
      push: "none",
    },
  ]);
});

test("the API reads the config per request, so a reload shows at once", async (t) => {
  const app = await startApp(t);
  let config = app.config;
  app.deps.getConfig = () => config;
  config = makeConfig({ categories: [{ id: "only", title: "Only", description: "" }] });
  const ids = ((await call(`${app.url}/api/categories`)).json() as { id: string }[]).map(
    (c) => c.id,
  );
  t.deepEqual(ids, ["all", "only"]);
});

test("OPTIONS preflight on the API", async (t) => {
  const { url } = await startApp(t);
  for (const path of ["/api/updates", "/api/categories", "/api/sources"]) {
    const res = await call(`${url}${path}`, {
      method: "OPTIONS",
      headers: { origin: "https://partner.example", "access-control-request-method": "GET" },
    });
    t.is(res.status, 204, path);
    t.is(res.header("access-control-allow-origin"), "*");
    t.is(res.header("access-control-allow-methods"), "GET, HEAD, OPTIONS");
    t.is(
      res.header("access-control-allow-headers"),
      "If-None-Match, If-Modified-Since, Cache-Control",
    );
  }
});

test("a store outage on the API is a 503 with Retry-After, not an empty list", async (t) => {
  const store = new MemoryStore();
  const { url } = await startApp(t, { store });
  await store.close();
  for (const path of ["/api/updates", "/api/categories", "/api/sources"]) {
    const res = await call(`${url}${path}`);
    t.is(res.status, 503, path);
    t.is(res.header("retry-after"), "5");
    t.is(res.header("access-control-allow-origin"), "*");
    t.deepEqual(res.json(), { error: "store unavailable, retry later" });
  }
});

test("GET /api/updates pages are published once per version: strong ETag, 304, gzip, a new ETag after a change", async (t) => {
  const { url, store } = await startApp(t);
  await seed(store);
  const path = `${url}/api/updates?category=migration&limit=2`;
  const first = await call(path);
  t.is(first.status, 200);
  t.is(first.header("content-type"), "application/json; charset=utf-8");
  t.is(first.header("cache-control"), "public, max-age=300");
  t.is(first.header("access-control-allow-origin"), "*");
  const etag = first.header("etag");
  t.regex(etag, /^"[\w-]{22}"$/);
  const body = first.json() as { items: { id: string }[]; next: string | null };
  t.deepEqual(
    body.items.map((item) => item.id),
    ["id-003", "id-002"],
  );
  t.is(typeof body.next, "string");
  const again = await call(path, { headers: { "if-none-match": etag } });
  t.is(again.status, 304);
  t.is(again.body.length, 0);
  const gzip = await call(path, { headers: { "accept-encoding": "gzip" } });
  t.is(gzip.header("content-encoding"), "gzip");
  t.deepEqual(gunzipSync(gzip.body), first.body);
  await store.upsert([makeUpdate(7, { categories: ["migration"] })], { fallbackDated: new Set() });
  const changed = await call(path, { headers: { "if-none-match": etag } });
  t.is(changed.status, 200);
  t.not(changed.header("etag"), etag);
  t.is((changed.json() as { items: { id: string }[] }).items[0]?.id, "id-007");
});

test("GET /api/updates during a store outage is a 503, not a stale copy", async (t) => {
  const { url, store } = await startApp(t);
  await seed(store);
  t.is((await call(`${url}/api/updates`)).status, 200);
  await store.close();
  const res = await call(`${url}/api/updates`);
  t.is(res.status, 503);
  t.deepEqual(res.json(), { error: "store unavailable, retry later" });
});
