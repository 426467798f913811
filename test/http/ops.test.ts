import type { AddressInfo } from "node:net";
import { connect, createServer, type Socket } from "node:net";
import test from "ava";
import { MemoryStore } from "../../src/store/memory.js";
import { connectRedisStore } from "../../src/store/redis.js";
import { call, startApp } from "../helpers/app.js";
import { TEST_REDIS_URL } from "../helpers/redis.js";

test("GET /healthz: 200 ok", async (t) => {
  const { url } = await startApp(t);
  const res = await call(`${url}/healthz`);
  t.is(res.status, 200);
  t.is(res.header("content-type"), "application/json; charset=utf-8");
  t.is(res.header("cache-control"), "no-store");
  t.deepEqual(res.json(), { status: "ok" });
});

test("GET /readyz: 200 while the store answers", async (t) => {
  const { url } = await startApp(t);
  const res = await call(`${url}/readyz`);
  t.is(res.status, 200);
  t.deepEqual(res.json(), { status: "ok" });
});

test("GET /readyz: 503 naming the store when it is down; /healthz stays 200", async (t) => {
  const store = new MemoryStore();
  const { url, logs } = await startApp(t, { store });
  await store.close();
  const res = await call(`${url}/readyz`);
  t.is(res.status, 503);
  t.deepEqual(res.json(), { status: "unavailable", reason: "store: The memory store is closed" });
  t.is((await call(`${url}/healthz`)).status, 200);
  t.true(logs.some((line) => line.msg === "not ready"));
});

// Redis behind a TCP relay we control: it can stop answering (a hung backend) or drop every
// connection (an outage). Like the store tests, these need the test Redis (CI starts one).
const redisTarget = new URL(TEST_REDIS_URL);

interface Relay {
  port: number;
  /** Keep connections open but forward nothing more. */
  stall(): void;
  /** Drop every connection and refuse new ones. */
  close(): Promise<void>;
}

async function startRelay(): Promise<Relay> {
  const sockets = new Set<Socket>();
  let stalled = false;
  const server = createServer((client) => {
    const upstream = connect(Number(redisTarget.port || 6379), redisTarget.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("error", () => {});
      socket.on("close", () => sockets.delete(socket));
    }
    client.on("data", (chunk) => stalled || upstream.write(chunk));
    upstream.on("data", (chunk) => stalled || client.write(chunk));
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    stall: () => {
      stalled = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

test("GET /readyz with Redis: 200, then 503 within ~1 s when it hangs", async (t) => {
  const relay = await startRelay();
  const store = await connectRedisStore({ url: `redis://127.0.0.1:${relay.port}` });
  const { url } = await startApp(t, { store });
  // Registered last so it runs first: the store's close then fails fast instead of waiting.
  t.teardown(() => relay.close());
  t.is((await call(`${url}/readyz`)).status, 200);
  relay.stall();
  const started = Date.now();
  const res = await call(`${url}/readyz`);
  const elapsed = Date.now() - started;
  t.is(res.status, 503);
  t.deepEqual(res.json(), { status: "unavailable", reason: "store: no answer within 1000 ms" });
  t.true(elapsed >= 900 && elapsed < 3000, `answered after ${elapsed} ms`);
});

test("GET /readyz with Redis: 503 when its connection is gone", async (t) => {
  const relay = await startRelay();
  const store = await connectRedisStore({ url: `redis://127.0.0.1:${relay.port}` });
  const { url } = await startApp(t, { store });
  await relay.close();
  // Give ioredis a moment to notice the dropped socket.
  await new Promise((resolve) => setTimeout(resolve, 100));
  const res = await call(`${url}/readyz`);
  t.is(res.status, 503);
  const body = res.json() as { status: string; reason: string };
  t.is(body.status, "unavailable");
  t.regex(body.reason, /^store: /);
  t.false(body.reason.includes("    at "));
});
