// npm run bench: the cached /api/updates?limit=50 at a fixed 1,000 requests/s for 60 s
// (BENCH_RATE, BENCH_SECONDS), on the memory store and on the Redis store (a private
// redis-server on a free port, started and stopped by its PID; the service opens it as
// `serve --role api` would, so versions come by pub/sub). Goal: p99 < 50 ms, 0 errors.
//
// Three processes, as on the two cores the benches run on: this one only orchestrates; the
// service runs in a child (this file with `serve`), the fixed-rate load generator
// (bench/fixed-rate.ts) in another, so neither's event loop delays the other's. Latency is
// measured from each request's due time (see fixed-rate.ts). The service's CPU per request is
// its process.cpuUsage() over the measured window, divided by the requests; on Redis, the
// commands Redis ran meanwhile (INFO commandstats) show that a cached answer needs none. When
// the generator itself sent late, the machine was busy and the line says so: run it again
// (BENCH_STORES=memory or redis repeats one).

import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { Redis } from "ioredis";
import { request } from "undici";
import { startService } from "../src/app/service.js";
import { parseConfig } from "../src/config/load.js";
import { createLogger } from "../src/log.js";
import { MemoryStore } from "../src/store/memory.js";
import { connectRedisStore } from "../src/store/redis.js";
import type { Store } from "../src/store/store.js";
import { startRedisServer } from "../test/helpers/redis-server.js";
import { BENCH_YAML, makeUpdates } from "./bench-data.js";
import type { FixedRateResult } from "./fixed-rate.js";

const RATE = Number(process.env.BENCH_RATE ?? 1000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const ENTRIES = Number(process.env.BENCH_ENTRIES ?? 4000);
const PATH = "/api/updates?limit=50";
/** Which stores to measure, e.g. BENCH_STORES=redis to repeat one. */
const STORES = (process.env.BENCH_STORES ?? "memory,redis").split(",");
/** Beyond this the generator itself was late (a busy machine), and so are the latencies. */
const MAX_SEND_LAG_P99_MS = 5;

/** The child: a filled store and the service on it; answers `cpu` lines on stdin. */
async function serve(redisUrl: string | undefined): Promise<void> {
  const config = parseConfig(BENCH_YAML, redisUrl ? { REDIS_URL: redisUrl } : {});
  let store: Store | undefined;
  if (redisUrl) {
    // Filled through a connection of its own; the service then opens Redis the way `serve` does.
    const filler = await connectRedisStore({ url: redisUrl });
    await filler.upsert(makeUpdates(ENTRIES), { fallbackDated: new Set() });
    await filler.close();
  } else {
    store = new MemoryStore();
    await store.upsert(makeUpdates(ENTRIES), { fallbackDated: new Set() });
  }
  const service = await startService(config, createLogger("silent"), {
    store,
    pollAtStart: false,
    role: redisUrl ? "api" : "all",
  });
  process.stdout.write(`${JSON.stringify({ url: service.url })}\n`);
  for await (const line of createInterface({ input: process.stdin })) {
    if (line === "cpu") process.stdout.write(`${JSON.stringify(process.cpuUsage())}\n`);
  }
  await service.stop();
  process.exit(0);
}

/** Starts the service child; `cpuMs()` reads its user + system CPU so far. */
async function startChild(redisUrl: string | undefined) {
  const child = spawn(
    process.execPath,
    ["--import=tsx", "bench/api-updates.ts", "serve", ...(redisUrl ? [redisUrl] : [])],
    { stdio: ["pipe", "pipe", "inherit"], env: { ...process.env, TZ: "UTC" } },
  );
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const nextLine = async () => {
    const { value, done } = await lines.next();
    if (done) throw new Error("the service child exited early");
    return value as string;
  };
  const { url } = JSON.parse(await nextLine()) as { url: string };
  return {
    url,
    cpuMs: async () => {
      child.stdin.write("cpu\n");
      const { user, system } = JSON.parse(await nextLine()) as { user: number; system: number };
      return (user + system) / 1000;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.stdin.end();
      }),
  };
}

/** Runs bench/fixed-rate.ts against `origin` in a process of its own. */
function fixedRate(origin: string): Promise<FixedRateResult> {
  const child = spawn(
    process.execPath,
    [
      "--import=tsx",
      "bench/fixed-rate.ts",
      origin,
      PATH,
      String(RATE),
      String(SECONDS),
      String(CONNECTIONS),
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once("line", (line) =>
      resolve(JSON.parse(line) as FixedRateResult),
    );
    child.once("exit", (code) => {
      if (code !== 0) reject(new Error(`the load generator exited with ${code}`));
    });
  });
}

/** Commands Redis has run since it started (INFO commandstats), minus INFO's own. */
async function commandCount(admin: Redis): Promise<number> {
  const stats = await admin.info("commandstats");
  let total = 0;
  for (const match of stats.matchAll(/^cmdstat_(\w+):calls=(\d+)/gm)) {
    if (match[1] !== "info") total += Number(match[2]);
  }
  return total;
}

async function measure(kind: "memory" | "redis"): Promise<void> {
  const redis = kind === "redis" ? await startRedisServer(undefined) : undefined;
  try {
    const service = await startChild(redis?.url);
    try {
      // Warm: the page rendered once, then served from the cache; each answer must be the same.
      const etags = new Set<string>();
      for (let i = 0; i < 20; i++) {
        const answer = await request(`${service.url}${PATH}`, {
          headers: { "accept-encoding": "gzip" },
        });
        await answer.body.dump();
        if (answer.statusCode !== 200) throw new Error(`warm-up: ${answer.statusCode}`);
        etags.add(String(answer.headers.etag));
      }
      if (etags.size !== 1) throw new Error(`warm-up: ${etags.size} different ETags`);
      // Commands Redis ran during the window, all clients together: a cached request needs none.
      const admin = redis ? new Redis(redis.url) : undefined;
      const commandsBefore = admin ? await commandCount(admin) : 0;
      const cpuBefore = await service.cpuMs();
      const result = await fixedRate(service.url);
      // The generator's warm-up second counts too: its requests are served in the same window.
      const served = result.sent + RATE;
      const cpuPerRequest = ((await service.cpuMs()) - cpuBefore) / served;
      const commands = admin ? (await commandCount(admin)) - commandsBefore : undefined;
      admin?.disconnect();
      const errors = Object.entries(result.errors);
      const { p50, p90, p99, p999, max } = result.latencyMs;
      console.log(
        `${kind.padEnd(6)} achieved ${result.achievedRate.toFixed(0)} req/s (${result.ok}/${result.sent} ok); ` +
          `latency p50 ${p50.toFixed(2)} ms, p90 ${p90.toFixed(2)}, p99 ${p99.toFixed(2)} (goal < 50), ` +
          `p99.9 ${p999.toFixed(2)}, max ${max.toFixed(1)}; errors ${errors.length === 0 ? 0 : errors.map(([k, n]) => `${k} x${n}`).join(", ")} (goal 0); ` +
          `service CPU ${cpuPerRequest.toFixed(3)} ms/request; ` +
          (commands === undefined
            ? ""
            : `redis commands ${commands} (${(commands / served).toFixed(4)}/request); `) +
          `generator send lag p99 ${result.sendLagMs.p99.toFixed(2)} ms, max ${result.sendLagMs.max.toFixed(1)}, ` +
          `CPU ${result.cpuMsPerRequest.toFixed(3)} ms/request`,
      );
      if (result.sendLagMs.p99 > MAX_SEND_LAG_P99_MS) {
        console.log(
          `  the load generator sent late (p99 ${result.sendLagMs.p99.toFixed(1)} ms > ${MAX_SEND_LAG_P99_MS}): ` +
            "the machine was busy, so these latencies measure it as much as the service; run again",
        );
      }
    } finally {
      await service.stop();
    }
  } finally {
    await redis?.close();
  }
}

if (process.argv[2] === "serve") {
  await serve(process.argv[3]);
} else {
  console.log(
    `cached ${PATH} (gzip, ${ENTRIES} entries stored) at a fixed ${RATE} req/s for ${SECONDS} s, ` +
      `${CONNECTIONS} keep-alive connections, latency from each request's due time:`,
  );
  for (const kind of ["memory", "redis"] as const) if (STORES.includes(kind)) await measure(kind);
}
