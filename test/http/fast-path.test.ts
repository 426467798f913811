// The feed fast path against the Koa route it stands in for: two servers over the same app and
// publisher, one with the fast path in front, one Koa only, asked the same requests over real
// sockets; status, headers (in order, Date and the connection's own aside) and bytes must match,
// and the fast-path answer counter says which requests it answered itself.
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import test, { type ExecutionContext } from "ava";
import { pino } from "pino";
import { createFeedPublisher } from "../../src/app/wiring.js";
import { createApp } from "../../src/http/app.js";
import type { AppDeps } from "../../src/http/deps.js";
import { withFeedFastPath } from "../../src/http/fast-path.js";
import { Metrics } from "../../src/metrics.js";
import { RenderGate } from "../../src/publish/render-gate.js";
import { instrumentStore } from "../../src/store/instrumented.js";
import { MemoryStore } from "../../src/store/memory.js";
import { connectRedisStore } from "../../src/store/redis.js";
import type { Store } from "../../src/store/store.js";
import {
  type VersionWatchOptions,
  type WatchedStore,
  watchVersions,
} from "../../src/store/version-watch.js";
import { pagesFor } from "../helpers/app.js";
import { makeConfig } from "../helpers/config.js";
import { deleteKeys, TEST_REDIS_URL, uniquePrefix } from "../helpers/redis.js";
import { waitFor } from "../helpers/wait.js";
import { makeUpdate, seed } from "./seed.js";

interface Answer {
  status: number;
  /** [name, value] in the order sent, names lower-cased; Date and connection headers left out. */
  headers: [string, string][];
  body: Buffer;
}

/** Headers of the connection or the moment, not of the answer. */
const PER_CONNECTION = new Set(["date", "connection", "keep-alive"]);

function ask(
  base: string,
  path: string,
  options: { method?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${base}${path}`,
      { method: options.method ?? "GET", headers: options.headers ?? {}, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          const headers: [string, string][] = [];
          for (let i = 0; i < res.rawHeaders.length; i += 2) {
            const name = (res.rawHeaders[i] as string).toLowerCase();
            if (!PER_CONNECTION.has(name)) headers.push([name, res.rawHeaders[i + 1] as string]);
          }
          resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks) });
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end();
  });
}

const header = (answer: Answer, name: string): string | undefined =>
  answer.headers.find(([n]) => n === name)?.[1];

async function listen(t: ExecutionContext, handler: Parameters<typeof createServer>[1]) {
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

interface Pair {
  fast: string;
  koa: string;
  store: Store;
  metrics: Metrics;
  /** Fast-path answers so far. */
  fastAnswers(): Promise<number>;
  /**
   * Per request to the fast server, in order: whether its answer had been written in full by
   * the time the handler returned (answered in the same turn, without a promise).
   */
  sameTurn: boolean[];
  debugLines: Record<string, unknown>[];
}

/** The same app and publisher behind two servers: with the fast path in front, and Koa only. */
async function pair(
  t: ExecutionContext,
  store: Store,
  logLevel = "info",
  gate?: RenderGate,
): Promise<Pair> {
  const config = makeConfig();
  const publisher = createFeedPublisher(config, store, { gate });
  const pages = pagesFor(config, store);
  const metrics = new Metrics();
  const debugLines: Record<string, unknown>[] = [];
  const logger = pino(
    { level: logLevel },
    { write: (line: string) => void debugLines.push(JSON.parse(line) as Record<string, unknown>) },
  );
  const deps: AppDeps = {
    getConfig: () => config,
    store,
    getPublisher: () => publisher,
    getPages: () => pages,
    nextPollAt: () => undefined,
    logger,
    metrics,
  };
  const app = createApp(deps);
  const koa = await listen(t, app.callback());
  const handler = withFeedFastPath(deps, app.callback());
  const sameTurn: boolean[] = [];
  const fast = await listen(t, (req, res) => {
    handler(req, res);
    sameTurn.push(res.writableEnded);
  });
  const fastAnswers = async () => {
    const metric = await metrics.registry
      .getSingleMetric("tributary_http_fast_path_answers_total")
      ?.get();
    return metric?.values[0]?.value ?? 0;
  };
  return { fast, koa, store, metrics, fastAnswers, sameTurn, debugLines };
}

/**
 * A RedisStore under `prefix` with versions pushed by pub/sub, as the service opens it,
 * subscribed already; closed (its keys deleted) at teardown.
 */
async function watchedRedis(
  t: ExecutionContext,
  prefix: string,
  options?: VersionWatchOptions,
): Promise<WatchedStore> {
  const raw = await connectRedisStore({ url: TEST_REDIS_URL, prefix });
  const store = watchVersions(raw, (listener) => raw.subscribeVersions(listener), options);
  t.teardown(async () => {
    await store.close();
    await deleteKeys(prefix);
  });
  await waitFor(() => store.watching || undefined, 5_000, "the version subscription");
  return store;
}

interface Case {
  name: string;
  path: string;
  method?: string;
  headers?: Record<string, string>;
  /** Whether the fast path answers it (once the page is cached). */
  fast: boolean;
}

const GZIP = { "accept-encoding": "gzip" };

/** Every case once Koa has rendered the pages they name (the fast path never renders). */
async function cases(base: string): Promise<Case[]> {
  const first = await ask(base, "/feeds/all.json?limit=2");
  const next = (JSON.parse(first.body.toString()) as { next_url: string }).next_url;
  const cursorPath = new URL(next).pathname + new URL(next).search;
  const gzipped = await ask(base, "/feeds/migration.rss", { headers: GZIP });
  const etag = header(gzipped, "etag") as string;
  const lastModified = header(gzipped, "last-modified") as string;
  return [
    { name: "plain rss", path: "/feeds/migration.rss", fast: true },
    { name: "gzip", path: "/feeds/migration.rss", headers: GZIP, fast: true },
    {
      name: "br",
      path: "/feeds/migration.rss",
      headers: { "accept-encoding": "br, gzip" },
      fast: true,
    },
    {
      name: "q-values",
      path: "/feeds/migration.rss",
      headers: { "accept-encoding": "gzip;q=0.5, br;q=0" },
      fast: true,
    },
    { name: "atom", path: "/feeds/trafficking.atom", headers: GZIP, fast: true },
    { name: "json", path: "/feeds/all.json", fast: true },
    { name: "limit", path: "/feeds/all.json?limit=2", fast: true },
    { name: "limit and source", path: "/feeds/trafficking.rss?limit=1&source=atr", fast: true },
    { name: "empty value", path: "/feeds/all.json?limit=2&source=", fast: true },
    { name: "cursor page", path: cursorPath, fast: true },
    { name: "lang", path: "/feeds/all.json?lang=fr", fast: true },
    { name: "lang with region", path: "/feeds/trafficking.atom?lang=fr-CA", fast: true },
    { name: "lang and source", path: "/feeds/trafficking.rss?lang=fr&source=atr", fast: true },
    { name: "lang, bad tag", path: "/feeds/all.rss?lang=en_US!", fast: false },
    {
      name: "If-None-Match current",
      path: "/feeds/migration.rss",
      headers: { ...GZIP, "if-none-match": etag },
      fast: true,
    },
    {
      name: "If-None-Match weak, in a list",
      path: "/feeds/migration.rss",
      headers: { ...GZIP, "if-none-match": `"old", W/${etag}` },
      fast: true,
    },
    {
      name: "If-None-Match stale",
      path: "/feeds/migration.rss",
      headers: { ...GZIP, "if-none-match": '"not-the-current-one"' },
      fast: true,
    },
    {
      name: "If-None-Match of another coding",
      path: "/feeds/migration.rss",
      headers: { "if-none-match": etag },
      fast: true,
    },
    {
      name: "If-Modified-Since",
      path: "/feeds/migration.rss",
      headers: { ...GZIP, "if-modified-since": lastModified },
      fast: true,
    },
    {
      name: "If-Modified-Since earlier",
      path: "/feeds/migration.rss",
      headers: { "if-modified-since": "Sun, 06 Nov 1994 08:49:37 GMT" },
      fast: true,
    },
    {
      name: "If-Modified-Since garbage",
      path: "/feeds/migration.rss",
      headers: { "if-modified-since": "yesterday-ish" },
      fast: true,
    },
    { name: "HEAD", path: "/feeds/migration.rss", method: "HEAD", headers: GZIP, fast: true },
    {
      name: "HEAD 304",
      path: "/feeds/migration.rss",
      method: "HEAD",
      headers: { ...GZIP, "if-none-match": etag },
      fast: true,
    },
    {
      name: "CORS Origin",
      path: "/feeds/all.json",
      headers: { origin: "https://partner.example" },
      fast: true,
    },
    { name: "unknown category", path: "/feeds/nope.rss", fast: false },
    { name: "unknown format", path: "/feeds/all.xml", fast: false },
    { name: "bad limit", path: "/feeds/all.rss?limit=abc", fast: false },
    { name: "limit too large", path: "/feeds/all.rss?limit=999", fast: false },
    { name: "repeated limit", path: "/feeds/all.rss?limit=1&limit=2", fast: false },
    { name: "source outside the category", path: "/feeds/migration.rss?source=atr", fast: false },
    { name: "unknown parameter", path: "/feeds/all.rss?utm_source=x", fast: false },
    { name: "bad cursor", path: "/feeds/all.rss?cursor=nonsense", fast: false },
    { name: "encoded path", path: "/feeds/all%2Erss", fast: false },
    { name: "trailing slash", path: "/feeds/all.rss/", fast: false },
    { name: "uncached page", path: "/feeds/all.atom?limit=3", fast: false },
    {
      name: "OPTIONS preflight",
      path: "/feeds/all.json",
      method: "OPTIONS",
      headers: { origin: "https://partner.example", "access-control-request-method": "GET" },
      fast: false,
    },
    { name: "POST", path: "/feeds/all.json", method: "POST", fast: false },
    { name: "another route", path: "/api/categories", fast: false },
  ];
}

/**
 * Warms every page through Koa, then asks both servers each case; the pages stay cached.
 * `synchronous`: whether the store knows its versions without IO, so that every fast-path
 * answer is written in the handler's own turn (else each waits for the store's promise).
 */
async function assertSameAnswers(
  t: ExecutionContext,
  p: Pair,
  synchronous: boolean,
): Promise<void> {
  const all = await cases(p.koa);
  for (const c of all) {
    if (c.fast) await ask(p.koa, c.path, { headers: c.headers }); // rendered and compressed
  }
  for (const c of all) {
    const options = { method: c.method, headers: c.headers };
    const before = await p.fastAnswers();
    const viaFast = await ask(p.fast, c.path, options);
    const answered = (await p.fastAnswers()) - before;
    const inTurn = p.sameTurn.at(-1);
    // Uncached pages are asked of Koa second, so the fast server is the one that saw the miss.
    const viaKoa = await ask(p.koa, c.path, options);
    t.is(viaFast.status, viaKoa.status, `${c.name}: status`);
    t.deepEqual(viaFast.headers, viaKoa.headers, `${c.name}: headers`);
    t.true(viaFast.body.equals(viaKoa.body), `${c.name}: body`);
    t.is(answered, c.fast ? 1 : 0, `${c.name}: answered by the fast path`);
    // Koa never answers in the turn that received the request.
    t.is(inTurn, c.fast && synchronous, `${c.name}: answered in the same turn`);
  }
}

test("memory store: every request answered as Koa answers it, cached ones by the fast path", async (t) => {
  const store = new MemoryStore();
  await seed(store);
  await assertSameAnswers(t, await pair(t, store), true);
});

test("Redis store with pushed versions: the same answers, cached ones by the fast path", async (t) => {
  // No re-check during the test, however slow the machine: each version read stays in memory.
  const store = await watchedRedis(t, uniquePrefix(), { recheckMs: 600_000 });
  await seed(store);
  await assertSameAnswers(t, await pair(t, store), true);
});

test("Redis store without pushed versions: the same answers, cached ones by the fast path once Redis confirmed the version", async (t) => {
  const prefix = uniquePrefix();
  const store = await connectRedisStore({ url: TEST_REDIS_URL, prefix });
  t.teardown(async () => {
    await store.close();
    await deleteKeys(prefix);
  });
  t.is((store as Store).peekVersion, undefined);
  await seed(store);
  await assertSameAnswers(t, await pair(t, store), false);
});

test("the metrics wrapper of the service keeps the answers synchronous", async (t) => {
  const raw = await watchedRedis(t, uniquePrefix());
  await seed(raw);
  const counted: string[] = [];
  const store = instrumentStore(raw, (operation) => counted.push(operation));
  const p = await pair(t, store);
  await ask(p.koa, "/feeds/migration.rss", { headers: GZIP });
  const viaFast = await ask(p.fast, "/feeds/migration.rss", { headers: GZIP });
  const viaKoa = await ask(p.koa, "/feeds/migration.rss", { headers: GZIP });
  t.true(viaFast.body.equals(viaKoa.body));
  t.deepEqual(viaFast.headers, viaKoa.headers);
  t.is(await p.fastAnswers(), 1);
  t.deepEqual(p.sameTurn, [true]);
  t.deepEqual(counted, []);
});

test("the bytes sent are the page's, decoded to the same feed in every coding", async (t) => {
  const store = new MemoryStore();
  await seed(store);
  const p = await pair(t, store);
  const plain = await ask(p.koa, "/feeds/all.json");
  const gzip = await ask(p.fast, "/feeds/all.json", { headers: GZIP });
  const br = await ask(p.fast, "/feeds/all.json", { headers: { "accept-encoding": "br" } });
  t.is(await p.fastAnswers(), 2);
  t.is(header(gzip, "content-encoding"), "gzip");
  t.is(header(br, "content-encoding"), "br");
  t.deepEqual(gunzipSync(gzip.body), plain.body);
  t.deepEqual(brotliDecompressSync(br.body), plain.body);
  t.is(header(gzip, "content-length"), String(gzip.body.length));
  t.is(header(gzip, "x-content-type-options"), "nosniff");
  t.is(header(gzip, "access-control-allow-origin"), "*");
});

/** A new entry, then the fast server at once: the new bytes, never the old ones. */
async function assertVersionMoves(t: ExecutionContext, p: Pair): Promise<void> {
  const path = "/feeds/migration.json";
  await ask(p.koa, path);
  const before = await ask(p.fast, path);
  t.is(await p.fastAnswers(), 1);
  await p.store.upsert([makeUpdate(9, { title: "Story 9, just in" })], {
    fallbackDated: new Set(),
  });
  // The version moved: the cached page is not current, so Koa renders it.
  const after = await ask(p.fast, path);
  t.is(await p.fastAnswers(), 1, "the changed page is not answered from the old bytes");
  t.true(after.body.toString().includes("Story 9, just in"));
  t.false(before.body.toString().includes("Story 9, just in"));
  t.not(header(after, "etag"), header(before, "etag"));
  // Rendered again, it is cached again.
  const again = await ask(p.fast, path);
  t.is(await p.fastAnswers(), 2);
  t.true(again.body.equals(after.body));
  // A client holding the old ETag gets the new bytes, not a 304.
  const revalidated = await ask(p.fast, path, {
    headers: { "if-none-match": header(before, "etag") as string },
  });
  t.is(revalidated.status, 200);
  t.true(revalidated.body.equals(after.body));
}

test("memory store: a new entry is served at once, never the old bytes", async (t) => {
  const store = new MemoryStore();
  await seed(store);
  await assertVersionMoves(t, await pair(t, store));
});

test("Redis store: a new entry is served at once, never the old bytes", async (t) => {
  const store = await watchedRedis(t, uniquePrefix());
  await seed(store);
  await assertVersionMoves(t, await pair(t, store));
});

test("Redis store, two instances: an entry written by one is served by the other's fast path", async (t) => {
  // Two stores on one prefix, as two api processes on one Redis.
  const prefix = uniquePrefix();
  const storeA = await watchedRedis(t, prefix);
  await seed(storeA);
  const storeB = await watchedRedis(t, prefix);
  const b = await pair(t, storeB);
  const path = "/feeds/migration.json";
  await ask(b.koa, path);
  await ask(b.fast, path);
  t.is(await b.fastAnswers(), 1);
  await storeA.upsert([makeUpdate(9, { title: "Story 9 from the worker" })], {
    fallbackDated: new Set(),
  });
  // Pushed by pub/sub: B's cached version is dropped within moments, and from then on the old
  // bytes are never answered.
  const fresh = await waitFor(
    async () => {
      const answer = await ask(b.fast, path);
      return answer.body.toString().includes("Story 9 from the worker") ? answer : undefined;
    },
    5_000,
    "the new entry through the second instance",
  );
  t.is(fresh.status, 200);
  const again = await ask(b.fast, path);
  t.true(again.body.equals(fresh.body));
});

test("a store that cannot answer: the stale copy comes from Koa, never from the fast path", async (t) => {
  const store = new MemoryStore();
  await seed(store);
  const p = await pair(t, store);
  const path = "/feeds/all.rss";
  await ask(p.koa, path);
  await ask(p.fast, path);
  t.is(await p.fastAnswers(), 1);
  await store.close();
  const stale = await ask(p.fast, path);
  t.is(stale.status, 200);
  t.truthy(header(stale, "x-tributary-stale"));
  t.is(await p.fastAnswers(), 1, "a stale copy is never the fast path's");
});

test("renders refused as busy leave cached pages on the fast path (a 503 that is no outage)", async (t) => {
  const store = new MemoryStore();
  await seed(store);
  // A clock that runs only while `heavy`: one render then costs a second of the share, and
  // with the clock stopped no credit comes back, so every later render is refused.
  let now = 0;
  let heavy = false;
  const clock = () => {
    if (heavy) now += 1000;
    return now;
  };
  const gate = new RenderGate({ now: clock });
  const p = await pair(t, store, "info", gate);
  await ask(p.koa, "/feeds/all.rss");
  heavy = true;
  await ask(p.koa, "/feeds/all.atom");
  heavy = false;
  const busy = await ask(p.fast, "/feeds/trafficking.json");
  t.is(busy.status, 503);
  t.is(header(busy, "retry-after"), "1");
  const cached = await ask(p.fast, "/feeds/all.rss");
  t.is(cached.status, 200);
  t.is(await p.fastAnswers(), 1, "the cached page is still answered by the fast path");
});

test("fast-path answers are counted and timed under the feed route, and logged at debug", async (t) => {
  const store = new MemoryStore();
  await seed(store);
  const p = await pair(t, store, "debug");
  await ask(p.koa, "/feeds/all.rss");
  p.debugLines.length = 0;
  await ask(p.fast, "/feeds/all.rss?limit=50");
  await ask(p.fast, "/feeds/all.rss", { method: "HEAD" });
  t.is(await p.fastAnswers(), 2);
  const text = await p.metrics.registry.metrics();
  t.regex(
    text,
    /tributary_http_requests_total\{route="\/feeds\/:file",method="GET",status="200"\} 2\n/,
  );
  t.regex(
    text,
    /tributary_http_requests_total\{route="\/feeds\/:file",method="HEAD",status="200"\} 1\n/,
  );
  t.regex(
    text,
    /tributary_http_request_duration_seconds_count\{route="\/feeds\/:file",method="GET"\} 2\n/,
  );
  t.regex(
    text,
    /tributary_http_request_duration_seconds_bucket\{le="\+Inf",route="\/feeds\/:file",method="GET"\} 2\n/,
  );
  const requests = p.debugLines.filter((line) => line.msg === "request");
  t.deepEqual(
    requests.map(({ method, route, path, status }) => ({ method, route, path, status })),
    [
      { method: "GET", route: "/feeds/:file", path: "/feeds/all.rss", status: 200 },
      { method: "HEAD", route: "/feeds/:file", path: "/feeds/all.rss", status: 200 },
    ],
  );
  t.true(requests.every((line) => typeof line.ms === "number"));
});
