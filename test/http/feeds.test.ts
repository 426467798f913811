import { brotliDecompressSync, gunzipSync } from "node:zlib";
import test from "ava";
import { createFeedPublisher } from "../../src/app/wiring.js";
import { RenderGate } from "../../src/publish/render-gate.js";
import type { FeedPublisher } from "../../src/publish/types.js";
import { MemoryStore } from "../../src/store/memory.js";
import { call, startApp } from "../helpers/app.js";
import { makeConfig } from "../helpers/config.js";
import { seed } from "./seed.js";

interface JsonFeedPage {
  items: { id: string; title: string }[];
  next_url?: string;
}

async function seededApp(t: import("ava").ExecutionContext) {
  const app = await startApp(t);
  await seed(app.store);
  return app;
}

test("GET a feed: 200, the publisher's bytes and every contract header", async (t) => {
  const { url, store } = await seededApp(t);
  // When the store recorded the content change, not an entry's date.
  const { changedAt } = await store.categoryVersion("all");
  const lastModified = new Date(changedAt?.getTime() ?? 0).toUTCString();
  for (const [format, type] of [
    ["rss", "application/rss+xml; charset=utf-8"],
    ["atom", "application/atom+xml; charset=utf-8"],
    ["json", "application/feed+json; charset=utf-8"],
  ] as const) {
    const res = await call(`${url}/feeds/all.${format}`);
    t.is(res.status, 200, format);
    t.is(res.header("content-type"), type);
    t.is(res.header("content-length"), String(res.body.length));
    t.regex(res.header("etag"), /^"[^"]+"$/);
    t.is(res.header("last-modified"), lastModified);
    t.is(res.header("cache-control"), "public, max-age=300");
    t.is(res.header("vary"), "Accept-Encoding");
    t.is(res.header("access-control-allow-origin"), "*");
    t.is(res.header("content-encoding"), "");
  }
});

test("the body is exactly the publisher's identity bytes", async (t) => {
  const app = await seededApp(t);
  const res = await call(`${app.url}/feeds/trafficking.json`);
  const rep = await app.deps
    .getPublisher()
    .get({ category: "trafficking", format: "json", limit: 50 });
  t.deepEqual(res.body, rep.identity.body);
  t.is(res.header("etag"), rep.identity.etag);
  const feed = JSON.parse(res.body.toString()) as JsonFeedPage;
  t.deepEqual(
    feed.items.map((item) => item.title),
    ["Story 5", "Story 4", "Story 3"],
  );
});

test("limit and source filter the page; a cursor pages on", async (t) => {
  const { url } = await seededApp(t);
  const first = JSON.parse(
    (await call(`${url}/feeds/all.json?limit=2`)).body.toString(),
  ) as JsonFeedPage;
  t.deepEqual(
    first.items.map((i) => i.title),
    ["Story 5", "Story 4"],
  );
  t.truthy(first.next_url);
  const cursor = new URL(first.next_url ?? "").searchParams.get("cursor") ?? "";
  const second = await call(`${url}/feeds/all.json?limit=2&cursor=${encodeURIComponent(cursor)}`);
  t.is(second.status, 200);
  t.deepEqual(
    (JSON.parse(second.body.toString()) as JsonFeedPage).items.map((i) => i.title),
    ["Story 3", "Story 2"],
  );
  const atr = JSON.parse(
    (await call(`${url}/feeds/all.json?source=atr`)).body.toString(),
  ) as JsonFeedPage;
  t.deepEqual(
    atr.items.map((i) => i.title),
    ["Story 5", "Story 4"],
  );
});

test("gzip and br bodies decompress to the identity bytes, each with its own length and ETag", async (t) => {
  const { url } = await seededApp(t);
  const identity = await call(`${url}/feeds/all.rss`, {
    headers: { "accept-encoding": "identity" },
  });
  const gzip = await call(`${url}/feeds/all.rss`, { headers: { "accept-encoding": "gzip" } });
  const br = await call(`${url}/feeds/all.rss`, {
    headers: { "accept-encoding": "gzip, deflate, br" },
  });
  t.is(gzip.header("content-encoding"), "gzip");
  t.is(br.header("content-encoding"), "br");
  t.deepEqual(gunzipSync(gzip.body), identity.body);
  t.deepEqual(brotliDecompressSync(br.body), identity.body);
  t.is(gzip.header("content-length"), String(gzip.body.length));
  t.is(br.header("content-length"), String(br.body.length));
  t.not(gzip.header("etag"), identity.header("etag"));
  t.not(br.header("etag"), gzip.header("etag"));
  t.is(br.header("vary"), "Accept-Encoding");
});

test("q-values choose the coding; q=0 excludes it", async (t) => {
  const { url } = await seededApp(t);
  const coding = async (accept: string) =>
    (await call(`${url}/feeds/all.atom`, { headers: { "accept-encoding": accept } })).header(
      "content-encoding",
    );
  t.is(await coding("br;q=0.5, gzip;q=0.9"), "gzip");
  t.is(await coding("br;q=0, gzip;q=0.1"), "gzip");
  t.is(await coding("gzip;q=0, br;q=0"), "");
  t.is(await coding("*"), "br");
  // Nothing acceptable: identity anyway (documented decision), not 406.
  const res = await call(`${url}/feeds/all.atom`, {
    headers: { "accept-encoding": "identity;q=0" },
  });
  t.is(res.status, 200);
  t.is(res.header("content-encoding"), "");
});

test("HEAD answers GET's headers without a body", async (t) => {
  const { url } = await seededApp(t);
  for (const accept of ["identity", "gzip", "br"]) {
    const headers = { "accept-encoding": accept };
    const get = await call(`${url}/feeds/migration.atom`, { headers });
    const head = await call(`${url}/feeds/migration.atom`, { method: "HEAD", headers });
    t.is(head.status, 200);
    t.is(head.body.length, 0);
    for (const name of [
      "content-type",
      "content-length",
      "content-encoding",
      "etag",
      "last-modified",
      "cache-control",
      "vary",
      "access-control-allow-origin",
    ]) {
      t.is(head.header(name), get.header(name), `${accept} ${name}`);
    }
  }
});

test("If-None-Match: single, list, weak and * give 304 with validators and no body", async (t) => {
  const { url } = await seededApp(t);
  const first = await call(`${url}/feeds/all.json`, { headers: { "accept-encoding": "gzip" } });
  const etag = first.header("etag");
  for (const inm of [etag, `"nope", ${etag}`, `W/${etag}`, "*"]) {
    const res = await call(`${url}/feeds/all.json`, {
      headers: { "accept-encoding": "gzip", "if-none-match": inm },
    });
    t.is(res.status, 304, inm);
    t.is(res.body.length, 0);
    t.is(res.header("etag"), etag);
    t.is(res.header("cache-control"), "public, max-age=300");
    t.is(res.header("vary"), "Accept-Encoding");
    t.is(res.header("last-modified"), first.header("last-modified"));
    t.is(res.header("access-control-allow-origin"), "*");
    t.is(res.header("content-type"), "");
  }
  const other = await call(`${url}/feeds/all.json`, { headers: { "if-none-match": '"nope"' } });
  t.is(other.status, 200);
});

test("HEAD with a matching If-None-Match is a 304 too", async (t) => {
  const { url } = await seededApp(t);
  const { header } = await call(`${url}/feeds/all.rss`);
  const res = await call(`${url}/feeds/all.rss`, {
    method: "HEAD",
    headers: { "if-none-match": header("etag") },
  });
  t.is(res.status, 304);
});

test("If-Modified-Since: not modified since Last-Modified, modified before it", async (t) => {
  const { url } = await seededApp(t);
  const lastModified = (await call(`${url}/feeds/all.rss`)).header("last-modified");
  const same = await call(`${url}/feeds/all.rss`, {
    headers: { "if-modified-since": lastModified },
  });
  t.is(same.status, 304);
  t.is(same.header("etag"), (await call(`${url}/feeds/all.rss`)).header("etag"));
  const before = await call(`${url}/feeds/all.rss`, {
    headers: { "if-modified-since": "Sun, 01 Mar 2026 16:59:59 GMT" },
  });
  t.is(before.status, 200);
});

test("If-Modified-Since sees a backdated new entry and an edited entry: 200, not 304", async (t) => {
  const { url, store } = await seededApp(t);
  const { makeUpdate } = await import("./seed.js");
  const poll = (ims: string) =>
    call(`${url}/feeds/all.rss`, { headers: { "if-modified-since": ims } });
  const first = (await call(`${url}/feeds/all.rss`)).header("last-modified");
  t.is((await poll(first)).status, 304);
  // HTTP dates count whole seconds: a change in the same second cannot be told apart.
  const nextSecond = () => new Promise((resolve) => setTimeout(resolve, 1_100));
  await nextSecond();
  // Older than every entry on the page: the newest entry's date does not move.
  await store.upsert([makeUpdate(-50)], { fallbackDated: new Set() });
  const backdated = await poll(first);
  t.is(backdated.status, 200);
  t.true(backdated.body.toString().includes("Story -50"));
  const second = backdated.header("last-modified");
  t.true(Date.parse(second) > Date.parse(first), `${second} after ${first}`);
  t.is((await poll(second)).status, 304);
  await nextSecond();
  // Edited in place, its dates unchanged.
  await store.upsert(
    [makeUpdate(5, { sourceId: "atr", categories: ["trafficking"], title: "Story 5, corrected" })],
    {
      fallbackDated: new Set(),
    },
  );
  const edited = await poll(second);
  t.is(edited.status, 200);
  t.true(edited.body.toString().includes("Story 5, corrected"));
});

test("a feed whose category never changed sends no Last-Modified", async (t) => {
  const { url } = await startApp(t);
  const res = await call(`${url}/feeds/migration.atom`);
  t.is(res.status, 200);
  t.is(res.header("last-modified"), "", "not 1970");
  const ims = await call(`${url}/feeds/migration.atom`, {
    headers: { "if-modified-since": "Thu, 01 Jan 1970 00:00:00 GMT" },
  });
  t.is(ims.status, 200);
});

test("while every render slot is taken: an uncached page is a 503 with Retry-After 1 and no-store, a cached one a 200", async (t) => {
  const config = makeConfig();
  const store = new MemoryStore();
  const gate = new RenderGate({ maxInFlight: 1 });
  const { url, logs } = await startApp(t, {
    config,
    store,
    publisher: createFeedPublisher(config, store, { gate }),
  });
  await seed(store);
  const cached = await call(`${url}/feeds/all.rss`);
  let release = () => {};
  // Another page's render holds the only slot.
  const busy = gate.run(
    () =>
      new Promise<void>((resolve) => {
        release = resolve;
      }),
  );
  const refused = await call(`${url}/feeds/all.atom`);
  t.is(refused.status, 503);
  t.is(refused.header("retry-after"), "1");
  t.is(refused.header("cache-control"), "no-store");
  t.is(refused.header("etag"), "");
  t.regex((refused.json() as { error: string }).error, /retry/);
  t.is(refused.header("content-type"), "application/json; charset=utf-8");
  // A busy renderer is no store outage: nothing is logged as one.
  t.false(
    logs.some((line) => /outage/.test(line.msg)),
    JSON.stringify(logs.map((l) => l.msg)),
  );
  const hit = await call(`${url}/feeds/all.rss`);
  t.is(hit.status, 200);
  t.deepEqual(hit.body, cached.body);
  release();
  await busy;
  t.is((await call(`${url}/feeds/all.atom`)).status, 200);
});

test("If-None-Match takes precedence over If-Modified-Since", async (t) => {
  const { url } = await seededApp(t);
  const first = await call(`${url}/feeds/all.rss`);
  const stale = await call(`${url}/feeds/all.rss`, {
    headers: { "if-none-match": '"old"', "if-modified-since": first.header("last-modified") },
  });
  t.is(stale.status, 200);
  const fresh = await call(`${url}/feeds/all.rss`, {
    headers: {
      "if-none-match": first.header("etag"),
      "if-modified-since": "Thu, 01 Jan 1970 00:00:00 GMT",
    },
  });
  t.is(fresh.status, 304);
});

test("a new entry changes the ETag, so the old one gets 200", async (t) => {
  const { url, store } = await seededApp(t);
  const before = await call(`${url}/feeds/all.json`);
  const { makeUpdate } = await import("./seed.js");
  await store.upsert([makeUpdate(6)], { fallbackDated: new Set() });
  const after = await call(`${url}/feeds/all.json`, {
    headers: { "if-none-match": before.header("etag") },
  });
  t.is(after.status, 200);
  t.not(after.header("etag"), before.header("etag"));
});

test("a source outside the feed's category is a 400 naming its categories, not an empty cached 200", async (t) => {
  const { url } = await seededApp(t);
  const res = await call(`${url}/feeds/migration.rss?source=atr`);
  t.is(res.status, 400);
  t.deepEqual(res.json(), {
    error: 'source: "atr" is not in category "migration"; its categories: trafficking',
  });
  t.is(res.header("cache-control"), "");
  t.is(res.header("etag"), "");
  // In `all` every configured source is in range, and in its own category it is too.
  t.is((await call(`${url}/feeds/all.rss?source=atr`)).status, 200);
  t.is((await call(`${url}/feeds/trafficking.rss?source=atr`)).status, 200);
});

test("400 for a bad limit, an unknown source and an invalid cursor", async (t) => {
  const { url } = await seededApp(t);
  const cases: [string, string][] = [
    ["limit=500", 'limit: must be an integer between 1 and 200, got "500"'],
    ["limit=2.5", 'limit: must be an integer between 1 and 200, got "2.5"'],
    ["limit=0", 'limit: must be an integer between 1 and 200, got "0"'],
    ["source=nobody", 'source: unknown source "nobody"; known sources: un-news, atr, mpi'],
    ["limit=1&limit=2", "limit: must be given at most once"],
  ];
  for (const [query, message] of cases) {
    const res = await call(`${url}/feeds/all.rss?${query}`);
    t.is(res.status, 400, query);
    t.is(res.header("content-type"), "application/json; charset=utf-8");
    t.deepEqual(res.json(), { error: message });
    t.is(res.header("access-control-allow-origin"), "*");
    t.is(res.header("etag"), "");
  }
  const cursor = await call(`${url}/feeds/all.rss?cursor=garbage`);
  t.is(cursor.status, 400);
  t.regex((cursor.json() as { error: string }).error, /^cursor: /);
});

test("404 for an unknown category or format names the known ones", async (t) => {
  const { url } = await seededApp(t);
  const category = await call(`${url}/feeds/nope.rss`);
  t.is(category.status, 404);
  t.deepEqual(category.json(), {
    error: 'unknown category "nope"; known categories: all, migration, trafficking',
  });
  const format = await call(`${url}/feeds/all.xml`);
  t.is(format.status, 404);
  t.deepEqual(format.json(), { error: 'unknown format "xml"; known formats: rss, atom, json' });
  const bare = await call(`${url}/feeds/all`);
  t.is(bare.status, 404);
  t.regex((bare.json() as { error: string }).error, /rss, atom, json/);
  t.is(category.header("access-control-allow-origin"), "*");
});

test("OPTIONS preflight answers 204 with CORS headers", async (t) => {
  const { url } = await seededApp(t);
  const res = await call(`${url}/feeds/all.json`, {
    method: "OPTIONS",
    headers: {
      origin: "https://partner.example",
      "access-control-request-method": "GET",
      "access-control-request-headers": "if-none-match, x-requested-with",
    },
  });
  t.is(res.status, 204);
  t.is(res.header("access-control-allow-origin"), "*");
  t.is(res.header("access-control-allow-methods"), "GET, HEAD, OPTIONS");
  t.is(res.header("access-control-allow-headers"), "if-none-match, x-requested-with");
  t.truthy(res.header("access-control-max-age"));
  t.is(res.body.length, 0);
});

test("503 with Retry-After when the store is down and nothing is cached", async (t) => {
  const store = new MemoryStore();
  const { url } = await startApp(t, { store });
  await store.close();
  const res = await call(`${url}/feeds/all.rss`);
  t.is(res.status, 503);
  t.is(res.header("retry-after"), "5");
  t.deepEqual(res.json(), { error: "store unavailable, retry later" });
});

test("an unexpected failure is a logged 500 with no stack trace in the body", async (t) => {
  // A FeedPublisher whose bug surfaces as a plain Error: the only way to reach the 500 path.
  const broken: FeedPublisher = {
    get: async () => {
      throw new Error("renderer exploded at /srv/secret/path.ts:42");
    },
  };
  const { url, logs } = await startApp(t, { publisher: broken });
  const res = await call(`${url}/feeds/all.rss`);
  t.is(res.status, 500);
  t.deepEqual(res.json(), { error: "internal error" });
  t.false(res.body.toString().includes("secret"));
  t.false(res.body.toString().includes("    at "));
  const line = logs.find((l) => l.msg === "request failed");
  t.truthy(line);
  t.regex(JSON.stringify(line), /renderer exploded/);
});
