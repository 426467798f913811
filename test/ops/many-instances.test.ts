// Several Tributary processes on one real Redis (issue: many instances): one api and two workers
// over 200 sources spread across four loopback host names (the whole 127/8 is loopback on
// Linux). The partners record every request, how many were open at once per host name, and
// which were cut off; from that log the test checks that each source is fetched once per due
// time, that a worker killed with SIGKILL mid-poll is taken over within the lease, that the
// per-host limit holds across workers, and that the api serves a change without a Redis call
// per request (INFO commandstats).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import test, { type ExecutionContext } from "ava";
import { Redis } from "ioredis";
import { call } from "../helpers/app.js";
import { writeConfig } from "../helpers/cli.js";
import { startRedisServer } from "../helpers/redis-server.js";
import { serve } from "../helpers/served.js";
import { delay, waitFor } from "../helpers/wait.js";

const HOSTS = ["127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4"];
const PER_HOST = 50;
const SOURCES = HOSTS.length * PER_HOST;
const ITEMS = 3;
/** Each answer is held this long, so polls overlap and a kill lands mid-poll. */
const HOLD_MS = 150;
const LEASE_SECONDS = 3;
const TOKEN = "many-instances-token-7f3e";

interface Fetch {
  path: string;
  host: string;
  start: number;
  end?: number;
  /** The client went away before the answer (its worker was killed). */
  cut?: boolean;
}

interface Partners {
  url(host: string, path: string): string;
  fetches: Fetch[];
  /** Most requests open at once, per host name. */
  peak: Map<string, number>;
  /** Replaces the feed served at `path`. */
  set(path: string, body: string): void;
}

/** Sources publish at 10:00–19:59; a breaking story is the newest of all. */
const hourOf = (n: number, title: string) =>
  title.startsWith("Breaking") ? "23" : String(10 + (n % 10)).padStart(2, "0");

const feed = (n: number, titles: string[]) => `<?xml version="1.0"?>
<rss version="2.0"><channel><title>Partner ${n}</title><link>https://p${n}.example/</link>
<description>d</description>
${titles
  .map(
    (title, i) =>
      `<item><title>${title}</title><link>https://p${n}.example/${i}</link><guid>p${n}-${i}</guid>
<pubDate>Mon, 02 Mar 2026 ${hourOf(n, title)}:${String(i).padStart(2, "0")}:00 GMT</pubDate></item>`,
  )
  .join("\n")}
</channel></rss>`;

const titlesOf = (n: number) => Array.from({ length: ITEMS }, (_, i) => `Story ${n}.${i}`);

async function startPartners(t: ExecutionContext): Promise<Partners> {
  const bodies = new Map<string, string>();
  const open = new Map<string, number>();
  const partners: Partners = {
    url: () => "",
    fetches: [],
    peak: new Map(),
    set: (path, body) => bodies.set(path, body),
  };
  const ports = new Map<string, number>();
  for (const host of HOSTS) {
    const server: Server = createServer((req, res) => {
      const fetch: Fetch = { path: req.url ?? "/", host, start: Date.now() };
      partners.fetches.push(fetch);
      const now = (open.get(host) ?? 0) + 1;
      open.set(host, now);
      partners.peak.set(host, Math.max(partners.peak.get(host) ?? 0, now));
      let closed = false;
      const done = () => {
        if (closed) return;
        closed = true;
        open.set(host, (open.get(host) ?? 1) - 1);
      };
      res.on("close", () => {
        if (!res.writableFinished) fetch.cut = true;
        done();
      });
      setTimeout(() => {
        const body = bodies.get(fetch.path);
        if (body === undefined) res.writeHead(404).end();
        else res.writeHead(200, { "content-type": "application/rss+xml" }).end(body);
        fetch.end = Date.now();
        done();
      }, HOLD_MS);
    });
    await new Promise<void>((resolve) => server.listen(0, host, resolve));
    ports.set(host, (server.address() as AddressInfo).port);
    t.teardown(
      () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    );
  }
  partners.url = (host, path) => `http://${host}:${ports.get(host)}${path}`;
  return partners;
}

function configYaml(partners: Partners): string {
  const sources: string[] = [];
  for (let n = 0; n < SOURCES; n++) {
    const host = HOSTS[n % HOSTS.length] ?? "127.0.0.1";
    const path = `/feed/${n}.rss`;
    partners.set(path, feed(n, titlesOf(n)));
    sources.push(
      `  - { id: s${n}, title: "Source ${n}", url: "${partners.url(host, path)}", categories: [news] }`,
    );
  }
  // Once a year: every poll here is the start-up poll, a takeover or an operator's.
  return `service: { port: 0, host: 127.0.0.1, baseUrl: "http://tributary.test" }
polling: { allowPrivateNetworks: true, timeoutMs: 3000, schedule: "0 0 1 1 *", concurrency: 16, perHostConcurrency: 2, leaseSeconds: ${LEASE_SECONDS} }
feeds: { defaultLimit: 50, maxLimit: 200 }
categories: [{ id: news, title: News }]
sources:
${sources.join("\n")}
`;
}

const countBy = <T>(items: T[], key: (item: T) => string) => {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
};

/** Calls of every command Redis has run so far (INFO commandstats). */
async function commandCalls(redis: Redis): Promise<number> {
  const info = await redis.info("commandstats");
  let total = 0;
  for (const match of info.matchAll(/^cmdstat_[^:]+:calls=(\d+)/gm)) total += Number(match[1]);
  return total;
}

async function allIds(url: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = "";
  while (cursor !== null) {
    const after = cursor === "" ? "" : `&cursor=${encodeURIComponent(cursor)}`;
    const response = await call(`${url}/api/updates?category=all&limit=200${after}`);
    const page = response.json() as { items: { id: string }[]; next: string | null };
    ids.push(...page.items.map((item) => item.id));
    cursor = page.next;
  }
  return ids;
}

test.serial(
  "one api and two workers on one Redis: each source fetched once, a killed worker taken over within the lease, per-host limits held, changes served with no Redis call per request",
  async (t) => {
    t.timeout(150_000);
    const redisServer = await startRedisServer(t);
    const redis = new Redis(redisServer.url);
    t.teardown(() => redis.disconnect());
    const partners = await startPartners(t);
    const path = writeConfig(t, configYaml(partners));
    const env = { REDIS_URL: redisServer.url, ADMIN_TOKEN: TOKEN };

    // Both workers start at once and each tries the start-up poll of all 200 sources.
    const [workerA, workerB] = await Promise.all([
      serve(t, ["--role", "worker", "--config", path], env),
      serve(t, ["--role", "worker", "--config", path], env),
    ]);
    const api = await serve(t, ["--role", "api", "--config", path], env);
    const finished = () => partners.fetches.filter((f) => f.end !== undefined && !f.cut);
    await waitFor(
      () => new Set(finished().map((f) => f.path)).size === SOURCES || undefined,
      60_000,
      "every source to be fetched",
    );
    await delay(1_000);
    const perSource = countBy(partners.fetches, (f) => f.path);
    t.is(perSource.size, SOURCES);
    t.deepEqual(
      [...perSource].filter(([, n]) => n !== 1),
      [],
      "a source was fetched more than once for one due time",
    );
    const polledBy = (lines: typeof workerA.lines) =>
      new Set(lines.filter((l) => l.msg === "poll").map((l) => String(l.source)));
    const [byA, byB] = [polledBy(workerA.lines), polledBy(workerB.lines)];
    t.true(byA.size > 0 && byB.size > 0, `both workers polled (${byA.size} and ${byB.size})`);
    t.is([...byA].filter((id) => byB.has(id)).length, 0, "no source was polled by both");
    t.is(byA.size + byB.size, SOURCES);

    // Operator polls of everything, one through each worker: both go through the claim.
    // Worker A is killed while its polls are open.
    const before = partners.fetches.length;
    const admin = { method: "POST", headers: { Authorization: `Bearer ${TOKEN}` } };
    void call(`${workerA.url}/admin/poll`, admin).catch(() => {});
    await waitFor(
      () => partners.fetches.slice(before).some((f) => f.end === undefined) || undefined,
      10_000,
      "worker A's polls to start",
    );
    await delay(200);
    await waitFor(
      () => partners.fetches.slice(before).some((f) => f.end === undefined) || undefined,
      10_000,
      "a fetch of worker A's to be open",
    );
    workerA.child.kill("SIGKILL");
    await workerA.exited;
    const killedAt = Date.now();
    // Worker B is idle: every lease still held is one worker A claimed and never released.
    const orphaned = (await redis.keys("tributary:lease:*")).map((key) => key.split(":").pop());
    t.true(orphaned.length > 0, "worker A held no lease when it was killed");
    // They come back to worker B once they expire: its sweep polls every overdue source.
    const overdue = async () => (await redis.zrangebyscore("tributary:due", 0, Date.now())).length;
    await waitFor(
      () => {
        const redone = partners.fetches.filter(
          (f) => f.start >= killedAt && f.end !== undefined && !f.cut,
        );
        const paths = new Set(redone.map((f) => f.path));
        return orphaned.every((id) => paths.has(`/feed/${id?.slice(1)}.rss`)) || undefined;
      },
      LEASE_SECONDS * 1000 + 10_000,
      "worker B to take over the polls worker A was killed in",
    );
    const takeover = Date.now() - killedAt;
    t.true(takeover < LEASE_SECONDS * 1000 + 6_000, `taken over after ${takeover} ms`);
    const cut = partners.fetches.filter((f) => f.cut).length;
    t.log(
      `${orphaned.length} polls orphaned (${cut} fetches cut), taken over after ${takeover} ms`,
    );
    await waitFor(async () => (await overdue()) === 0 || undefined, 20_000, "nothing overdue");

    // The per-host limit held across both workers, and was reached (the test can fail).
    for (const host of HOSTS) {
      t.is(partners.peak.get(host), 2, `requests open at once on ${host}`);
    }
    // No entry twice: 200 sources of 3 stories each, whoever polled them and however often.
    const ids = await allIds(api.url);
    t.is(ids.length, SOURCES * ITEMS);
    t.is(new Set(ids).size, ids.length);

    // A partner changes its feed; an operator poll through worker B brings it in.
    partners.set("/feed/7.rss", feed(7, [...titlesOf(7), "Breaking from partner 7"]));
    const polled = await call(`${workerB.url}/admin/sources/s7/poll?wait=1`, admin);
    t.is(polled.status, 200, polled.body.toString("utf8"));
    const feedUrl = `${api.url}/feeds/all.rss?limit=50`;
    await waitFor(
      async () =>
        (await call(feedUrl)).body.toString("utf8").includes("Breaking from partner 7") ||
        undefined,
      10_000,
      "the api instance to serve the change",
    );
    // With the workers gone, every Redis command comes from the api instance: 200 requests of
    // the cached feed make none (the version push and a few safety re-checks at most).
    workerB.child.kill("SIGKILL");
    await workerB.exited;
    await delay(200);
    const callsBefore = await commandCalls(redis);
    for (let i = 0; i < 200; i++) {
      const response = await call(feedUrl);
      t.is(response.status, 200);
    }
    // INFO itself counts as a command, once per read.
    const calls = (await commandCalls(redis)) - callsBefore - 1;
    t.log(`${calls} Redis commands for 200 cached feed requests`);
    t.true(calls < 10, `${calls} Redis commands for 200 cached feed requests`);
  },
);
