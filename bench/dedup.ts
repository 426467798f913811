// npm run bench (part: stories): what one entry per story costs at ingest (issue: "≤ 1.2× the
// time"). The real-world corpus is ingested — decode → parse → normalise → store — as one
// source per feed plus a syndicating partner per feed that republishes every entry under a
// campaign-tagged http link and a " | Relief Hub" title tail, with stories on and off, on the
// memory store and on Redis, on and off back to back in each round (which goes first alternates).
// The store already holds a backlog of unrelated entries (stories on builds them too), so the
// lookups run against a store that is not empty. The `fetched` mode is the whole of a poll: the
// service's poller fetches each feed from a loopback partner server, parses it on its worker
// threads and stores it under its lease. BENCH_DEDUP_COPIED (default 1) is the share of the
// feeds the partner republishes; each ratio is the median of the rounds' own on/off ratios.
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { pino } from "pino";
import { createIngestPool, createPoller } from "../src/app/wiring.js";
import { DEFAULTS } from "../src/config/defaults.js";
import { parseConfig } from "../src/config/load.js";
import { ingestBytes } from "../src/ingest/ingest.js";
import type { Update } from "../src/model/update.js";
import { MemoryStore } from "../src/store/memory.js";
import { connectRedisStore } from "../src/store/redis.js";
import { ALL, type Store } from "../src/store/store.js";
import { corpusPath, skipMessage } from "../test/helpers/corpus.js";
import { makeUpdates } from "./bench-data.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const BACKLOG = Number(process.env.BENCH_DEDUP_BACKLOG ?? 20_000);
const NOW = new Date("2026-01-01T00:00:00.000Z");
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
/** The share of the feeds a partner republishes: 1 (the default) is the worst case. */
const COPIED = Number(process.env.BENCH_DEDUP_COPIED ?? 1);
if (!(COPIED >= 0 && COPIED <= 1)) {
  console.error(
    `bench: BENCH_DEDUP_COPIED must be a share from 0 to 1, not "${process.env.BENCH_DEDUP_COPIED}"`,
  );
  process.exit(2);
}
/** Whether feed `i` is republished: spread evenly over the corpus for any share. */
const isCopied = (i: number) => Math.floor((i + 1) * COPIED) > Math.floor(i * COPIED);
const plain = { fallbackDated: new Set<string>() };

interface Input {
  name: string;
  body: Buffer;
}

function loadInputs(): Input[] {
  return readFileSync(corpusPath("real-world", "MANIFEST.tsv"), "utf8")
    .split("\n")
    .slice(1)
    .filter((line) => line.trim() !== "")
    .map((line) => {
      const input = line.split("\t")[0] ?? "";
      return {
        name: input.split("/").pop() ?? input,
        body: readFileSync(corpusPath("real-world", input)),
      };
    })
    .filter((input) => input.name !== "unrecognized.rss");
}

/** A partner republishing `update`: its own id and source, a tracked http link, a title tail. */
function syndicated(update: Update): Update {
  const link = update.link?.replace(/^https:/, "http:");
  return {
    ...update,
    id: `relief-${update.id}`,
    sourceId: `relief-${update.sourceId}`,
    title: `${update.title} | Relief Hub`,
    ...(link === undefined
      ? {}
      : { link: `${link}${link.includes("?") ? "&" : "?"}utm_source=relief&utm_medium=rss` }),
  };
}

/** How the feeds are written: under a poll's lease or not, and how many feeds at once. */
interface Mode {
  name: string;
  leased: boolean;
  concurrency: number;
  /** Fetched from a partner server by the service's poller, not handed to the store. */
  fetched?: boolean;
}

const MODES: Mode[] = [
  // A whole poll as the service runs it: fetch, parse on the worker threads, store under lease.
  { name: "fetched", leased: true, concurrency: DEFAULTS.polling.concurrency, fetched: true },
  // As the service polls: each write fenced by its poll's lease (stories or not), and
  // `polling.concurrency` (default) feeds in progress at once.
  { name: "polled", leased: true, concurrency: DEFAULTS.polling.concurrency },
  // The same writes one feed at a time: every Redis round trip waits in full.
  { name: "one by one", leased: true, concurrency: 1 },
  // Plain writes (an operator's import): on Redis a MULTI, where stories add two scripts.
  { name: "imported", leased: false, concurrency: 1 },
];

const xml = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/**
 * The syndicating partner's feed of `updates`, as RSS 2.0 (its own guids), in the language the
 * original declared: detecting it (a fixed cost per entry, stories or not) is not measured here.
 */
function syndicatedFeed(updates: Update[]): string {
  const language = updates.find((u) => u.language !== undefined)?.language;
  const items = updates.map(syndicated).map(
    (u) => `<item><title>${xml(u.title)}</title>${u.link ? `<link>${xml(u.link)}</link>` : ""}
<guid isPermaLink="false">${xml(u.id)}</guid><pubDate>${new Date(u.published).toUTCString()}</pubDate>
<description>${xml(u.summary ?? "")}</description></item>`,
  );
  return `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Relief Hub</title>
<link>https://relief.example/</link><description>Republished</description>${language ? `<language>${language}</language>` : ""}${items.join("\n")}</channel></rss>`;
}

/** A loopback partner server: `/feed/i` the corpus feed, `/relief/i` its syndicated copy. */
async function startPartners(inputs: Input[]) {
  const bodies = new Map<string, Buffer>();
  for (const [i, input] of inputs.entries()) {
    bodies.set(`/feed/${i}`, input.body);
    const { updates } = await ingestBytes(input.body, undefined, sourceOf(i, input), NOW);
    bodies.set(`/relief/${i}`, Buffer.from(syndicatedFeed(updates)));
  }
  const server = createServer((request, response) => {
    const body = bodies.get(request.url ?? "");
    response.writeHead(body ? 200 : 404, { "content-type": "application/octet-stream" });
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // Every feed then its copy (if it has one), as the other modes write them; 8 polls at once.
  const sources = inputs.flatMap((_, i) => [
    `  - { id: feed-${i}, title: Feed ${i}, url: "${origin}/feed/${i}", categories: [bench] }`,
    ...(isCopied(i)
      ? [
          `  - { id: relief-${i}, title: Relief ${i}, url: "${origin}/relief/${i}", categories: [bench] }`,
        ]
      : []),
  ]);
  const config = parseConfig(
    `polling: { allowPrivateNetworks: true, perHostConcurrency: ${DEFAULTS.polling.concurrency}, maxBytes: 50000000 }
categories: [{ id: bench, title: Bench }]
sources:
${sources.join("\n")}
`,
  );
  const pool = createIngestPool(config);
  return {
    config,
    pool,
    close: async () => {
      await pool.close();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

type Partners = Awaited<ReturnType<typeof startPartners>>;

const silent = pino({ level: "silent" });

/**
 * Polls every source of `partners.config` once with the service's poller; `partners.pool`'s
 * worker threads parse, as the service's do for its whole life (warm after the first round).
 */
async function pollAll(store: Store, partners: Partners): Promise<{ ms: number; entries: number }> {
  const { config, pool } = partners;
  const poller = createPoller(config, store, silent, undefined, undefined, pool.ingest);
  try {
    const started = performance.now();
    const outcomes = await poller.pollMany(config.sources, { force: true });
    const ms = performance.now() - started;
    const failed = outcomes.find((o) => o.status !== "ok");
    if (failed) throw new Error(`bench: ${failed.sourceId} failed: ${JSON.stringify(failed)}`);
    return { ms, entries: outcomes.reduce((n, o) => n + o.added + o.updated, 0) };
  } finally {
    await poller.close();
  }
}

const sourceOf = (i: number, input: Input) => ({
  id: `feed-${i}`,
  categories: ["bench"],
  feedUrl: `https://corpus.example/${input.name}`,
});

/** Ingests every feed and its syndicated copy (the copy after the feed), `mode.concurrency` feeds at once. */
async function ingestAll(
  store: Store,
  inputs: Input[],
  mode: Mode,
): Promise<{ ms: number; entries: number }> {
  const started = performance.now();
  let entries = 0;
  const write = async (updates: Update[]) => {
    const sourceId = updates[0]?.sourceId;
    if (!mode.leased || sourceId === undefined) return store.upsert(updates, plain);
    const claim = await store.leases.claim(sourceId, {
      nowMs: Date.now(),
      leaseMs: 60_000,
      force: true,
    });
    if (!("lease" in claim)) throw new Error(`bench: ${sourceId} could not be claimed`);
    await store.upsert(updates, { ...plain, lease: claim.lease });
    await store.leases.release(claim.lease, undefined);
  };
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < inputs.length; i = next++) {
      const input = inputs[i] as Input;
      const { updates } = await ingestBytes(input.body, undefined, sourceOf(i, input), NOW);
      await write(updates);
      entries += updates.length;
      if (!isCopied(i)) continue;
      await write(updates.map(syndicated));
      entries += updates.length;
    }
  };
  await Promise.all(Array.from({ length: mode.concurrency }, worker));
  return { ms: performance.now() - started, entries };
}

/**
 * Bytes Redis has read from its clients and CPU seconds it has used so far (INFO), and this
 * process's CPU seconds (its worker threads included); Redis's are 0 for the memory store.
 */
async function usage(
  kind: "memory" | "redis",
): Promise<{ bytes: number; redisCpu: number; cpu: number }> {
  const { user, system } = process.cpuUsage();
  const cpu = (user + system) / 1e6;
  if (kind === "memory") return { bytes: 0, redisCpu: 0, cpu };
  const { Redis } = await import("ioredis");
  const raw = new Redis(REDIS_URL);
  const info = String(await raw.info());
  raw.disconnect();
  const field = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  return {
    bytes: field("total_net_input_bytes"),
    redisCpu: field("used_cpu_user") + field("used_cpu_sys"),
    cpu,
  };
}

async function openStore(
  kind: "memory" | "redis",
  stories: boolean,
  round: number,
): Promise<{ store: Store; done: () => Promise<void> }> {
  if (kind === "memory") {
    const store = new MemoryStore({ stories });
    return { store, done: () => store.close() };
  }
  const prefix = `tributary-bench-dedup:${process.pid}:${round}:${stories}:`;
  const store = await connectRedisStore({ url: REDIS_URL, prefix, stories });
  return {
    store,
    done: async () => {
      const { Redis } = await import("ioredis");
      const raw = new Redis(REDIS_URL);
      let cursor = "0";
      do {
        const [next, keys] = await raw.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
        cursor = next;
        if (keys.length > 0) await raw.del(...keys);
      } while (cursor !== "0");
      raw.disconnect();
      await store.close();
    },
  };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

/**
 * The median of each round's on/off ratio, and their range: on and off run back to back in a
 * round, so a round's ratio sees one state of a noisy machine, which medians of each do not.
 */
function ratios({ on, off }: { on: number[]; off: number[] }): string {
  const each = on.map((value, i) => value / (off[i] as number));
  const f = (value: number) => value.toFixed(2);
  return `${f(median(each))} (rounds ${f(Math.min(...each))}–${f(Math.max(...each))})`;
}

async function measure(
  kind: "memory" | "redis",
  inputs: Input[],
  mode: Mode,
  partners: Partners | undefined,
): Promise<void> {
  const ingest = (store: Store) =>
    mode.fetched && partners ? pollAll(store, partners) : ingestAll(store, inputs, mode);
  const backlog = makeUpdates(BACKLOG);
  const times = { on: [] as number[], off: [] as number[] };
  const again = { on: [] as number[], off: [] as number[] };
  let entries = 0;
  let listedOn = 0;
  let listedOff = 0;
  const sent = { on: [] as number[], off: [] as number[] };
  const cpu = { on: [] as number[], off: [] as number[] };
  const redisCpu = { on: [] as number[], off: [] as number[] };
  for (let round = 0; round <= ROUNDS; round++) {
    for (const stories of round % 2 === 0 ? [true, false] : [false, true]) {
      const { store, done } = await openStore(kind, stories, round);
      for (let i = 0; i < backlog.length; i += 1000)
        await store.upsert(backlog.slice(i, i + 1000), plain);
      const before = await usage(kind);
      const run = await ingest(store);
      const after = await usage(kind);
      // The same feeds polled again, unchanged: what most polls of a running service are.
      const repoll = await ingest(store);
      const listed = (await store.count(ALL)) - backlog.length;
      await done();
      if (round === 0) continue; // warm-up
      entries = run.entries;
      (stories ? times.on : times.off).push(run.ms);
      (stories ? sent.on : sent.off).push(after.bytes - before.bytes);
      (stories ? cpu.on : cpu.off).push((after.cpu - before.cpu) * 1000);
      (stories ? redisCpu.on : redisCpu.off).push((after.redisCpu - before.redisCpu) * 1000);
      (stories ? again.on : again.off).push(repoll.ms);
      if (stories) listedOn = listed;
      else listedOff = listed;
    }
  }
  const label = `${kind.padEnd(6)} ${mode.name.padEnd(10)}`;
  const on = median(times.on);
  const off = median(times.off);
  const onAgain = median(again.on);
  const offAgain = median(again.off);
  console.log(
    `  ${label} first poll on ${on.toFixed(0).padStart(6)} ms  off ${off.toFixed(0).padStart(6)} ms  ratio ${ratios(times)}  (${entries} entries; listed in all: ${listedOn} on, ${listedOff} off)`,
  );
  // Where the time goes: this process's CPU (its parsing threads included) and Redis's.
  const ms = (values: number[]) => median(values).toFixed(0).padStart(6);
  console.log(
    `  ${label} first poll CPU here on ${ms(cpu.on)} ms  off ${ms(cpu.off)} ms  ratio ${ratios(cpu)}`,
  );
  if (kind === "redis") {
    // Other clients of a shared Redis add to both figures: noise, not stories.
    const mb = (values: number[]) => (median(values) / 1e6).toFixed(1);
    console.log(
      `  ${label} first poll CPU in Redis on ${ms(redisCpu.on)} ms  off ${ms(redisCpu.off)} ms; sent it ${mb(sent.on)} MB on, ${mb(sent.off)} MB off`,
    );
  }
  console.log(
    `  ${label} re-polled  on ${onAgain.toFixed(0).padStart(6)} ms  off ${offAgain.toFixed(0).padStart(6)} ms  ratio ${ratios(again)}  (the same feeds again, unchanged)`,
  );
}

async function main(): Promise<void> {
  if (!existsSync(corpusPath("real-world", "MANIFEST.tsv"))) {
    console.log(`stories benchmark skipped: ${skipMessage}`);
    return;
  }
  const inputs = loadInputs();
  console.log(
    `stories at ingest: ${inputs.length} real-world feeds, ${COPIED === 1 ? "each" : `${inputs.filter((_, i) => isCopied(i)).length} of them`} also republished by a partner, over a backlog of ${BACKLOG} entries; median of ${ROUNDS} rounds:`,
  );
  console.log(
    `  fetched: whole polls by the service's poller from a loopback partner server, ${DEFAULTS.polling.concurrency} at once; polled: the parsed feeds written as the service writes them, each under its poll's lease, ${DEFAULTS.polling.concurrency} feeds at once; one by one: the same, a feed at a time; imported: plain writes, a feed at a time`,
  );
  const kinds = (process.env.BENCH_DEDUP_STORES ?? "memory,redis").split(",");
  const modes = (process.env.BENCH_DEDUP_MODES ?? MODES.map((m) => m.name).join(",")).split(",");
  const partners = modes.includes("fetched") ? await startPartners(inputs) : undefined;
  try {
    for (const kind of ["memory", "redis"] as const) {
      if (!kinds.includes(kind)) continue;
      for (const mode of MODES) {
        if (modes.includes(mode.name)) await measure(kind, inputs, mode, partners);
      }
    }
  } finally {
    await partners?.close();
  }
}

await main();
