// Retention as a poll applies it: what the partner's feed still lists is never aged out (a
// partner posting a few times a year keeps its archive), the count cap keeps the newest, and a
// poll of an unchanged feed — 200 or 304 — adds, removes and bumps nothing.
import test, { type ExecutionContext } from "ava";
import type { SourceConfig } from "../../src/config/types.js";
import { type RefreshDeps, refreshSource } from "../../src/ingest/refresh.js";
import { MemoryStore } from "../../src/store/memory.js";
import { ALL } from "../../src/store/store.js";
import { makeConfig } from "../helpers/config.js";
import { type FixtureServer, startFixtureServer } from "../helpers/fixture-server.js";

const NOW = new Date("2026-03-01T12:00:00.000Z");

const rss = (dates: string[]) => `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel>
  <title>Programme archive</title><link>https://partner.example.org/</link><description>d</description>
  ${dates
    .map(
      (date) => `<item><title>Post of ${date}</title>
    <link>https://partner.example.org/${date}</link><guid isPermaLink="false">${date}</guid>
    <pubDate>${new Date(date).toUTCString()}</pubDate><description>Post.</description></item>`,
    )
    .join("\n  ")}
</channel></rss>`;

/** Posts from 2017–2019, as the UN programme whose archive inspired the service. */
const ARCHIVE = ["2017-05-10T09:00:00Z", "2018-11-02T14:30:00Z", "2019-06-20T08:00:00Z"];

async function setUp(
  t: ExecutionContext,
  retention: RefreshDeps["retention"],
  headers: Record<string, string> = {},
) {
  const partner: FixtureServer = await startFixtureServer(t);
  const serve = (dates: string[]) =>
    partner.set("/archive.rss", {
      headers: { "Content-Type": "application/rss+xml", ...headers },
      body: rss(dates),
    });
  const store = new MemoryStore();
  t.teardown(() => store.close());
  const source: SourceConfig = {
    id: "programme",
    title: "Programme",
    url: partner.url("/archive.rss"),
    categories: ["migration"],
    enabled: true,
  };
  const { polling } = makeConfig();
  const deps: RefreshDeps = { store, fetchOptions: polling, retention, now: () => NOW };
  const poll = () => refreshSource(source, deps);
  const versions = async () => [await store.version(ALL), await store.version("migration")];
  return { store, serve, poll, versions, partner };
}

test("a partner's 2017–2019 posts survive two polls: the second adds, removes and bumps nothing", async (t) => {
  const { store, serve, poll, versions } = await setUp(t, {
    maxEntriesPerSource: 500,
    maxAgeDays: 365,
  });
  serve(ARCHIVE);
  t.like(await poll(), { status: "ok", added: 3, expired: 0 });
  const before = await versions();
  t.like(await poll(), { status: "ok", added: 0, updated: 0, unchanged: 3, expired: 0 });
  t.deepEqual(await versions(), before);
  t.is(await store.count("migration"), 3);
});

test("a post that left the partner's feed goes once older than maxAgeDays; the listed ones stay", async (t) => {
  const { store, serve, poll } = await setUp(t, { maxEntriesPerSource: 500, maxAgeDays: 365 });
  serve(ARCHIVE);
  await poll();
  serve(ARCHIVE.slice(1));
  t.like(await poll(), { status: "ok", added: 0, unchanged: 2, expired: 1 });
  const page = await store.list({ category: "migration", limit: 10 });
  t.deepEqual(
    page.items.map((item) => item.published),
    ["2019-06-20T08:00:00.000Z", "2018-11-02T14:30:00.000Z"],
  );
});

test("a feed longer than maxEntriesPerSource stores its newest only, and polling it again writes nothing", async (t) => {
  const { store, serve, poll, versions } = await setUp(t, {
    maxEntriesPerSource: 2,
    maxAgeDays: 365,
  });
  serve(ARCHIVE);
  // The oldest post is never written: it would only be removed again, on every poll.
  t.like(await poll(), { status: "ok", added: 2, expired: 0 });
  const before = await versions();
  t.like(await poll(), { status: "ok", added: 0, updated: 0, unchanged: 2, expired: 0 });
  t.deepEqual(await versions(), before);
  const page = await store.list({ category: "migration", limit: 10 });
  t.deepEqual(
    page.items.map((item) => item.published),
    ["2019-06-20T08:00:00.000Z", "2018-11-02T14:30:00.000Z"],
  );
});

test("a 304 keeps the archive the partner still lists, with no write", async (t) => {
  const { store, serve, poll, versions, partner } = await setUp(
    t,
    { maxEntriesPerSource: 500, maxAgeDays: 365 },
    { ETag: '"archive-v1"' },
  );
  serve(ARCHIVE);
  await poll();
  const before = await versions();
  t.like(await poll(), { status: "not-modified", added: 0, expired: 0 });
  t.is(partner.requests.at(-1)?.headers["if-none-match"], '"archive-v1"');
  t.deepEqual(await versions(), before);
  t.is(await store.count("migration"), 3);
});
