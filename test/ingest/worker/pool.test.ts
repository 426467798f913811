// The ingest pool with real worker threads (started through tsx here, from dist/ in production).
import { spawn } from "node:child_process";
import test from "ava";
import { createIngestPool } from "../../../src/app/wiring.js";
import { ingestBytes, ingestDocument } from "../../../src/ingest/ingest.js";
import { FeedParseError } from "../../../src/ingest/parse/errors.js";
import {
  DEFAULT_POOL,
  HEAP_PER_BODY_BYTE,
  heapMbFor,
  IngestPool,
  isIngestFailure,
  ParsePoolClosedError,
  ParseTimeoutError,
} from "../../../src/ingest/worker/pool.js";
import { repoRoot } from "../../helpers/cli.js";
import { makeConfig } from "../../helpers/config.js";

const source = { id: "partner", categories: ["news"], feedUrl: "https://partner.example/feed" };
const NOW = new Date("2026-03-03T12:00:00Z");
const RSS = Buffer.from(`<?xml version="1.0"?><rss version="2.0"><channel><title>Partner</title>
<link>https://partner.example/</link><description>d</description>
<item><title>Caf&eacute; &amp; more</title><guid>g-1</guid><link>/posts/1</link></item>
<item><title>Second</title><guid>g-2</guid><pubDate>Mon, 02 Mar 2026 10:00:00 GMT</pubDate></item>
</channel></rss>`);
/** Takes well over a second to parse (and more than 96 MiB of heap). */
const SLOW = Buffer.from(
  `<rss version="2.0"><channel><title>t</title><item><title>${"word ".repeat(2_000_000)}</title><guid>x</guid></item></channel></rss>`,
);

function poolFor(
  t: import("ava").ExecutionContext,
  options: Partial<ConstructorParameters<typeof IngestPool>[0]> = {},
) {
  const pool = new IngestPool({ size: 1, timeoutMs: 10_000, ...options });
  t.teardown(() => pool.close());
  return pool;
}

test("a worker's result is exactly what ingestBytes gives on the main thread", async (t) => {
  const pool = poolFor(t);
  const inWorker = await pool.ingest(RSS, "application/rss+xml", source, NOW);
  const inProcess = await ingestBytes(RSS, "application/rss+xml", source, NOW);
  t.deepEqual(inWorker, inProcess);
  t.true(inWorker.fallbackDated instanceof Set);
  t.is(inWorker.updates[0]?.title, "Café & more");
});

test("ingestDocument also brings the parsed document back from the worker; ingest does not", async (t) => {
  const pool = poolFor(t);
  const withDocument = await pool.ingestDocument(RSS, "application/rss+xml", source, NOW);
  t.deepEqual(withDocument, await ingestDocument(RSS, "application/rss+xml", source, NOW));
  t.is(withDocument.parsed.items.length, 2);
  t.is(withDocument.parsed.items[0]?.guid, "g-1");
  t.false("parsed" in (await pool.ingest(RSS, "application/rss+xml", source, NOW)));
  t.is(pool.started, 1, "both run on the same worker");
});

test("workers are reused across parses", async (t) => {
  const pool = poolFor(t);
  for (let i = 0; i < 5; i++) await pool.ingest(RSS, undefined, source, NOW);
  t.is(pool.started, 1);
  t.is(pool.busy, 0);
});

test("parse failures keep their kind across the thread boundary", async (t) => {
  const pool = poolFor(t);
  const html = await t.throwsAsync(
    pool.ingest(Buffer.from("<html><body>Sign in</body></html>"), "text/html", source, NOW),
    { instanceOf: FeedParseError },
  );
  t.is(html?.kind, "not-a-feed");
  const broken = await t.throwsAsync(
    pool.ingest(
      Buffer.from('<rss version="2.0"><channel><title>x</channel></rss>'),
      undefined,
      source,
      NOW,
    ),
    { instanceOf: FeedParseError },
  );
  t.is(broken?.kind, "parse-error");
  t.true(isIngestFailure(broken));
  t.is(pool.started, 1, "a failed parse does not cost the worker");
});

test("a parse over the time limit is ParseTimeoutError; a fresh worker takes the next one", async (t) => {
  let limit = 100;
  const pool = poolFor(t, { timeoutMs: () => limit, maxHeapMb: 512 });
  const error = await t.throwsAsync(pool.ingest(SLOW, undefined, source, NOW), {
    instanceOf: ParseTimeoutError,
  });
  t.is(error?.kind, "parse-timeout");
  t.regex(error?.message ?? "", /longer than 100 ms/);
  // Generous again, so a busy machine cannot fail the fresh worker's first parse.
  limit = 10_000;
  const next = await pool.ingest(RSS, undefined, source, NOW);
  t.is(next.updates.length, 2);
  t.is(pool.started, 2);
});

test("the time limit may be read from a changing config, per parse", async (t) => {
  let limit = 100;
  const pool = poolFor(t, { timeoutMs: () => limit, maxHeapMb: 512 });
  await t.throwsAsync(pool.ingest(SLOW, undefined, source, NOW), { instanceOf: ParseTimeoutError });
  limit = 60_000;
  const parsed = await pool.ingest(SLOW, undefined, source, NOW);
  t.is(parsed.updates.length, 1);
});

test("queued parses wait for a free worker and the limit starts when each one starts", async (t) => {
  const pool = poolFor(t, { timeoutMs: 5_000 });
  const results = await Promise.all(
    Array.from({ length: 6 }, () => pool.ingest(RSS, undefined, source, NOW)),
  );
  t.is(results.length, 6);
  t.is(pool.started, 1);
});

test("a document that exhausts the worker's heap is a parse-error; the process lives on", async (t) => {
  const pool = poolFor(t, { maxHeapMb: 16, timeoutMs: 30_000 });
  const error = await t.throwsAsync(pool.ingest(SLOW, undefined, source, NOW), {
    instanceOf: FeedParseError,
  });
  t.is(error?.kind, "parse-error");
  t.regex(error?.message ?? "", /ran out of memory/);
  t.is((await pool.ingest(RSS, undefined, source, NOW)).updates.length, 2);
});

const MiB = 1024 * 1024;

/**
 * RSS of `entries` entries with about 4 KB of text each. Plain text keeps the parse quick
 * (no markup to sanitise); the heap it needs is still several times the body.
 */
function bigFeed(entries: number): Buffer {
  const sentence = "Migrants and refugees crossing the border were counted in the report. ";
  const text = sentence.repeat(Math.ceil(4000 / sentence.length));
  const items = Array.from(
    { length: entries },
    (_, i) => `<item><title>Story ${i}</title><link>https://partner.example/${i}</link>
<guid>g-${i}</guid><pubDate>Mon, 02 Mar 2026 10:00:00 GMT</pubDate>
<description>${text}</description></item>`,
  );
  return Buffer.from(`<rss version="2.0"><channel><title>Partner</title>
<link>https://partner.example/</link>${items.join("")}</channel></rss>`);
}

test("the worker heap is a documented multiple of maxBytes, never below the 96 MiB floor", (t) => {
  t.is(heapMbFor(15 * MiB), DEFAULT_POOL.maxHeapMb, "the default cap keeps the default heap");
  t.is(heapMbFor(1 * MiB), DEFAULT_POOL.maxHeapMb);
  t.is(heapMbFor(48 * MiB), 48 * HEAP_PER_BODY_BYTE);
  t.is(heapMbFor(100 * MiB), 600);
});

test("the worker heap follows polling.maxBytes: a 40 MiB feed parses under a 48 MiB cap", async (t) => {
  const doc = bigFeed(10_000);
  t.true(doc.length > 40 * MiB && doc.length < 48 * MiB, `${doc.length} bytes`);
  // What the service, `poll` and `check-source` build; a fixed 96 MiB heap ran out here.
  const config = makeConfig({ polling: { maxBytes: 48 * MiB, parseTimeoutMs: 120_000 } });
  const pool = createIngestPool(config);
  t.teardown(() => pool.close());
  const result = await pool.ingest(doc, "application/rss+xml", source, NOW);
  t.is(result.updates.length, 10_000);
});

test("a reload that changes maxBytes replaces the idle worker; one that does not keeps it", async (t) => {
  let config = makeConfig();
  const pool = createIngestPool(() => config);
  t.teardown(() => pool.close());
  await pool.ingest(RSS, undefined, source, NOW);
  config = makeConfig({ polling: { parseTimeoutMs: 20_000 } });
  await pool.ingest(RSS, undefined, source, NOW);
  t.is(pool.started, 1, "the heap limit did not change");
  config = makeConfig({ polling: { maxBytes: 32 * MiB } });
  t.is((await pool.ingest(RSS, undefined, source, NOW)).updates.length, 2);
  t.is(pool.started, 2, "a worker with the new heap limit");
  await pool.ingest(RSS, undefined, source, NOW);
  t.is(pool.started, 2);
});

test("closing the pool fails running and queued parses as aborted and refuses new ones", async (t) => {
  const pool = poolFor(t, { maxHeapMb: 512 });
  const running = pool.ingest(SLOW, undefined, source, NOW);
  const queued = pool.ingest(RSS, undefined, source, NOW);
  await new Promise((resolve) => setTimeout(resolve, 50));
  await pool.close();
  for (const parse of [running, queued, pool.ingest(RSS, undefined, source, NOW)]) {
    const error = await t.throwsAsync(parse, { instanceOf: ParsePoolClosedError });
    t.is(error?.kind, "aborted");
  }
});

test("an idle worker does not keep a finished process alive", async (t) => {
  // The CLI closes its pool, but a forgotten one must not hang a command either.
  const script = `
    import { IngestPool } from "./src/ingest/worker/pool.ts";
    const pool = new IngestPool({ size: 1, timeoutMs: 5000 });
    const result = await pool.ingest(Buffer.from('<rss version="2.0"><channel><title>t</title><item><title>x</title></item></channel></rss>'), undefined, { id: "s", categories: [], feedUrl: "https://p.example/" }, new Date());
    console.log(result.updates.length);`;
  const child = spawn(process.execPath, ["--import=tsx", "--input-type=module", "-e", script], {
    cwd: repoRoot,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  child.stdout.on("data", (chunk) => {
    stdout += chunk;
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error("the process did not exit"));
    }, 45_000);
    child.on("exit", (exitCode) => {
      clearTimeout(timer);
      resolve(exitCode);
    });
  });
  t.is(code, 0);
  t.is(stdout.trim(), "1");
});
