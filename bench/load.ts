// What the HTTP benchmarks share: the servers' child process (bench/servers.ts), a closed-loop
// load generator and the median. Servers run in a child process (one core), the load
// generator in the benchmark's process (the other core).
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { Pool } from "undici";

export const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
export const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);

export interface Servers {
  tributary: string;
  bare: string;
  path: string;
  etag: string;
  bytes: number;
  entries: number;
  categories: string[];
  maxLimit: number;
  renderMs: Record<"rss" | "atom" | "json", number>;
}

export async function startServers() {
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
export async function measure(
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

export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};
