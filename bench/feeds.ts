// npm run bench: requests per second of a cached 50-entry category feed (gzip) and of a 304,
// Tributary against a bare node:http server sending the same bytes and headers, in one run.
// Servers run in a child process (one core), the load generator here (the other core).
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { Pool } from "undici";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);

interface Servers {
  tributary: string;
  bare: string;
  path: string;
  etag: string;
  bytes: number;
  entries: number;
}

async function startServers() {
  const child = spawn(process.execPath, ["--import=tsx", "bench/servers.ts"], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, TZ: "UTC" },
  });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`bench servers exited with ${code}`)));
  });
  return { servers: JSON.parse(line) as Servers, stop: () => child.kill("SIGTERM") };
}

/** Completed requests per second with CONNECTIONS requests kept in flight for SECONDS. */
async function measure(
  origin: string,
  path: string,
  headers: Record<string, string>,
  expect: number,
) {
  const pool = new Pool(origin, { connections: CONNECTIONS, pipelining: 1 });
  const deadline = performance.now() + SECONDS * 1000;
  let done = 0;
  let wrong = 0;
  const worker = async () => {
    while (performance.now() < deadline) {
      const response = await pool.request({ method: "GET", path, headers });
      await response.body.dump();
      if (response.statusCode === expect) done++;
      else wrong++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  const elapsed = (performance.now() - started) / 1000;
  await pool.close();
  if (wrong > 0) throw new Error(`${origin}: ${wrong} responses were not ${expect}`);
  return done / elapsed;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};

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
} finally {
  stop();
}
