// stop() (SIGTERM, SIGINT) with HTTP clients still connected: idle keep-alive connections close
// at once, a response in flight may finish within the drain time, and whatever is still open
// then (a slow response, a client that sent half a request) is destroyed, so stop() always ends
// within the drain time and a second. The real service, raw sockets, a real (paused) Redis.
import type { Socket } from "node:net";
import test, { type ExecutionContext } from "ava";
import { type RunningService, startService } from "../../src/app/service.js";
import { openStore } from "../../src/app/wiring.js";
import { parseConfig } from "../../src/config/load.js";
import type { Store } from "../../src/store/store.js";
import { captureLogger } from "../helpers/capture-logger.js";
import { openSocket } from "../helpers/raw-http.js";
import { startRedisServer } from "../helpers/redis-server.js";
import { delay } from "../helpers/wait.js";
import { opsYaml } from "./fixtures.js";

// Never polled: pollAtStart is off and the schedule never fires during a test.
const yaml = opsYaml("http://127.0.0.1:9", [{ id: "a", path: "/a.rss" }]);

async function serve(t: ExecutionContext, drainMs: number, store?: Store) {
  const log = captureLogger("info");
  const service = await startService(parseConfig(yaml, {}), log.logger, {
    pollAtStart: false,
    drainMs,
    ...(store ? { store } : {}),
  });
  t.teardown(() => service.stop());
  return { service, log };
}

/** When the socket was closed (ms since `since`), and everything it received. */
function watch(socket: Socket, since: number) {
  let received = "";
  socket.on("data", (chunk: Buffer) => {
    received += chunk.toString("latin1");
  });
  socket.on("error", () => {});
  const closedAt = new Promise<number>((resolve) =>
    socket.once("close", () => resolve(Date.now() - since)),
  );
  return { closedAt, received: () => received };
}

/** Resolves once a whole response (headers and Content-Length body) has arrived. */
async function responseArrived(received: () => string): Promise<void> {
  for (;;) {
    const text = received();
    const end = text.indexOf("\r\n\r\n");
    const length = Number(/\r\ncontent-length: *(\d+)/i.exec(text)?.[1] ?? Number.NaN);
    if (end >= 0 && text.length - end - 4 >= length) return;
    await delay(10);
  }
}

async function timedStop(service: RunningService): Promise<number> {
  const started = Date.now();
  await service.stop();
  return Date.now() - started;
}

test("stop() ends within the drain time and a second while a client holds a half-sent request", async (t) => {
  const drainMs = 800;
  const { service, log } = await serve(t, drainMs);
  const socket = await openSocket(service.url);
  // A request line and a header, and never the blank line that ends the request.
  socket.write("GET / HTTP/1.1\r\nHost: x\r\n");
  // Let the server read what was sent, so the connection is busy with a request, not idle.
  await delay(100);
  const started = Date.now();
  const client = watch(socket, started);
  const took = await timedStop(service);
  t.true(took <= drainMs + 1000, `stop() took ${took} ms`);
  const closedAt = await client.closedAt;
  t.true(
    closedAt >= drainMs - 50,
    `the half-sent request was cut after the drain (${closedAt} ms)`,
  );
  t.true(log.lines.some((l) => l.msg === "closing HTTP connections still open"));
  t.true(log.lines.some((l) => l.msg === "stopped"));
});

test("stop() closes an idle keep-alive connection at once, without waiting for the drain time", async (t) => {
  const drainMs = 5_000;
  const { service } = await serve(t, drainMs);
  const socket = await openSocket(service.url);
  const client = watch(socket, Date.now());
  socket.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  await responseArrived(client.received);
  t.regex(client.received(), /^HTTP\/1\.1 200 /);
  const took = await timedStop(service);
  t.true(took < 1000, `stop() took ${took} ms`);
  await client.closedAt;
  t.false(socket.writable && !socket.destroyed, "the connection is closed");
});

// /readyz waits up to a second for a hung store's PING before it answers 503: a slow response.
async function pausedRedisStore(t: ExecutionContext) {
  const redis = await startRedisServer(t);
  const store = await openStore(
    parseConfig(yaml, { REDIS_URL: redis.url }),
    captureLogger().logger,
  );
  t.teardown(async () => {
    redis.resume();
    await store.close();
  });
  redis.pause();
  return { redis, store };
}

test("a response in flight when stop() begins is sent, and its keep-alive connection closed right after", async (t) => {
  const drainMs = 5_000;
  const { redis, store } = await pausedRedisStore(t);
  const { service } = await serve(t, drainMs, store);
  const socket = await openSocket(service.url);
  const started = Date.now();
  const client = watch(socket, started);
  socket.write("GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n");
  await delay(100);
  const stopped = timedStop(service);
  await responseArrived(client.received);
  redis.resume();
  t.regex(client.received(), /^HTTP\/1\.1 503 /, "the slow response was answered in full");
  const took = await stopped;
  // Not the drain time, nor the 5 s keep-alive timeout: the connection closed once idle.
  t.true(took < 3000, `stop() took ${took} ms`);
  t.true((await client.closedAt) < 3000);
});

test("a response still in flight at the end of the drain time is cut, and stop() ends within a second of it", async (t) => {
  const drainMs = 300;
  const { store } = await pausedRedisStore(t);
  const { service } = await serve(t, drainMs, store);
  const socket = await openSocket(service.url);
  const client = watch(socket, Date.now());
  socket.write("GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n");
  await delay(100);
  const took = await timedStop(service);
  t.true(took <= drainMs + 1000, `stop() took ${took} ms`);
  await client.closedAt;
  t.is(client.received(), "", "cut before its answer");
});
