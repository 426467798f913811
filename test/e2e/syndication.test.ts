// Partners that syndicate each other's stories (issue: one entry per story): an agency, an
// aggregator republishing it with campaign tags over http and a site-name tail, a journal and a
// digest linking the journal's article by DOI and retitling a story. Polled over real sockets
// from a fixture server; the merged outputs list each story once with its provenance, the
// per-source outputs keep every partner's own entry, and a later edit never splits a story.
import test from "ava";
import { request } from "undici";
import { startService } from "../../src/app/service.js";
import { parseConfig } from "../../src/config/load.js";
import { createLogger } from "../../src/log.js";
import type { Update } from "../../src/model/update.js";
import { startFixtureServer } from "../helpers/fixture-server.js";

const rss = (title: string, items: string) => `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>${title}</title><link>https://${title.toLowerCase()}.example.org/</link>
<description>d</description>${items}</channel></rss>`;

const item = (title: string, link: string, guid: string, date: string) =>
  `<item><title>${title}</title><link>${link}</link><guid isPermaLink="false">${guid}</guid>
   <pubDate>${date}</pubDate><description>${title}, in a few words more.</description></item>`;

const FLOODS = "Floods displace thousands in northern camps as rains continue";
const CONVOY = "Aid convoy reaches besieged city after weeks of talks";
const SITREP = (n: number) => `Regional situation report number ${n} on coastal migration routes`;

const agency = rss(
  "Agency",
  item(FLOODS, "https://agency.example.org/news/floods", "ag-1", "Mon, 02 Mar 2026 08:00:00 GMT") +
    item(
      `UPDATE: ${CONVOY}`,
      "https://agency.example.org/news/convoy",
      "ag-2",
      "Mon, 02 Mar 2026 09:00:00 GMT",
    ) +
    item(
      SITREP(12),
      "https://agency.example.org/sitrep/12",
      "ag-3",
      "Mon, 02 Mar 2026 10:00:00 GMT",
    ),
);

const relief = (floodsTitle: string) =>
  rss(
    "Relief",
    item(
      `${floodsTitle} | ReliefHub`,
      "http://www.agency.example.org/news/floods/?utm_source=reliefhub&amp;utm_medium=rss",
      "rh-1",
      "Mon, 02 Mar 2026 11:00:00 GMT",
    ) +
      // Not a copy: the next report of the series.
      item(
        SITREP(13),
        "https://reliefhub.example.net/reports/sitrep-13",
        "rh-2",
        "Mon, 02 Mar 2026 12:00:00 GMT",
      ),
  );

const journal = JSON.stringify({
  version: "https://jsonfeed.org/version/1.1",
  title: "Journal",
  items: [
    {
      id: "j-1",
      url: "https://journal.example.net/doi/full/10.1080/12345678.2026.7654321",
      title: "Labour exploitation in seasonal agriculture: evidence from three regions",
      content_text: "An article.",
      date_published: "2026-03-01T12:00:00Z",
    },
  ],
});

const digest = rss(
  "Digest",
  item(
    "New study on seasonal work",
    "https://doi.org/10.1080/12345678.2026.7654321",
    "dg-1",
    "Tue, 03 Mar 2026 07:00:00 GMT",
  ) +
    item(
      `${CONVOY} - Digest`,
      "https://digest.example.com/2026/03/convoy",
      "dg-2",
      "Tue, 03 Mar 2026 08:00:00 GMT",
    ),
);

const yaml = (origin: string) => `
service: { title: "Tributary test", baseUrl: "http://127.0.0.1:0", port: 0, host: "127.0.0.1" }
polling: { allowPrivateNetworks: true, timeoutMs: 5000 }
categories:
  - { id: emergencies, title: Emergencies, description: Emergencies }
  - { id: research, title: Research, description: Research }
sources:
  - { id: agency, title: Agency, url: "${origin}/agency.rss", categories: [emergencies] }
  - { id: relief, title: ReliefHub, url: "${origin}/relief.rss", categories: [emergencies] }
  - { id: journal, title: Journal, url: "${origin}/journal.json", categories: [research] }
  - { id: digest, title: Digest, url: "${origin}/digest.rss", categories: [research] }
`;

async function start(t: import("ava").ExecutionContext) {
  const partners = await startFixtureServer(t, {
    "/agency.rss": { headers: { "Content-Type": "application/rss+xml" }, body: agency },
    "/relief.rss": { headers: { "Content-Type": "application/rss+xml" }, body: relief(FLOODS) },
    "/journal.json": { headers: { "Content-Type": "application/feed+json" }, body: journal },
    "/digest.rss": { headers: { "Content-Type": "application/rss+xml" }, body: digest },
  });
  const config = parseConfig(yaml(partners.origin), {});
  const service = await startService(config, createLogger("silent"));
  t.teardown(() => service.stop());
  await service.initialPoll;
  const updates = async (query: string): Promise<Update[]> => {
    const response = await request(`${service.url}/api/updates?${query}&limit=50`);
    t.is(response.statusCode, 200);
    return ((await response.body.json()) as { items: Update[] }).items;
  };
  return { partners, config, service, updates };
}

const bySources = (items: Update[]) =>
  items
    .map((u) => (u.story?.copies ?? [{ sourceId: u.sourceId }]).map((c) => c.sourceId).join("+"))
    .sort();

test("merged outputs list each story once, under the earliest copy, naming every partner", async (t) => {
  const { updates, service } = await start(t);
  const all = await updates("category=all");
  t.deepEqual(bySources(all), [
    "agency", // situation report 12
    "agency+digest", // the convoy story, retitled by the digest a day later
    "agency+relief", // the floods story, tracked http link and "| ReliefHub" tail
    "journal+digest", // the article, linked by DOI
    "relief", // situation report 13: a similar title, another story
  ]);
  const floods = all.find((u) => u.story?.copies.some((c) => c.sourceId === "relief"));
  // Listed under the agency's own copy: its link, not the aggregator's tracked one.
  t.is(floods?.link, "https://agency.example.org/news/floods");
  t.is(floods?.story?.copies[1]?.link?.startsWith("http://www.agency.example.org/"), true);
  // A category shows a story that any of its copies is in, once.
  t.deepEqual(bySources(await updates("category=research")), ["agency+digest", "journal+digest"]);
  // The merged JSON feed has one item per story.
  const feed = (await (await request(`${service.url}/feeds/all.json`)).body.json()) as {
    items: unknown[];
  };
  t.is(feed.items.length, 5);
});

test("per-source outputs keep each partner's own entries, without provenance", async (t) => {
  const { updates } = await start(t);
  const digest = await updates("category=all&source=digest");
  t.is(digest.length, 2);
  t.true(digest.every((u) => u.sourceId === "digest" && u.story === undefined));
  t.is((await updates("category=all&source=relief")).length, 2);
});

test("a later poll that edits one copy keeps the story whole and its published id", async (t) => {
  const { updates, partners, service, config } = await start(t);
  const before = (await updates("category=all")).find((u) => u.title === FLOODS);
  t.truthy(before?.story);
  partners.set("/relief.rss", {
    headers: { "Content-Type": "application/rss+xml" },
    body: relief("Rains keep falling on northern camps after floods displaced thousands"),
  });
  await service.poller.pollMany(
    config.sources.filter((s) => s.id === "relief"),
    { force: true },
  );
  const all = await updates("category=all");
  t.is(all.length, 5);
  const after = all.find((u) => u.title === FLOODS);
  t.is(after?.story?.id, before?.story?.id);
  t.is(
    after?.story?.copies[1]?.title,
    "Rains keep falling on northern camps after floods displaced thousands | ReliefHub",
  );
});

test("every format names the other partners of a story and publishes it under one id", async (t) => {
  const { service } = await start(t);
  const get = async (path: string) => (await request(`${service.url}${path}`)).body.text();
  const json = JSON.parse(await get("/feeds/emergencies.json")) as {
    items: { id: string; url: string; _tributary: { sources?: { id: string; link: string }[] } }[];
  };
  const floods = json.items.find((i) => i.url === "https://agency.example.org/news/floods");
  t.deepEqual(
    floods?._tributary.sources?.map((s) => s.id),
    ["agency", "relief"],
  );
  t.regex(floods?._tributary.sources?.[1]?.link ?? "", /^http:\/\/www\.agency\.example\.org\//);
  const id = floods?.id ?? "";
  t.regex(id, /^urn:tributary:/);

  const rss = await get("/feeds/emergencies.rss");
  t.true(rss.includes('xmlns:tributary="urn:tributary:ns:1.0"'));
  t.regex(
    rss,
    /<tributary:alsoPublishedBy partner="relief" url="http:\/\/www\.agency\.example\.org\/news\/floods\/\?utm_source=reliefhub&amp;utm_medium=rss" source="[^"]+\/relief\.rss" published="2026-03-02T11:00:00\.000Z">ReliefHub<\/tributary:alsoPublishedBy>/,
  );
  t.true(rss.includes(`<guid isPermaLink="false">${id}</guid>`));
  t.regex(rss, /<source url="[^"]+\/agency\.rss">Agency<\/source>/);

  const atom = await get("/feeds/emergencies.atom");
  t.regex(
    atom,
    /<link rel="via" href="http:\/\/www\.agency\.example\.org\/news\/floods\/\?utm_source=reliefhub&amp;utm_medium=rss" title="ReliefHub"\/>/,
  );
  t.true(atom.includes(`<id>${id}</id>`));

  const page = await get("/categories/emergencies");
  t.regex(
    page,
    /<p class="entry-also">Also published by <a href="http:\/\/www\.agency\.example\.org\/news\/floods\/\?utm_source=reliefhub&amp;utm_medium=rss">ReliefHub<\/a><\/p>/,
  );
  // A partner's own feed: its own entry, its own id, nobody else named.
  const own = JSON.parse(await get("/feeds/emergencies.json?source=relief")) as {
    items: { id: string; _tributary: { sources?: unknown } }[];
  };
  t.true(own.items.every((i) => i.id !== id && i._tributary.sources === undefined));
});
