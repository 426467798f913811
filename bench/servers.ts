// Child process of bench/feeds.ts: Tributary on a populated memory store, and a bare node:http
// server answering with the same bytes and headers. Prints their URLs, and the CPU cost of an
// uncached 50-entry render in each format, as one JSON line.
//
// With BENCH_STORE=redis it is one api instance on Redis instead (BENCH_REDIS_URL, keys under
// BENCH_REDIS_PREFIX, versions pushed by pub/sub as `serve` opens it), with its own bare server
// in the same process: BENCH_SEED=1 writes the entries first, so a second process started on the
// same prefix without it serves what the first one wrote, as two api instances would.

import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { request } from "undici";
import { startService } from "../src/app/service.js";
import { createFeedPublisher } from "../src/app/wiring.js";
import { parseConfig } from "../src/config/load.js";
import { createLogger } from "../src/log.js";
import { MemoryStore } from "../src/store/memory.js";
import { connectRedisStore } from "../src/store/redis.js";
import type { Store } from "../src/store/store.js";
import { watchVersions } from "../src/store/version-watch.js";
import { BENCH_YAML, CATEGORIES, makeUpdates } from "./bench-data.js";
import { CPU_PATH } from "./load.js";

const ENTRIES = Number(process.env.BENCH_ENTRIES ?? 4000);

const onRedis = process.env.BENCH_STORE === "redis";

async function openStore(): Promise<Store> {
  if (!onRedis) return new MemoryStore();
  const redis = await connectRedisStore({
    url: process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379",
    prefix: process.env.BENCH_REDIS_PREFIX ?? "tributary-bench:",
  });
  const watched = watchVersions(redis, (listener) => redis.subscribeVersions(listener));
  const until = Date.now() + 5_000;
  while (!watched.watching) {
    if (Date.now() > until) throw new Error("bench: no version subscription after 5 s");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return watched;
}

const store = await openStore();
if (!onRedis || process.env.BENCH_SEED === "1") {
  await store.upsert(makeUpdates(ENTRIES), { fallbackDated: new Set() });
}
const config = parseConfig(BENCH_YAML, {});
const share = process.env.BENCH_RENDER_SHARE;
const service = await startService(config, createLogger("silent"), {
  store,
  pollAtStart: false,
  renderGate: share === undefined ? undefined : { share: Number(share) },
  role: onRedis ? "api" : "all",
});
const path = "/feeds/migration.rss";

/**
 * CPU ms (process.cpuUsage: this process only, so the load generator does not count) of one
 * uncached request's work: the entries read, the render, the ETag hash and the gzip bytes.
 * Each sample uses a fresh publisher, so nothing is cached; after a few warm-up rounds.
 */
async function renderCpuMs(format: "rss" | "atom" | "json"): Promise<number> {
  const samples: number[] = [];
  for (let round = 0; round < 25; round++) {
    for (const category of ["all", ...CATEGORIES]) {
      const publisher = createFeedPublisher(config, store);
      const started = process.cpuUsage();
      const page = await publisher.get({ category, format, limit: 50 });
      page.variant("gzip");
      const used = process.cpuUsage(started);
      if (round >= 5) samples.push((used.user + used.system) / 1000);
    }
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] as number;
}
// Measured once, on the memory store (the figure is the render's, not the store's).
const renderMs = onRedis
  ? undefined
  : {
      rss: await renderCpuMs("rss"),
      atom: await renderCpuMs("atom"),
      json: await renderCpuMs("json"),
    };

// Capture what Tributary answers so the bare server sends exactly the same.
const sample = await request(`${service.url}${path}`, { headers: { "accept-encoding": "gzip" } });
const gzipBody = Buffer.from(await sample.body.arrayBuffer());
const headers = Object.fromEntries(
  Object.entries(sample.headers).filter(
    ([name]) => !["date", "connection", "keep-alive"].includes(name),
  ),
) as Record<string, string>;
const etag = headers.etag as string;

const bare = createServer((req, res) => {
  // This process's CPU time so far, read between rounds: what a request costs the server is
  // told apart from the load generator's share of a busy machine.
  if (req.url === CPU_PATH) {
    res.end(JSON.stringify(process.cpuUsage()));
    return;
  }
  if (req.headers["if-none-match"] === etag) {
    const { "content-length": _l, "content-encoding": _e, "content-type": _t, ...rest } = headers;
    res.writeHead(304, rest).end();
    return;
  }
  res.writeHead(200, headers).end(gzipBody);
});
await new Promise<void>((resolve) => bare.listen(0, "127.0.0.1", resolve));
const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}`;

process.stdout.write(
  `${JSON.stringify({ tributary: service.url, bare: bareUrl, path, etag, bytes: gzipBody.length, entries: ENTRIES, categories: CATEGORIES, maxLimit: config.feeds.maxLimit, renderMs })}\n`,
);
process.on("SIGTERM", () => {
  bare.close();
  void service
    .stop()
    .then(() => store.close())
    .then(() => process.exit(0));
});
