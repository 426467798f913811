// A fixed-rate HTTP load generator (what wrk2 does; distributions package only wrk, which keeps a
// fixed number of requests in flight and so slows down with the server it measures).
//
//   node --import=tsx bench/fixed-rate.ts <origin> <path> <rate/s> <seconds> [connections]
//
// Request k is due at start + k / rate whatever happened to the ones before it, and its latency
// is measured from that due time, not from when it was sent: a request that had to wait for a
// free connection, or for this process to get the CPU back, counts the wait. That is what avoids
// coordinated omission — a closed-loop client that waits for each answer before sending the
// next sends fewer requests exactly while the server is slow, and never sees the queue a client
// at a steady rate would have met. Connections are kept alive (an undici Pool) and opened during
// a warm-up second that is not measured. Prints one JSON line (FixedRateResult).
import { Pool } from "undici";

export interface FixedRateResult {
  /** Requests due in the measured window, and how many of them completed with a 200. */
  sent: number;
  ok: number;
  /** Non-200 answers and failed requests (connection errors, timeouts), by status or code. */
  errors: Record<string, number>;
  /** Completed requests per second over the measured window (from the first due time to the last answer). */
  achievedRate: number;
  /** From each request's due time to the end of its body, in ms. */
  latencyMs: { p50: number; p90: number; p99: number; p999: number; max: number };
  /** How late this process sent requests behind their due time (its own lag), ms. */
  sendLagMs: { p99: number; max: number };
  bytes: number;
  /** This process's CPU (user + system) per measured request, ms: what the generator costs. */
  cpuMsPerRequest: number;
}

const [origin, path, rateArg, secondsArg, connectionsArg] = process.argv.slice(2);
if (!origin || !path || !rateArg || !secondsArg) {
  throw new Error("usage: fixed-rate.ts <origin> <path> <rate/s> <seconds> [connections]");
}
const PATH = path;
const RATE = Number(rateArg);
const SECONDS = Number(secondsArg);
const CONNECTIONS = Number(connectionsArg ?? 16);
const HEADERS = { "accept-encoding": "gzip" };
const WARM_SECONDS = 1;

const pool = new Pool(origin, { connections: CONNECTIONS, pipelining: 1 });

interface Run {
  latencies: Float64Array;
  sendLags: Float64Array;
  ok: number;
  bytes: number;
  errors: Record<string, number>;
  lastDoneMs: number;
}

/** Sends `total` requests at RATE from `startMs` on; resolves when every one has ended. */
function drive(total: number, startMs: number): Promise<Run> {
  const run: Run = {
    latencies: new Float64Array(total),
    sendLags: new Float64Array(total),
    ok: 0,
    bytes: 0,
    errors: {},
    lastDoneMs: startMs,
  };
  const fail = (kind: string) => {
    run.errors[kind] = (run.errors[kind] ?? 0) + 1;
  };
  const dueMs = (k: number) => startMs + (k * 1000) / RATE;
  return new Promise((resolve) => {
    let issued = 0;
    let ended = 0;
    const finished = (k: number) => {
      const now = performance.now();
      run.latencies[k] = now - dueMs(k);
      run.lastDoneMs = Math.max(run.lastDoneMs, now);
      if (++ended === total) resolve(run);
    };
    const send = (k: number) => {
      run.sendLags[k] = performance.now() - dueMs(k);
      pool.request({ method: "GET", path: PATH, headers: HEADERS }).then(
        async (response) => {
          let length = 0;
          for await (const chunk of response.body) length += (chunk as Buffer).length;
          run.bytes += length;
          if (response.statusCode === 200 && length > 0) run.ok++;
          else fail(String(response.statusCode));
          finished(k);
        },
        (error: NodeJS.ErrnoException) => {
          fail(error.code ?? error.name);
          finished(k);
        },
      );
    };
    // Sends whatever is due, then sleeps until the next due time (timers fire >= 1 ms late, so
    // at 1,000/s a tick usually sends one or two).
    const tick = () => {
      const now = performance.now();
      while (issued < total && dueMs(issued) <= now) send(issued++);
      if (issued < total) setTimeout(tick, Math.max(0, dueMs(issued) - performance.now()));
    };
    tick();
  });
}

const quantile = (sorted: Float64Array, q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;

await drive(Math.round(RATE * WARM_SECONDS), performance.now());
const total = Math.round(RATE * SECONDS);
const cpuBefore = process.cpuUsage();
const startMs = performance.now();
const run = await drive(total, startMs);
const cpu = process.cpuUsage(cpuBefore);
await pool.close();
const latencies = run.latencies.sort();
const lags = run.sendLags.sort();
const result: FixedRateResult = {
  sent: total,
  ok: run.ok,
  errors: run.errors,
  achievedRate: run.ok / ((run.lastDoneMs - startMs) / 1000),
  latencyMs: {
    p50: quantile(latencies, 0.5),
    p90: quantile(latencies, 0.9),
    p99: quantile(latencies, 0.99),
    p999: quantile(latencies, 0.999),
    max: latencies[latencies.length - 1] ?? Number.NaN,
  },
  sendLagMs: { p99: quantile(lags, 0.99), max: lags[lags.length - 1] ?? Number.NaN },
  bytes: run.bytes,
  cpuMsPerRequest: (cpu.user + cpu.system) / 1000 / total,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
