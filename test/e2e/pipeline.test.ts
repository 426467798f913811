// The whole path: config → poll of fixture partners in three formats → every category in every
// format over HTTP → a second poll that sends validators and writes nothing.
import test from "ava";
import Parser from "rss-parser";
import { request } from "undici";
import { startService } from "../../src/app/service.js";
import { parseConfig } from "../../src/config/load.js";
import { createLogger } from "../../src/log.js";
import { ALL } from "../../src/store/store.js";
import { hasCorpus } from "../helpers/corpus.js";
import { startFixtureServer } from "../helpers/fixture-server.js";
import { jsonFeedValidator } from "../helpers/json-feed-schema.js";

const rss = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel>
  <title>UN Fixture News</title><link>https://news.example.org/</link><description>d</description>
  <item><title>Trafficking report &amp; findings</title><link>/stories/report</link>
    <guid isPermaLink="false">un-1</guid><pubDate>Mon, 02 Mar 2026 10:00:00 GMT</pubDate>
    <description>&lt;p&gt;The annual report on trafficking in persons.&lt;/p&gt;</description></item>
  <item><title>Older story</title><link>https://news.example.org/stories/older</link>
    <guid isPermaLink="false">un-2</guid><pubDate>Sat, 28 Feb 2026 08:30:00 GMT</pubDate>
    <description>An older story.</description></item>
</channel></rss>`;

const atom = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://journal.example.net/">
  <title>Journal Fixture</title><id>urn:journal</id><updated>2026-03-01T12:00:00Z</updated>
  <link href="https://journal.example.net/"/>
  <entry><title>Migration study</title><id>urn:journal:1</id><link href="articles/1"/>
    <published>2026-03-01T12:00:00Z</published><updated>2026-03-01T12:00:00Z</updated>
    <summary>A study of migration routes.</summary><author><name>A. Researcher</name></author></entry>
</feed>`;

const jsonFeed = JSON.stringify({
  version: "https://jsonfeed.org/version/1.1",
  title: "NGO Fixture",
  home_page_url: "https://ngo.example.com/",
  items: [
    {
      id: "ngo-1",
      url: "https://ngo.example.com/posts/1",
      title: "Shelter opens",
      content_text: "A new shelter for survivors opens.",
      date_published: "2026-03-03T09:15:00Z",
    },
  ],
});

const yaml = (origin: string) => `
service: { title: "Tributary test", baseUrl: "http://127.0.0.1:0", port: 0, host: "127.0.0.1" }
polling: { allowPrivateNetworks: true, timeoutMs: 5000 }
categories:
  - { id: trafficking, title: Trafficking, description: Anti-trafficking news }
  - { id: migration, title: Migration, description: Migration research }
sources:
  - { id: un, title: UN Fixture, url: "${origin}/un.rss", categories: [trafficking] }
  - { id: journal, title: Journal Fixture, url: "${origin}/journal.atom", categories: [migration] }
  - { id: ngo, title: NGO Fixture, url: "${origin}/ngo.json", categories: [trafficking, migration] }
`;

async function startAll(t: import("ava").ExecutionContext) {
  const partners = await startFixtureServer(t, {
    "/un.rss": { headers: { "Content-Type": "application/rss+xml", ETag: '"un-v1"' }, body: rss },
    "/journal.atom": {
      headers: {
        "Content-Type": "application/atom+xml",
        "Last-Modified": "Sun, 01 Mar 2026 12:00:00 GMT",
      },
      body: atom,
    },
    "/ngo.json": {
      headers: { "Content-Type": "application/feed+json", ETag: '"ngo-v1"' },
      body: jsonFeed,
    },
  });
  const config = parseConfig(yaml(partners.origin), {});
  const service = await startService(config, createLogger("silent"));
  t.teardown(() => service.stop());
  await service.initialPoll;
  return { partners, config, service };
}

async function get(url: string) {
  const response = await request(url);
  return {
    status: response.statusCode,
    headers: response.headers,
    text: await response.body.text(),
  };
}

test("polled entries come out of every category in every format, newest first", async (t) => {
  const { service } = await startAll(t);
  const parser = new Parser();

  const traffickingRss = await get(`${service.url}/feeds/trafficking.rss`);
  t.is(traffickingRss.status, 200);
  t.regex(String(traffickingRss.headers["content-type"]), /^application\/rss\+xml; charset=utf-8/);
  const rssFeed = await parser.parseString(traffickingRss.text);
  t.deepEqual(
    rssFeed.items.map((i) => i.title),
    ["Shelter opens", "Trafficking report & findings", "Older story"],
  );
  // A relative link is resolved against the channel's <link>.
  t.is(rssFeed.items[1]?.link, "https://news.example.org/stories/report");
  t.is(new Date(rssFeed.items[1]?.pubDate ?? "").toISOString(), "2026-03-02T10:00:00.000Z");

  const migrationAtom = await get(`${service.url}/feeds/migration.atom`);
  t.is(migrationAtom.status, 200);
  const atomFeed = await parser.parseString(migrationAtom.text);
  t.deepEqual(
    atomFeed.items.map((i) => i.title),
    ["Shelter opens", "Migration study"],
  );
  // xml:base applies to the Atom entry's relative link.
  t.is(atomFeed.items[1]?.link, "https://journal.example.net/articles/1");

  const allJson = await get(`${service.url}/feeds/${ALL}.json`);
  t.is(allJson.status, 200);
  const feed = JSON.parse(allJson.text);
  t.is(feed.version, "https://jsonfeed.org/version/1.1");
  t.deepEqual(
    feed.items.map((i: { title: string }) => i.title),
    ["Shelter opens", "Trafficking report & findings", "Migration study", "Older story"],
  );
  t.deepEqual(
    feed.items.map((i: { date_published: string }) => i.date_published),
    [
      "2026-03-03T09:15:00.000Z",
      "2026-03-02T10:00:00.000Z",
      "2026-03-01T12:00:00.000Z",
      "2026-02-28T08:30:00.000Z",
    ],
  );
  t.is(feed.items[0].url, "https://ngo.example.com/posts/1");
  if (hasCorpus) {
    const validate = jsonFeedValidator();
    t.true(validate(feed), JSON.stringify(validate.errors));
  }
});

test("a second poll of unchanged partners sends validators and writes nothing", async (t) => {
  const { partners, config, service } = await startAll(t);
  const versionBefore = await service.store.version(ALL);
  const countBefore = partners.requests.length;

  const outcomes = await service.poller.pollMany(config.sources, { force: true });

  t.deepEqual(outcomes.map((o) => [o.sourceId, o.status]).sort(), [
    ["journal", "not-modified"],
    ["ngo", "not-modified"],
    ["un", "not-modified"],
  ]);
  const second = partners.requests.slice(countBefore);
  const un = second.find((r) => r.path === "/un.rss");
  const journal = second.find((r) => r.path === "/journal.atom");
  t.is(un?.headers["if-none-match"], '"un-v1"');
  t.is(journal?.headers["if-modified-since"], "Sun, 01 Mar 2026 12:00:00 GMT");
  t.is(await service.store.version(ALL), versionBefore);
  const sources = JSON.parse((await get(`${service.url}/api/sources`)).text);
  t.deepEqual(
    sources.map((s: { id: string; status: string; entries: number }) => [
      s.id,
      s.status,
      s.entries,
    ]),
    [
      ["un", "not-modified", 2],
      ["journal", "not-modified", 1],
      ["ngo", "not-modified", 1],
    ],
  );
});

test("a partner that starts failing keeps its entries in the feeds", async (t) => {
  const { partners, config, service } = await startAll(t);
  partners.set("/un.rss", { status: 503, headers: { "Retry-After": "120" }, body: "down" });
  const [outcome] = await service.poller.pollMany(
    config.sources.filter((s) => s.id === "un"),
    { force: true },
  );
  t.is(outcome?.status, "error");
  t.is(outcome?.errorKind, "http-503");
  const feed = JSON.parse((await get(`${service.url}/feeds/trafficking.json`)).text);
  t.is(feed.items.length, 3);
  const sources = JSON.parse((await get(`${service.url}/api/sources`)).text);
  const un = sources.find((s: { id: string }) => s.id === "un");
  t.is(un.status, "error");
  t.is(un.errorKind, "http-503");
});
