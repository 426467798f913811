// npm run bench (second part): every hostile source polled at once by a real Tributary, against
// a hostile server in a child process. Reports the peak RSS of the polling process (sampled every
// few ms, and the kernel's maxRSS) against the 400 MiB budget, and the longest event-loop block
// while the hostile bodies were fetched and parsed (monitorEventLoopDelay, and a timer drift
// probe), with production limits: 15 MiB bodies, 64 MiB bombs, the 10 MB title.
import { spawn } from "node:child_process";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { startService } from "../src/app/service.js";
import { parseConfig } from "../src/config/load.js";
import { createLogger } from "../src/log.js";
import type { CatalogueSource } from "../test/hostile/catalogue.js";

const BUDGET_MIB = 400;
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 5000);
const MiB = 1024 * 1024;

async function startHostileChild() {
  const child = spawn(process.execPath, ["--import=tsx", "bench/hostile-server.ts"], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, TZ: "UTC" },
  });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`hostile server exited with ${code}`)));
  });
  const { origin, sources } = JSON.parse(line) as { origin: string; sources: CatalogueSource[] };
  return { origin, sources, stop: () => child.kill("SIGTERM") };
}

const yamlOf = (origin: string, sources: CatalogueSource[]) => `
service: { title: Hostile bench, baseUrl: "http://127.0.0.1:0", port: 0, host: 127.0.0.1 }
# Every hostile server is on one loopback host: lift the per-host limit so they run at once.
polling: { allowPrivateNetworks: true, timeoutMs: ${TIMEOUT_MS}, perHostConcurrency: 64 }
categories: [{ id: news, title: News }]
sources:
${sources
  .map((s) => {
    const url = s.path.startsWith("/") ? `${origin}${s.path}` : s.path;
    return `  - { id: ${s.id}, title: "${s.id}", url: "${url}", categories: [news] }`;
  })
  .join("\n")}
`;

const hostile = await startHostileChild();
// BENCH_ONLY=id,id… polls just those sources (and the good ones), to find which one costs what.
const only = process.env.BENCH_ONLY?.split(",");
if (only)
  hostile.sources = hostile.sources.filter((s) => s.id.startsWith("good") || only.includes(s.id));
try {
  const config = parseConfig(yamlOf(hostile.origin, hostile.sources), {});
  const service = await startService(config, createLogger("silent"), { pollAtStart: false });
  // Warm up: start the parse workers and load every module, so the figures are about hostility.
  await service.poller.pollMany(config.sources.filter((s) => s.id.startsWith("good")));
  const baseline = process.memoryUsage().rss;

  let peak = baseline;
  // The main thread's own share: its V8 heap, and Buffers (fetched bodies) outside it.
  let peakHeap = 0;
  let peakBuffers = 0;
  const sampler = setInterval(() => {
    const usage = process.memoryUsage();
    peak = Math.max(peak, usage.rss);
    peakHeap = Math.max(peakHeap, usage.heapTotal);
    peakBuffers = Math.max(peakBuffers, usage.arrayBuffers);
  }, 5);
  const delay = monitorEventLoopDelay({ resolution: 5 });
  let drift = 0;
  let last = performance.now();
  const probe = setInterval(() => {
    const now = performance.now();
    drift = Math.max(drift, now - last - 10);
    last = now;
  }, 10);
  delay.enable();
  const started = performance.now();
  const outcomes = await service.poller.pollMany(config.sources, { force: true });
  const elapsed = performance.now() - started;
  delay.disable();
  clearInterval(probe);
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  const maxRss = process.resourceUsage().maxRSS * 1024;
  await service.stop();

  const byId = new Map(outcomes.map((o) => [o.sourceId, o]));
  let unexpected = 0;
  console.log(
    `${hostile.sources.length} sources (${hostile.sources.filter((s) => s.expect[0] !== "ok").length} hostile), polled at once, concurrency ${config.polling.concurrency}, timeoutMs ${TIMEOUT_MS}, maxBytes ${config.polling.maxBytes / MiB} MiB, parseTimeoutMs ${config.polling.parseTimeoutMs}`,
  );
  for (const source of hostile.sources) {
    const outcome = byId.get(source.id);
    const shown = outcome?.errorKind ?? outcome?.status ?? "missing";
    const ok = source.expect.includes(shown);
    if (!ok) unexpected++;
    console.log(
      `  ${source.id.padEnd(16)} ${shown.padEnd(20)} ${String(outcome?.durationMs ?? "").padStart(6)} ms${ok ? "" : `  UNEXPECTED (want ${source.expect.join("|")})`}`,
    );
  }
  const mib = (bytes: number) => (bytes / MiB).toFixed(1);
  console.log(`poll of every source: ${(elapsed / 1000).toFixed(2)} s`);
  console.log(
    `RSS before: ${mib(baseline)} MiB; peak sampled every 5 ms: ${mib(peak)} MiB; maxRSS (kernel): ${mib(maxRss)} MiB`,
  );
  console.log(
    `main thread peaks: V8 heap ${mib(peakHeap)} MiB, Buffers ${mib(peakBuffers)} MiB (the rest is the parse workers)`,
  );
  const worst = Math.max(peak, maxRss);
  console.log(
    `peak RSS < ${BUDGET_MIB} MiB: ${worst < BUDGET_MIB * MiB ? "yes" : "NO"} (${mib(worst)} MiB)`,
  );
  console.log(
    `longest event-loop block: ${(delay.max / 1e6).toFixed(1)} ms (monitorEventLoopDelay max), ${drift.toFixed(1)} ms (10 ms timer drift); p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms`,
  );
  if (unexpected > 0) {
    console.log(`${unexpected} sources ended with an unexpected outcome`);
    process.exitCode = 1;
  }
  if (worst >= BUDGET_MIB * MiB) process.exitCode = 1;
} finally {
  hostile.stop();
}
