// polling.perHostConcurrency: at most that many simultaneous fetches to one host name in the
// process, while sources on other hosts go ahead. A slow partner on two loopback names
// (127.0.0.2, 127.0.0.3: the whole 127/8 is loopback on Linux) records how many of its requests
// were open at once; the real poller, fetcher and Redis store do the rest.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import test, { type ExecutionContext } from "ava";
import type { SourceConfig } from "../../src/config/types.js";
import { refreshSource } from "../../src/ingest/refresh.js";
import { Poller } from "../../src/schedule/poller.js";
import type { Store } from "../../src/store/store.js";
import { redisStoreForTest } from "../helpers/redis.js";

const HOLD_MS = 200;

const RSS = `<?xml version="1.0"?><rss version="2.0"><channel><title>P</title>
<link>https://p.example/</link><description>d</description>
<item><title>One</title><link>https://p.example/1</link><guid>1</guid></item></channel></rss>`;

interface SlowPartner {
  url(path: string): string;
  /** Most requests open at once. */
  peak: number;
  /** When each request arrived and was answered (ms, performance.now()). */
  log: { path: string; start: number; end: number }[];
}

/** A partner on `host` that answers every path after HOLD_MS, counting requests open at once. */
async function slowPartner(t: ExecutionContext, host: string): Promise<SlowPartner> {
  let open = 0;
  const partner: SlowPartner = { url: () => "", peak: 0, log: [] };
  const server: Server = createServer((req, res) => {
    open++;
    partner.peak = Math.max(partner.peak, open);
    const start = performance.now();
    setTimeout(() => {
      open--;
      partner.log.push({ path: req.url ?? "/", start, end: performance.now() });
      res.writeHead(200, { "content-type": "application/rss+xml" }).end(RSS);
    }, HOLD_MS);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const { port } = server.address() as AddressInfo;
  partner.url = (path) => `http://${host}:${port}${path}`;
  return partner;
}

const sourcesOn = (partner: SlowPartner, prefix: string, count: number): SourceConfig[] =>
  Array.from({ length: count }, (_, i) => ({
    id: `${prefix}-${i}`,
    title: `${prefix} ${i}`,
    url: partner.url(`/${prefix}-${i}.xml`),
    categories: ["migration"],
    enabled: true,
  }));

function pollerFor(store: Store, concurrency: number, perHostConcurrency?: number): Poller {
  return new Poller({
    store,
    concurrency,
    ...(perHostConcurrency === undefined ? {} : { perHostConcurrency }),
    refresh: (source, known) =>
      refreshSource(
        source,
        {
          store,
          retention: { maxEntriesPerSource: 500, maxAgeDays: 365 },
          fetchOptions: {
            timeoutMs: 5_000,
            maxBytes: 1024 * 1024,
            maxRedirects: 0,
            userAgent: "Tributary/test",
            allowPrivateNetworks: true,
          },
        },
        known,
      ),
  });
}

test("6 sources on one host: never more than 2 fetches at once (the default); other hosts not held back", async (t) => {
  const busy = await slowPartner(t, "127.0.0.2");
  const other = await slowPartner(t, "127.0.0.3");
  const store = await redisStoreForTest(t);
  // Four global slots: if a poll waiting for its host held one, the busy host's queue would
  // fill them all and the other host would wait.
  const poller = pollerFor(store, 4);
  // The busy host's sources first in line, so a global FIFO would make the others wait.
  const sources = [...sourcesOn(busy, "busy", 6), ...sourcesOn(other, "other", 2)];

  const outcomes = await poller.pollMany(sources);
  t.is(outcomes.length, 8);
  t.true(
    outcomes.every((o) => o.status === "ok"),
    JSON.stringify(outcomes.map((o) => o.error)),
  );
  t.is(busy.log.length, 6);
  t.is(busy.peak, 2, "the busy host had at most (and at some point exactly) 2 requests open");
  t.is(other.peak, 2);
  // Both of the other host's requests started while the busy host's first pair was still open.
  const firstBusyEnd = Math.min(...busy.log.map((r) => r.end));
  t.true(
    other.log.every((r) => r.start < firstBusyEnd),
    "a source on another host did not wait for the busy host's queue",
  );
  // Three rounds of two on the busy host: it took about three hold times, not one.
  const span = Math.max(...busy.log.map((r) => r.end)) - Math.min(...busy.log.map((r) => r.start));
  t.true(span >= 3 * HOLD_MS - 20, `busy host served in ${Math.round(span)} ms`);
});

test("forced polls respect the host limit too, and a reloaded limit applies to the next polls", async (t) => {
  const busy = await slowPartner(t, "127.0.0.2");
  const store = await redisStoreForTest(t);
  const poller = pollerFor(store, 8, 1);
  const sources = sourcesOn(busy, "forced", 3);
  await poller.pollMany(sources, { force: true });
  t.is(busy.peak, 1, "perHostConcurrency 1: one request at a time");

  poller.perHostConcurrency = 3;
  await poller.pollMany(sources, { force: true });
  t.is(busy.peak, 3, "raised to 3 by a reload");
});
