// What the HTTP benchmarks share: the servers' child process (bench/servers.ts), a closed-loop
// load generator and the median. Servers run in a child process (one core), the load
// generator in the benchmark's process (the other core).
import { spawn, spawnSync } from "node:child_process";
import { createInterface } from "node:readline";
import { Pool, request } from "undici";

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
  /** Measured by the memory-store process only. */
  renderMs: Record<"rss" | "atom" | "json", number>;
}

/** Where the bare server of bench/servers.ts answers its process's CPU time (process.cpuUsage). */
export const CPU_PATH = "/cpu-usage";

/** CPU microseconds (user + system) the servers' process at `bare` has used so far. */
export async function cpuMicros(bare: string): Promise<number> {
  const response = await request(`${bare}${CPU_PATH}`);
  const usage = (await response.body.json()) as { user: number; system: number };
  return usage.user + usage.system;
}

/** Starts bench/servers.ts; `env` chooses its store (see there). */
export async function startServers(env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ["--import=tsx", "bench/servers.ts"], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, TZ: "UTC", ...env },
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

/** Whether wrk is installed: a load generator in C, so the client costs little of the CPU. */
export const hasWrk = (): boolean => spawnSync("wrk", ["--version"]).error === undefined;

/**
 * Requests per second of wrk (one thread) keeping `connections` requests in flight on `url` for
 * SECONDS; throws when any answer was not `expect`'s class (wrk counts non-2xx/3xx) or failed.
 */
export async function wrk(
  url: string,
  headers: Record<string, string>,
  connections: number,
): Promise<{ rate: number; requests: number }> {
  const args = ["-t1", `-c${connections}`, `-d${SECONDS}s`];
  for (const [name, value] of Object.entries(headers)) args.push("-H", `${name}: ${value}`);
  const child = spawn("wrk", [...args, url], { stdio: ["ignore", "pipe", "inherit"] });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  await new Promise<void>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`wrk exited with ${code}: ${output}`)),
    );
  });
  const wrong = /Non-2xx or 3xx responses: (\d+)/.exec(output);
  const errors = /Socket errors: (.*)/.exec(output);
  if (wrong || errors) throw new Error(`${url}: ${wrong?.[0] ?? errors?.[0]}`);
  const rate = /Requests\/sec:\s+([\d.]+)/.exec(output)?.[1];
  const requests = /(\d+) requests in/.exec(output)?.[1];
  if (rate === undefined || requests === undefined) {
    throw new Error(`no Requests/sec in wrk's output: ${output}`);
  }
  return { rate: Number(rate), requests: Number(requests) };
}
