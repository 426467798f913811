// npm run bench: requests per second of a cached 50-entry category feed (gzip) and of a 304,
// Tributary against a bare node:http server sending the same bytes and headers, in one run.
// Then whether uncached requests can starve cached ones: the p50 latency of the cached
// /feeds/all.rss alone, and again while another client cycles every valid limit × format ×
// category as fast as it can; and the CPU cost of one uncached 50-entry render.
// Servers run in a child process (one core), the load generator here (the other core), and the
// client cycling uncached pages in a third, so its work does not delay the readers' event loop.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { Pool } from "undici";
import { CONNECTIONS, measure, median, ROUNDS, SECONDS, startServers } from "./load.js";

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

const { servers, stop } = await startServers();
try {
  const cases: { name: string; headers: Record<string, string>; expect: number }[] = [
    { name: "200 gzip", headers: { "accept-encoding": "gzip" }, expect: 200 },
    {
      name: "304",
      headers: { "accept-encoding": "gzip", "if-none-match": servers.etag },
      expect: 304,
    },
  ];
  console.log(
    `store: ${servers.entries} entries; feed ${servers.path}, 50 entries, ${servers.bytes} bytes gzip; ` +
      `${ROUNDS} rounds x ${SECONDS}s, ${CONNECTIONS} connections`,
  );
  for (const c of cases) {
    // Warm both, then alternate so machine noise hits both sides alike.
    await measure(servers.tributary, servers.path, c.headers, c.expect);
    await measure(servers.bare, servers.path, c.headers, c.expect);
    const tributary: number[] = [];
    const bare: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      tributary.push(await measure(servers.tributary, servers.path, c.headers, c.expect));
      bare.push(await measure(servers.bare, servers.path, c.headers, c.expect));
    }
    const t = median(tributary);
    const b = median(bare);
    console.log(
      `${c.name.padEnd(9)} tributary ${t.toFixed(0).padStart(6)} req/s   bare node:http ${b.toFixed(0).padStart(6)} req/s   ratio ${(t / b).toFixed(2)}`,
    );
  }
  await starvation();
} finally {
  stop();
}
