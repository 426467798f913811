// The log during a store outage: no line (and no stack) per failed request at info level, but
// the outage's start, a summary per interval of how many requests were answered stale or 503,
// and its end. A real Redis on its own port, stopped and restarted; the real app and publisher.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import test, { type ExecutionContext } from "ava";
import { openStore } from "../../src/app/wiring.js";
import { createApp } from "../../src/http/app.js";
import type { AppDeps } from "../../src/http/deps.js";
import { call, pagesFor, publisherFor } from "../helpers/app.js";
import { type CapturedLine, captureLogger } from "../helpers/capture-logger.js";
import { makeConfig } from "../helpers/config.js";
import { startRedisServer } from "../helpers/redis-server.js";
import { delay, waitFor } from "../helpers/wait.js";
import { seed } from "./seed.js";

const SUMMARY_MS = 150;
const START = "store outage: answering stale or 503";
const SUMMARY = "store outage continues";
const END = "store outage over";

async function outageApp(t: ExecutionContext) {
  // With its data kept across the restart, as in production: the feeds are current at once.
  const redis = await startRedisServer(t, { persistence: "aof" });
  const config = { ...makeConfig(), redisUrl: redis.url };
  // The connection's own log lines (redis-log.ts) go elsewhere: these tests read the HTTP ones.
  const store = await openStore(config, captureLogger("silent").logger);
  const log = captureLogger("debug");
  const deps: AppDeps = {
    getConfig: () => config,
    store,
    getPublisher: () => publisher,
    getPages: () => pages,
    nextPollAt: () => undefined,
    logger: log.logger,
    outageSummaryMs: SUMMARY_MS,
  };
  const publisher = publisherFor(config, store);
  const pages = pagesFor(config, store);
  const server = createServer(createApp(deps).callback());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  t.teardown(async () => {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    await store.close();
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await seed(store);
  return { redis, url, log };
}

const at = (lines: CapturedLine[], msg: string) => lines.filter((line) => line.msg === msg);
const INFO = 30;

test("20 requests during an outage log one short start line, no stack, and one request line each at debug", async (t) => {
  const { redis, url, log } = await outageApp(t);
  // Rendered while the store answers: these are served stale during the outage.
  t.is((await call(`${url}/feeds/all.rss`)).status, 200);
  t.is((await call(`${url}/`)).status, 200);
  await redis.stop();
  const from = log.lines.length;
  const fromBytes = log.raw().length;
  const statuses: number[] = [];
  for (let i = 0; i < 20; i++) {
    const path = ["/feeds/all.rss", "/api/sources", "/"][i % 3];
    statuses.push((await call(`${url}${path}`)).status);
  }
  t.deepEqual(
    statuses.filter((s) => s === 503).length,
    7,
    "the API's 7 requests are 503s; feeds and home are served stale",
  );
  const during = log.lines.slice(from);
  const loud = during.filter((line) => line.level >= INFO && line.msg !== SUMMARY);
  t.deepEqual(
    loud.map((line) => line.msg),
    [START],
    "at info level, one line for the whole outage (plus its summaries)",
  );
  t.like(loud[0], { level: 40, route: "/feeds/:file" });
  const bytes = Buffer.byteLength(log.raw().slice(fromBytes));
  t.true(bytes / 20 < 250, `${bytes} bytes for 20 requests, debug lines included`);
  t.false(log.raw().slice(fromBytes).includes('"stack"'), "no stack trace");
  const failed = during.filter((line) => line.msg === "request" && line.status === 503);
  t.is(failed.length, 7, "one line per failed request");
  for (const line of failed) {
    t.is(line.error, "store unavailable, retry later");
    t.is(line.err, undefined);
  }
});

test("the outage is summarised per interval with the stale and 503 counts, and its end is logged once", async (t) => {
  const { redis, url, log } = await outageApp(t);
  t.is((await call(`${url}/feeds/all.rss`)).status, 200);
  t.is((await call(`${url}/`)).status, 200);
  await redis.stop();
  for (let i = 0; i < 10; i++) await call(`${url}/feeds/all.rss`);
  for (let i = 0; i < 4; i++) await call(`${url}/api/sources`);
  for (let i = 0; i < 3; i++) await call(`${url}/`);
  const summed = () => {
    const lines = at(log.lines, SUMMARY);
    const stale = lines.reduce((sum, line) => sum + Number(line.stale), 0);
    const unavailable = lines.reduce((sum, line) => sum + Number(line.unavailable), 0);
    return { lines, stale, unavailable };
  };
  const summaries = await waitFor(() => {
    const sum = summed();
    return sum.stale + sum.unavailable === 17 ? sum : undefined;
  });
  t.is(summaries.stale, 13);
  t.is(summaries.unavailable, 4);
  t.like(summaries.lines[0], { level: 40, intervalMs: SUMMARY_MS });
  t.true(Number(summaries.lines[0]?.downForMs) >= 0);

  // Nothing asked during an interval: no summary for it.
  await delay(SUMMARY_MS * 3);
  t.is(at(log.lines, SUMMARY).length, summaries.lines.length);

  await redis.restart();
  // /healthz never touched the store: it does not end the outage.
  await call(`${url}/healthz`);
  t.is(at(log.lines, END).length, 0);
  await waitFor(async () => ((await call(`${url}/api/sources`)).status === 200 ? true : undefined));
  const end = at(log.lines, END);
  t.is(end.length, 1);
  t.like(end[0], { level: INFO, stale: 13 });
  t.true(Number(end[0]?.unavailable) >= 4);
  t.true(Number(end[0]?.downForMs) > 0);
  t.is(at(log.lines, START).length, 1);
  // The summary timer stopped with the outage.
  const count = at(log.lines, SUMMARY).length;
  await call(`${url}/feeds/all.rss`);
  await delay(SUMMARY_MS * 3);
  t.is(at(log.lines, SUMMARY).length, count);
  t.is(at(log.lines, END).length, 1);
});
