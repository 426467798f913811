// npm run bench: the read cost of an uncached 50-entry feed as the store grows. At 10k, 100k
// and 1M stored entries (BENCH_MAX_ENTRIES caps the sizes for a quick run), on the memory store
// and on the Redis store, the median wall time of one uncached render — the version read, the
// entries read, the RSS render, the ETag and the gzip bytes, through a fresh publisher each time
// so nothing comes from the version cache — and the ratio of the slowest size to the fastest
// (goal <= 1.5). Then Redis memory per stored entry (INFO used_memory over the empty server).
//
// Every size has a store of its own in a process of its own (this file run as `child`): a
// MemoryStore, or a private redis-server on a free port, started and stopped by its PID. Each is
// filled with the same entries, newest first, so a category's first page is the same bytes at
// every size; renders then alternate between the processes round by round, so machine noise hits
// every size alike. One process per store matters: in a shared one, a young-generation GC lands
// on the same render of every round (a round allocates about one semi-space) and costs more the
// larger the heap the memory stores hold, so one cell would pay for all of them.
// The entries are spread like a real deployment's: 1000 sources, 10 categories, a quarter of the
// sources in two. Filled through each store's own batch upsert, so the keys and indexes are
// exactly the ones the service writes (the memory store's index is an array kept sorted, so the
// fill goes newest first: each insert lands at its end instead of shifting it).
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { createInterface } from "node:readline";
import { Redis } from "ioredis";
import { createFeedPublisher } from "../src/app/wiring.js";
import { parseConfig } from "../src/config/load.js";
import type { Update } from "../src/model/update.js";
import { MemoryStore } from "../src/store/memory.js";
import { connectRedisStore } from "../src/store/redis.js";
import { ALL, type Store } from "../src/store/store.js";
import { startRedisServer } from "../test/helpers/redis-server.js";

const MAX_ENTRIES = Number(process.env.BENCH_MAX_ENTRIES ?? 1_000_000);
const SIZES = [...new Set([10_000, 100_000, 1_000_000].map((n) => Math.min(n, MAX_ENTRIES)))];
/** Renders per size, store and feed, after WARM unmeasured ones. */
const RENDERS = Number(process.env.BENCH_RENDERS ?? 200);
const WARM = 20;
const SOURCES = 1000;
const CATEGORIES = Array.from({ length: 10 }, (_, i) => `topic-${i}`);
/** Entries per upsert: one large poll's worth, so a fill is a few thousand round trips. */
const BATCH = 1000;
const FILL_IN_FLIGHT = 4;
const BASE_MS = Date.parse("2026-06-01T00:00:00Z");

function categoriesOfSource(source: number): string[] {
  const own = CATEGORIES[source % CATEGORIES.length] as string;
  if (source % 4 !== 0) return [own];
  return [own, CATEGORIES[(source + 5) % CATEGORIES.length] as string];
}

/** Entry `i`: newer the smaller `i` is (one a minute going back), sources taking turns. */
function entry(i: number): Update {
  const source = i % SOURCES;
  const published = new Date(BASE_MS - i * 60_000).toISOString();
  return {
    id: `entry-${i.toString().padStart(7, "0")}`,
    sourceId: `source-${source}`,
    title: `Update ${i}: partners report progress on protection and migration work`,
    link: `https://partner${source}.example.org/news/${i}`,
    summary:
      "A plain-text summary of the update, long enough to look like a real one, written by the " +
      `partner's press office about case ${i} and what comes next for the people concerned.`,
    contentHtml:
      `<p>Paragraph one of entry ${i}, with a few sentences of ordinary reporting text in it.</p>` +
      `<p>Paragraph <a href="https://partner${source}.example.org/${i}">two</a> links to the ` +
      "full report and names the organisations that took part in the work described here.</p>",
    published,
    updated: published,
    authors: [{ name: "Press Office" }],
    categories: categoriesOfSource(source),
    tags: ["news", `region-${source % 7}`],
    enclosures: [],
  };
}

const config = parseConfig(`
service: { title: Bench, baseUrl: "http://127.0.0.1:8080", port: 0, host: 127.0.0.1 }
categories:
${CATEGORIES.map((id) => `  - { id: ${id}, title: ${id}, description: ${id} }`).join("\n")}
sources:
${Array.from({ length: SOURCES }, (_, s) => `  - { id: source-${s}, title: Source ${s}, url: "https://partner${s}.example.org/feed", categories: [${categoriesOfSource(s).join(", ")}], enabled: false }`).join("\n")}
`);

const usedMemory = async (admin: Redis) =>
  Number(/used_memory:(\d+)/.exec(await admin.info("memory"))?.[1]);

/**
 * The store without the renders it shares between instances: a fresh publisher on it has
 * nothing cached and finds nothing rendered elsewhere, so every render reads and renders.
 */
const unshared = (store: Store): Store =>
  new Proxy(store, {
    get(target, property) {
      if (property === "renders") return undefined;
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });

/** Wall ms of one uncached render: a fresh publisher has nothing cached. */
async function renderMs(store: Store, category: string): Promise<{ ms: number; digest: string }> {
  const publisher = createFeedPublisher(config, unshared(store));
  const started = performance.now();
  const page = await publisher.get({ category, format: "rss", limit: 50 });
  page.variant("gzip");
  const ms = performance.now() - started;
  return { ms, digest: createHash("sha1").update(page.identity.body).digest("hex") };
}

/** The commands one uncached render of `category` sends to Redis, counted by name (MONITOR). */
async function commandsOfOneRender(store: Store, url: string, category: string): Promise<string> {
  // Connected before MONITOR starts, so their handshakes are not counted with the render's.
  const admin = new Redis(url);
  const echo = new Redis(url);
  await Promise.all([admin.ping(), echo.ping()]);
  const monitor = await admin.monitor();
  const seen: string[][] = [];
  const marker = `end-of-render-${Date.now()}`;
  const ended = new Promise<void>((resolve) => {
    monitor.on("monitor", (_time: string, args: string[]) => {
      if (args[0]?.toLowerCase() === "echo" && args[1] === marker) resolve();
      else seen.push(args);
    });
  });
  await renderMs(store, category);
  // MONITOR lines arrive after the replies: a marker sent afterwards closes the list.
  await echo.echo(marker);
  await ended;
  for (const client of [monitor, echo, admin]) client.disconnect();
  const counts = new Map<string, { calls: number; keys: number }>();
  for (const [name = "?", ...rest] of seen) {
    const command = name.toLowerCase();
    const count = counts.get(command) ?? { calls: 0, keys: 0 };
    count.calls++;
    count.keys += command === "mget" ? rest.length : 0;
    counts.set(command, count);
  }
  return [...counts]
    .map(([name, c]) => `${name} x${c.calls}${c.keys ? ` (${c.keys} keys)` : ""}`)
    .join(", ");
}

/**
 * The child: one store of `size` entries. Prints a JSON line once filled, then answers each
 * stdin line (`render <category>`, `monitor <category>`) with one JSON line; ends with stdin.
 */
async function child(kind: "memory" | "redis", size: number): Promise<void> {
  const server = kind === "redis" ? await startRedisServer(undefined) : undefined;
  const store = server ? await connectRedisStore({ url: server.url }) : new MemoryStore();
  const admin = server ? new Redis(server.url) : undefined;
  try {
    const emptyBytes = admin ? await usedMemory(admin) : 0;
    const started = performance.now();
    // A few batches in flight, so Redis is not idle while this process builds the next one; the
    // batches hold distinct ids, so their order does not matter.
    let next = 0;
    const writer = async () => {
      for (let from = next; from < size; from = next) {
        next += BATCH;
        const batch = Array.from({ length: Math.min(BATCH, size - from) }, (_, k) =>
          entry(from + k),
        );
        await store.upsert(batch, { fallbackDated: new Set() });
      }
    };
    await Promise.all(Array.from({ length: FILL_IN_FLIGHT }, writer));
    const fillSeconds = (performance.now() - started) / 1000;
    const bytesPerEntry = admin ? ((await usedMemory(admin)) - emptyBytes) / size : 0;
    const say = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);
    say({ fillSeconds, bytesPerEntry });
    for await (const line of createInterface({ input: process.stdin })) {
      const [command, category = ALL] = line.split(" ");
      if (command === "render") say(await renderMs(store, category));
      if (command === "monitor" && server) {
        say({ commands: await commandsOfOneRender(store, server.url, category) });
      }
    }
  } finally {
    admin?.disconnect();
    await store.close();
    await server?.close();
  }
}

interface Child {
  kind: "memory" | "redis";
  size: number;
  ready: { fillSeconds: number; bytesPerEntry: number };
  ask<T>(line: string): Promise<T>;
  end(): Promise<void>;
}

async function startChild(kind: Child["kind"], size: number): Promise<Child> {
  const proc = spawn(
    process.execPath,
    ["--import=tsx", "bench/read-cost.ts", "child", kind, String(size)],
    { stdio: ["pipe", "pipe", "inherit"], env: { ...process.env, TZ: "UTC" } },
  );
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  const lines = createInterface({ input: proc.stdout })[Symbol.asyncIterator]();
  const next = async <T>() => {
    const { value, done } = await lines.next();
    if (done) throw new Error(`the ${kind} ${size} child exited early`);
    return JSON.parse(value as string) as T;
  };
  const ready = await next<Child["ready"]>();
  return {
    kind,
    size,
    ready,
    ask: <T>(line: string) => {
      proc.stdin.write(`${line}\n`);
      return next<T>();
    },
    end: () => {
      proc.stdin.end();
      return exited;
    },
  };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};

const label = (n: number) => (n >= 1_000_000 ? `${n / 1_000_000}M` : `${n / 1000}k`);

async function main(): Promise<void> {
  console.log(
    `read cost: uncached 50-entry RSS render (version read, entries read, render, ETag, gzip) ` +
      `at ${SIZES.map(label).join(", ")} stored entries; ${SOURCES} sources, ${CATEGORIES.length} ` +
      `categories; median wall time of ${RENDERS} renders per cell, sizes alternating`,
  );
  const children: Child[] = [];
  try {
    for (const kind of ["memory", "redis"] as const) {
      // The sizes of one kind fill side by side, one process each.
      const started = await Promise.allSettled(SIZES.map((size) => startChild(kind, size)));
      const filled = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
      children.push(...filled);
      const failed = started.find((s) => s.status === "rejected");
      if (failed) throw failed.reason;
      console.log(
        `${kind} fill (batch upsert of ${BATCH}, sizes side by side): ` +
          filled.map((c) => `${label(c.size)} in ${c.ready.fillSeconds.toFixed(1)} s`).join(", "),
      );
    }
    const feeds = [
      {
        name: "category",
        pick: (round: number) => CATEGORIES[round % CATEGORIES.length] as string,
      },
      { name: "all", pick: () => ALL },
    ];
    const samples = new Map<string, number[]>();
    const digests = new Map<string, Set<string>>();
    for (let round = 0; round < WARM + RENDERS; round++) {
      for (const feed of feeds) {
        const category = feed.pick(round);
        for (const c of children) {
          const { ms, digest } = await c.ask<{ ms: number; digest: string }>(`render ${category}`);
          if (round < WARM) continue;
          const key = `${c.kind} ${feed.name} ${c.size}`;
          samples.set(key, [...(samples.get(key) ?? []), ms]);
          const same = `${c.kind} ${category}`;
          digests.set(same, (digests.get(same) ?? new Set()).add(digest));
        }
      }
    }
    console.log(
      `store   feed       ${SIZES.map((n) => label(n).padStart(9)).join("")}   max/min (goal <= 1.5)`,
    );
    for (const kind of ["memory", "redis"] as const) {
      for (const feed of feeds) {
        const medians = SIZES.map((size) =>
          median(samples.get(`${kind} ${feed.name} ${size}`) ?? []),
        );
        const ratio = Math.max(...medians) / Math.min(...medians);
        console.log(
          `${kind.padEnd(7)} ${feed.name.padEnd(9)}  ${medians.map((ms) => `${ms.toFixed(2)} ms`.padStart(9)).join("")}   ${ratio.toFixed(2)}`,
        );
      }
    }
    const identical = [...digests.values()].every((set) => set.size === 1);
    console.log(`same feed bytes at every size: ${identical ? "yes" : "NO"}`);
    const jsonBytes =
      Array.from({ length: 1000 }, (_, i) => JSON.stringify(entry(i)).length).reduce(
        (a, b) => a + b,
      ) / 1000;
    const redis = children.filter((c) => c.kind === "redis");
    console.log(
      `redis memory per stored entry (used_memory over the empty server / entries; entry JSON ` +
        `${jsonBytes.toFixed(0)} bytes): ` +
        redis.map((c) => `${label(c.size)} ${c.ready.bytesPerEntry.toFixed(0)} bytes`).join(", "),
    );
    const largest = redis.at(-1);
    if (largest) {
      const { commands } = await largest.ask<{ commands: string }>(`monitor ${CATEGORIES[0]}`);
      console.log(
        `redis commands of one uncached ${CATEGORIES[0]} render at ${label(largest.size)} (MONITOR): ${commands}`,
      );
    }
  } finally {
    await Promise.all(children.map((c) => c.end()));
  }
}

if (process.argv[2] === "child") {
  await child(process.argv[3] === "redis" ? "redis" : "memory", Number(process.argv[4]));
} else {
  await main();
}
