// npm run bench (part): one full polling cycle over 1,000 loopback sources (distinct 20–50-item
// feeds, ~35k items, served at once by a fixture in a child process on 25 loopback host names),
// by real `tributary serve --role worker` processes on a private redis-server:
//   1. one worker: the start-up cycle's wall time (first request to last poll logged), the
//      worker's peak RSS (VmHWM, parse thread included) and Redis commands per new entry
//      (INFO commandstats, every command the cycle caused divided by the entries it added);
//   2. the same worker, an operator poll of every source where every partner answers 304: its
//      time (POST /admin/poll?wait=1) and the entry writes it made (none expected);
//   3. two workers started together on an empty Redis: each source fetched exactly once (the
//      fixture's request log).
// Targets (issue 11): cycle ≤ 8 s, peak RSS ≤ 300 MiB, ≤ 1.5 commands per entry, 304 cycle ≤ 1 s.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { Redis } from "ioredis";
import { startRedisServer } from "../test/helpers/redis-server.js";

const SOURCES = Number(process.env.BENCH_SOURCES ?? 1000);
const HOSTS = 25;
const TOKEN = "cycle-bench-token";

interface Fixture {
  origins: string[];
  log(reset?: boolean): Promise<Record<string, number>>;
  stop(): void;
}

async function startFixture(): Promise<Fixture> {
  const child = spawn(
    process.execPath,
    ["--import=tsx", "bench/cycle-fixture.ts", String(SOURCES), String(HOSTS)],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`fixture exited with ${code}`)));
  });
  const { origins } = JSON.parse(line) as { origins: string[] };
  return {
    origins,
    async log(reset = false) {
      const response = await fetch(`${origins[0]}/_log${reset ? "?reset=1" : ""}`);
      return (await response.json()) as Record<string, number>;
    },
    stop: () => child.kill("SIGTERM"),
  };
}

function configYaml(origins: string[]): string {
  const sources = Array.from({ length: SOURCES }, (_, n) => {
    const origin = origins[n % origins.length];
    return `  - { id: s${n}, title: "Source ${n}", url: "${origin}/feed/${n}.rss", categories: [news] }`;
  });
  // Once a year: the only polls are the start-up cycle and the operator's.
  return `service: { port: 0, host: 127.0.0.1, baseUrl: "http://tributary.bench" }
polling: { allowPrivateNetworks: true, schedule: "0 0 1 1 *", concurrency: 32 }
retention: { maxEntriesPerSource: 500, maxAgeDays: 36500 }
categories: [{ id: news, title: News }]
sources:
${sources.join("\n")}
`;
}

interface Worker {
  child: ChildProcess;
  url: string;
  /** Epoch ms of each "poll" log line. */
  polls: number[];
  peakRssMiB(): number;
  /** CPU seconds the process has used (user + system, every thread). */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

async function startWorker(configPath: string, redisUrl: string): Promise<Worker> {
  const child = spawn(
    process.execPath,
    [
      // e.g. BENCH_WORKER_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the workers
      ...(process.env.BENCH_WORKER_FLAGS ?? "").split(" ").filter(Boolean),
      "--import=tsx",
      "src/main.ts",
      "serve",
      "--role",
      "worker",
      "--config",
      configPath,
    ],
    {
      stdio: ["ignore", "pipe", "inherit"],
      env: {
        ...process.env,
        REDIS_URL: redisUrl,
        ADMIN_TOKEN: TOKEN,
        LOG_LEVEL: "info",
        TZ: "UTC",
      },
    },
  );
  const polls: number[] = [];
  let url = "";
  let listening: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    listening = resolve;
  });
  createInterface({ input: child.stdout }).on("line", (line) => {
    const entry = JSON.parse(line) as { msg: string; time: number; url?: string };
    if (entry.msg === "poll" || entry.msg === "poll failed") polls.push(entry.time);
    if (entry.msg === "listening") {
      url = String(entry.url);
      listening();
    }
  });
  await ready;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  return {
    child,
    get url() {
      return url;
    },
    polls,
    peakRssMiB() {
      const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
      return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
    },
    cpuSeconds() {
      const fields =
        readFileSync(`/proc/${child.pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
      return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks
    },
    async stop() {
      child.kill("SIGTERM");
      await exited;
    },
  };
}

async function commandStats(redis: Redis): Promise<Map<string, number>> {
  const info = await redis.info("commandstats");
  const calls = new Map<string, number>();
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    calls.set(match[1] ?? "", Number(match[2]));
  }
  return calls;
}

/** Bytes Redis has read from its clients so far. */
const netInput = async (redis: Redis) =>
  Number(/total_net_input_bytes:(\d+)/.exec(await redis.info("stats"))?.[1]);

const delta = (after: Map<string, number>, before: Map<string, number>) =>
  new Map([...after].map(([name, n]) => [name, n - (before.get(name) ?? 0)] as const));
const total = (calls: Map<string, number>) => [...calls.values()].reduce((a, b) => a + b, 0);

async function waitFor(condition: () => boolean, timeoutMs: number, what: string) {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function main() {
  const fixture = await startFixture();
  const dir = mkdtempSync(join(tmpdir(), "tributary-cycle-"));
  const configPath = join(dir, "tributary.yaml");
  writeFileSync(configPath, configYaml(fixture.origins));
  const redisServer = await startRedisServer(undefined);
  const redis = new Redis(redisServer.url);
  try {
    // 1. One worker, the start-up cycle.
    const before = await commandStats(redis);
    const memoryBefore = Number(/used_memory:(\d+)/.exec(await redis.info("memory"))?.[1]);
    const inputBefore = await netInput(redis);
    const spawned = Date.now();
    const worker = await startWorker(configPath, redisServer.url);
    await waitFor(() => worker.polls.length >= SOURCES, 120_000, "the first cycle");
    const requests = await fixture.log(true);
    const first = Math.min(...worker.polls);
    const last = Math.max(...worker.polls);
    const entries = Number(await redis.zcard("tributary:cat:all"));
    const cycle = delta(await commandStats(redis), before);
    const perEntry = (total(cycle) - 1) / entries; // INFO itself is one call
    const memoryAfter = Number(/used_memory:(\d+)/.exec(await redis.info("memory"))?.[1]);
    const sentMiB = ((await netInput(redis)) - inputBefore) / 1024 / 1024;
    console.log(
      `cycle 1 (one worker): ${SOURCES} sources, ${entries} entries, ${Object.keys(requests).length} feeds fetched`,
    );
    console.log(
      `  first poll logged ${first - spawned} ms after spawn; cycle ${(last - first) / 1000} s from first to last poll logged (target ≤ 8 s)`,
    );
    console.log(`  worker peak RSS ${worker.peakRssMiB().toFixed(0)} MiB (target ≤ 300 MiB)`);
    const top = [...cycle]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8)
      .map(([name, n]) => `${name} ${n}`)
      .join(", ");
    console.log(
      `  Redis commands ${total(cycle) - 1}: ${perEntry.toFixed(2)} per new entry (target ≤ 1.5); ${top}`,
    );
    console.log(`  sent to Redis ${sentMiB.toFixed(1)} MiB`);
    console.log(
      `  Redis memory per stored entry ${((memoryAfter - memoryBefore) / entries).toFixed(0)} bytes`,
    );

    // 2. Every partner answers 304.
    const before304 = await commandStats(redis);
    const cpuBefore = worker.cpuSeconds();
    const started = performance.now();
    const answer = await fetch(`${worker.url}/admin/poll?wait=1`, {
      method: "POST",
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    const outcomes = (await answer.json()) as { outcomes: { status: string }[] };
    const ms = performance.now() - started;
    const cpu = worker.cpuSeconds() - cpuBefore;
    const writes = delta(await commandStats(redis), before304);
    const statuses = new Map<string, number>();
    for (const o of outcomes.outcomes ?? [])
      statuses.set(o.status, (statuses.get(o.status) ?? 0) + 1);
    console.log(
      `cycle 2 (all 304): ${(ms / 1000).toFixed(2)} s (target ≤ 1 s), worker CPU ${cpu.toFixed(2)} s; outcomes ${JSON.stringify(Object.fromEntries(statuses))}; entry writes: MSET ${writes.get("mset") ?? 0}, ZADD ${writes.get("zadd") ?? 0}`,
    );
    await worker.stop();

    // 3. Two workers on an empty Redis.
    await redis.flushall();
    await fixture.log(true);
    const [a, b] = await Promise.all([
      startWorker(configPath, redisServer.url),
      startWorker(configPath, redisServer.url),
    ]);
    await waitFor(
      () => a.polls.length + b.polls.length >= SOURCES,
      120_000,
      "the two workers' cycle",
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    const log = await fixture.log();
    const counts = Object.values(log);
    const twice = counts.filter((n) => n > 1).length;
    console.log(
      `two workers: ${counts.length} feeds fetched, ${twice} more than once (expected 0); polls ${a.polls.length} + ${b.polls.length}`,
    );
    await Promise.all([a.stop(), b.stop()]);
  } finally {
    redis.disconnect();
    await redisServer.close();
    fixture.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
