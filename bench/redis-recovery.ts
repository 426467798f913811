// npm run bench (after bench/feeds.ts): how long Tributary takes to recover by itself once Redis
// answers again after an outage. A private redis-server on a free port (never the shared one)
// is stopped while a reader keeps fetching a feed, then restarted; the clock starts when it
// answers PING and stops at the first /readyz 200 and at the first feed served without the stale
// Warning. Median of BENCH_RECOVERY_ROUNDS restarts, with AOF (data survives) and without
// persistence (Redis comes back empty and the reconnect's poll refills it).
// The client retries with a backoff capped at 2 s (redis-client.ts), so the figure depends on
// where in that cycle Redis returns: outages last BENCH_OUTAGE_MS (past the backoff's ramp) plus
// a step that spreads the rounds evenly over one 2 s cycle.
import { REDIS_CLIENT_DEFAULTS } from "../src/store/redis-client.js";
import { get, type OutageRig, startOutageRig, waitUntil } from "../test/outage/rig.js";

const ROUNDS = Number(process.env.BENCH_RECOVERY_ROUNDS ?? 5);
const OUTAGE_MS = Number(process.env.BENCH_OUTAGE_MS ?? 3500);
const CYCLE_MS = REDIS_CLIENT_DEFAULTS.maxReconnectDelayMs;
const LIMIT_MS = 30_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const stats = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (i: number) => (sorted[i] ?? Number.NaN).toFixed(0);
  return `median ${at(Math.floor(sorted.length / 2))} ms (min ${at(0)}, max ${at(sorted.length - 1)})`;
};

const isFresh = async (rig: OutageRig) => {
  const answer = await get(`${rig.service.url}/feeds/all.rss`);
  return answer.status === 200 && answer.header("warning") === "";
};

async function round(rig: OutageRig, outageMs: number) {
  const { service, redis } = rig;
  await redis.stop();
  // A feed reader polling through the outage: it gets the last feed, marked stale.
  const until = performance.now() + outageMs;
  while (performance.now() < until) {
    const answer = await get(`${service.url}/feeds/all.rss`);
    if (answer.status !== 200 || answer.header("warning") === "") {
      throw new Error(`during the outage: ${answer.status}, warning "${answer.header("warning")}"`);
    }
    await sleep(100);
  }
  await redis.restart();
  const [ready, fresh] = await Promise.all([
    waitUntil(async () => (await get(`${service.url}/readyz`)).status === 200, LIMIT_MS, 10),
    waitUntil(() => isFresh(rig), LIMIT_MS, 10),
  ]);
  return { ready, fresh };
}

async function measure(persistence: "aof" | "none") {
  const rig = await startOutageRig(undefined, { persistence });
  try {
    await rig.service.initialPoll;
    await waitUntil(() => isFresh(rig), LIMIT_MS);
    const ready: number[] = [];
    const fresh: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const result = await round(rig, OUTAGE_MS + Math.round((i * CYCLE_MS) / ROUNDS));
      ready.push(result.ready);
      fresh.push(result.fresh);
    }
    console.log(
      `redis ${persistence === "aof" ? "with AOF" : "without persistence"}, ` +
        `${ROUNDS} restarts after ${OUTAGE_MS}–${OUTAGE_MS + CYCLE_MS} ms outages: ` +
        `/readyz 200 ${stats(ready)}; ` +
        `fresh feed ${stats(fresh)}`,
    );
  } finally {
    await rig.close();
  }
}

console.log("time to recover after Redis answers PING again:");
await measure("aof");
await measure("none");
