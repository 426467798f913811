// npm run bench: requests per second of a cached 50-entry category feed (gzip) and of a 304,
// Tributary against a bare node:http server sending the same bytes and headers, in one run: on
// the memory store (one process: Tributary and its bare twin), and on Redis with two api
// instances (two processes on one Redis, each with its own bare twin; the load is split evenly
// across the two, for Tributary and for bare node:http alike). wrk drives the load when it is
// installed (else the undici client below), each pair measured alternately, medians compared.
// Then whether uncached requests can starve cached ones: the p50 latency of the cached
// /feeds/all.rss alone, and again while another client cycles every valid limit × format ×
// category as fast as it can; and the CPU cost of one uncached 50-entry render.
// Servers run in a child process (one core), the load generator here (the other core), and the
// client cycling uncached pages in a third, so its work does not delay the readers' event loop.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createInterface } from "node:readline";
import { Redis } from "ioredis";
import { Pool } from "undici";
import {
  CONNECTIONS,
  cpuMicros,
  hasWrk,
  measure,
  median,
  ROUNDS,
  SECONDS,
  type Servers,
  startServers,
  wrk,
} from "./load.js";

/** Cached readers of /feeds/all.rss, and connections of the client cycling uncached pages. */
const READERS = Number(process.env.BENCH_READERS ?? CONNECTIONS);
const CYCLERS = Number(process.env.BENCH_CYCLERS ?? 16);

/** Latencies (ms) of READERS connections fetching the cached `path` back to back until `until`. */
async function readLatencies(origin: string, path: string, until: Promise<unknown>) {
  const pool = new Pool(origin, { connections: READERS, pipelining: 1 });
  const latencies: number[] = [];
  let done = false;
  void until.then(() => {
    done = true;
  });
  const reader = async () => {
    while (!done) {
      const started = performance.now();
      const response = await pool.request({
        method: "GET",
        path,
        headers: { "accept-encoding": "gzip" },
      });
      await response.body.dump();
      if (response.statusCode !== 200) throw new Error(`${path}: ${response.statusCode}`);
      latencies.push(performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: READERS }, reader));
  await pool.close();
  return latencies;
}

/**
 * Starts the cycling client (bench/cycle-uncached.ts) in a process of its own; `started`
 * resolves when it begins, `finished` with its counts after SECONDS.
 */
function cycleUncached(origin: string) {
  const child = spawn(
    process.execPath,
    [
      "--import=tsx",
      "bench/cycle-uncached.ts",
      origin,
      String(SECONDS),
      String(CYCLERS),
      servers.categories.join(","),
      String(servers.maxLimit),
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const nextLine = async () => {
    const { value, done } = await lines.next();
    if (done) throw new Error("the cycling client exited early");
    return value as string;
  };
  const started = nextLine();
  const finished = started
    .then(nextLine)
    .then(
      (line) => JSON.parse(line) as { ok: number; busy: number; other: number; distinct: number },
    );
  return { started, finished };
}

const seconds = (s: number) => new Promise((resolve) => setTimeout(resolve, s * 1000));

async function starvation() {
  const cached = "/feeds/all.rss";
  await readLatencies(servers.tributary, cached, seconds(1)); // warm
  const alone = median(await readLatencies(servers.tributary, cached, seconds(SECONDS)));
  // The readers run for as long as the cycling client does (it stops itself after SECONDS).
  const cycling = cycleUncached(servers.tributary);
  await cycling.started;
  const [loaded, cycled] = await Promise.all([
    readLatencies(servers.tributary, cached, cycling.finished),
    cycling.finished,
  ]);
  const p50 = median(loaded);
  console.log(
    `cached ${cached} p50, ${READERS} readers: alone ${alone.toFixed(2)} ms; while ${CYCLERS} connections cycle ` +
      `${cycled.distinct} uncached pages (limit 1..${servers.maxLimit} x format x category): ` +
      `${p50.toFixed(2)} ms; ratio ${(p50 / alone).toFixed(2)} (goal <= 2)`,
  );
  console.log(
    `cycling client: ${cycled.ok} x 200, ${cycled.busy} x 503 (Retry-After), ${cycled.other} other, in ${SECONDS}s`,
  );
  const { rss, atom, json } = servers.renderMs;
  console.log(
    `uncached 50-entry render (read, render, ETag, gzip), median CPU: rss ${rss.toFixed(2)} ms, ` +
      `atom ${atom.toFixed(2)} ms, json ${json.toFixed(2)} ms (goal <= 3)`,
  );
}

const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const useWrk = hasWrk();

interface Round {
  /** Requests per second, summed over the processes loaded. */
  rate: number;
  /** Server CPU microseconds per request (every process loaded; the load generator excluded). */
  cpuPerRequest: number;
}

/**
 * One round on `origins` at once, CONNECTIONS split evenly between them; `cpu` are the bare
 * servers of the same processes, which say how much CPU each process used meanwhile.
 */
async function round(
  origins: string[],
  cpu: string[],
  path: string,
  headers: Record<string, string>,
  expect: number,
): Promise<Round> {
  const each = Math.max(1, Math.floor(CONNECTIONS / origins.length));
  const before = await Promise.all(cpu.map(cpuMicros));
  const results = await Promise.all(
    origins.map(async (origin) => {
      if (useWrk) return wrk(`${origin}${path}`, headers, each);
      const rate = await measure(origin, path, headers, expect);
      return { rate, requests: rate * SECONDS };
    }),
  );
  const after = await Promise.all(cpu.map(cpuMicros));
  const used = after.reduce((sum, micros, i) => sum + micros - (before[i] as number), 0);
  const requests = results.reduce((sum, r) => sum + r.requests, 0);
  return { rate: results.reduce((sum, r) => sum + r.rate, 0), cpuPerRequest: used / requests };
}

/** Whether a Redis answers at REDIS_URL (the Redis rows are skipped otherwise). */
async function redisAnswers(): Promise<boolean> {
  const client = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0 });
  try {
    await client.connect();
    await client.ping();
    return true;
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** Deletes the benchmark's keys (SCAN + DEL of its own prefix, never a flush). */
async function deleteKeys(prefix: string): Promise<void> {
  const client = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    let cursor = "0";
    do {
      const [next, keys] = await client.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
      if (keys.length > 0) await client.del(...keys);
      cursor = next;
    } while (cursor !== "0");
  } finally {
    client.disconnect();
  }
}

interface Setup {
  name: string;
  tributary: string[];
  bare: string[];
  path: string;
  etag: string;
}

const { servers, stop } = await startServers();
const stops = [stop];
const redisPrefix = `tributary-bench:${randomBytes(6).toString("hex")}:`;
try {
  const setups: Setup[] = [
    {
      name: "memory, 1 process",
      tributary: [servers.tributary],
      bare: [servers.bare],
      path: servers.path,
      etag: servers.etag,
    },
  ];
  if (await redisAnswers()) {
    const env = {
      BENCH_STORE: "redis",
      BENCH_REDIS_URL: REDIS_URL,
      BENCH_REDIS_PREFIX: redisPrefix,
    };
    // The first instance writes the entries; the second starts on them, as a second api would.
    const first = await startServers({ ...env, BENCH_SEED: "1" });
    stops.push(first.stop);
    const second = await startServers(env);
    stops.push(second.stop);
    const both: Servers[] = [first.servers, second.servers];
    if (second.servers.etag !== first.servers.etag)
      throw new Error("the instances disagree on the ETag");
    setups.push({
      name: "redis, 2 api processes",
      tributary: both.map((s) => s.tributary),
      bare: both.map((s) => s.bare),
      path: first.servers.path,
      etag: first.servers.etag,
    });
  } else {
    console.log(`no Redis at ${REDIS_URL}: the Redis rows are skipped`);
  }
  console.log(
    `store: ${servers.entries} entries; feed ${servers.path}, 50 entries, ${servers.bytes} bytes gzip; ` +
      `${ROUNDS} rounds x ${SECONDS}s, ${CONNECTIONS} connections (split evenly across processes), ` +
      `load by ${useWrk ? "wrk, one thread per process" : "undici (wrk not installed)"}; ` +
      "bare node:http runs in the same processes as Tributary, sending the same bytes and headers; " +
      "server CPU/request is the servers' processes' CPU time over the requests served (the " +
      "machine's other load aside), its ratio bare/tributary",
  );
  for (const setup of setups) {
    const cases: { name: string; headers: Record<string, string>; expect: number; goal: number }[] =
      [
        { name: "200 gzip", headers: { "accept-encoding": "gzip" }, expect: 200, goal: 0.8 },
        {
          name: "304",
          headers: { "accept-encoding": "gzip", "if-none-match": setup.etag },
          expect: 304,
          goal: 0.9,
        },
      ];
    for (const c of cases) {
      const run = (origins: string[]) =>
        round(origins, setup.bare, setup.path, c.headers, c.expect);
      // Warm both, then alternate so machine noise hits both sides alike.
      await run(setup.tributary);
      await run(setup.bare);
      const tributary: Round[] = [];
      const bare: Round[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        tributary.push(await run(setup.tributary));
        bare.push(await run(setup.bare));
      }
      const t = median(tributary.map((r) => r.rate));
      const b = median(bare.map((r) => r.rate));
      const tCpu = median(tributary.map((r) => r.cpuPerRequest));
      const bCpu = median(bare.map((r) => r.cpuPerRequest));
      console.log(
        `${setup.name.padEnd(23)} ${c.name.padEnd(9)} tributary ${t.toFixed(0).padStart(6)} req/s   ` +
          `bare node:http ${b.toFixed(0).padStart(6)} req/s   ratio ${(t / b).toFixed(2)} (goal >= ${c.goal})   ` +
          `server CPU/request ${tCpu.toFixed(1)} vs ${bCpu.toFixed(1)} us, ratio ${(bCpu / tCpu).toFixed(2)}`,
      );
    }
  }
  await starvation();
} finally {
  for (const stopServers of stops) stopServers();
  await deleteKeys(redisPrefix);
}
