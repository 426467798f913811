// WebSub discovery on published feeds: with `websub.hubs` set, every unfiltered feed names the
// hubs and its topic URL in the body (RSS and Atom `rel="hub"`/`rel="self"` links, JSON Feed
// `hubs` and `feed_url`) and in `Link` headers — through Koa and the cached fast path, on 200s and
// 304s; without hubs, none of it.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import test from "ava";
import { call } from "../helpers/app.js";
import { jsonFeedValidator } from "../helpers/json-feed-schema.js";
import { startRig } from "./publish-rig.js";

const run = promisify(execFile);
const HUB = "https://hub.example.net/";
const HUB2 = "https://pubsubhubbub.example.org/publish";
// Nothing answers at these hubs; these tests are about the links, not the pings.
const NO_RETRY = { attempts: 1 };

/** The `href` of every feed-level `<element>` whose rel is `rel`, whatever the attribute order. */
const xmlLinks = (body: string, element: string, rel: string): string[] =>
  [...body.matchAll(new RegExp(`<${element}\\s([^>]*?)/>`, "g"))].flatMap((m) => {
    const attributes = Object.fromEntries(
      [...(m[1] ?? "").matchAll(/([\w:]+)="([^"]*)"/g)].map((a) => [a[1], a[2]]),
    );
    return attributes.rel === rel && attributes.href !== undefined ? [attributes.href] : [];
  });
const xmlHubs = (body: string, element: string) => xmlLinks(body, element, "hub");
const xmlSelf = (body: string, element: string) =>
  // Entry-level <source> links are partners' own: only the feed's head is looked at.
  xmlLinks(body.split(/<item>|<entry>/)[0] ?? "", element, "self");

test("RSS, Atom and JSON Feed name every hub and the topic URL, in the body and in Link headers", async (t) => {
  const { service, topics } = await startRig(t, { hubs: [HUB, HUB2], pings: NO_RETRY });
  const base = service.getConfig().service.baseUrl;
  for (const format of ["rss", "atom", "json"] as const) {
    const topic = `${base}/feeds/migration.${format}`;
    t.true(topics("migration").includes(topic));
    const res = await call(`${service.url}/feeds/migration.${format}`);
    t.is(res.status, 200, format);
    t.is(
      res.header("link"),
      `<${HUB}>; rel="hub", <${HUB2}>; rel="hub", <${topic}>; rel="self"`,
      `${format} Link header`,
    );
    const body = res.body.toString("utf8");
    if (format === "json") {
      const feed = res.json() as { hubs: unknown; feed_url: string };
      t.deepEqual(feed.hubs, [
        { type: "WebSub", url: HUB },
        { type: "WebSub", url: HUB2 },
      ]);
      t.is(feed.feed_url, topic);
    } else {
      const element = format === "rss" ? "atom:link" : "link";
      t.deepEqual(xmlHubs(body, element), [HUB, HUB2], `${format} hub links`);
      // One self link, the same URL as the header's: not a second one beside feed's own.
      t.deepEqual(xmlSelf(body, element), [topic], `${format} self link`);
    }
  }
});

test("the Link header is on fast-path answers and 304s too", async (t) => {
  const { service } = await startRig(t, { hubs: [HUB], pings: NO_RETRY });
  const url = `${service.url}/feeds/all.atom`;
  const first = await call(url);
  const cached = await call(url);
  t.is(cached.status, 200);
  t.is(cached.header("link"), first.header("link"));
  t.true(first.header("link").includes(`<${HUB}>; rel="hub"`));
  const text = await service.metrics.registry.metrics();
  t.regex(
    text,
    /tributary_http_fast_path_answers_total [1-9]/,
    "the second answer came from the fast path",
  );
  const notModified = await call(url, { headers: { "If-None-Match": first.header("etag") } });
  t.is(notModified.status, 304);
  t.is(notModified.header("link"), first.header("link"));
});

test("every page of a feed names the topic as self; filtered feeds advertise no hub", async (t) => {
  const { service, publish, poll } = await startRig(t, { hubs: [HUB], pings: NO_RETRY });
  publish("a", ["Alpha one", "Alpha two", "Alpha three"]);
  await poll("a");
  const base = service.getConfig().service.baseUrl;
  const topic = `${base}/feeds/migration.rss`;
  const page1 = await call(`${service.url}/feeds/migration.rss?limit=1`);
  const next = /<atom:link href="([^"]+)" rel="next"/.exec(page1.body.toString())?.[1];
  t.truthy(next, "the first page of one entry has a next page");
  const page2 = await call((next ?? "").replace(base, service.url).replaceAll("&amp;", "&"));
  for (const page of [page1, page2]) {
    t.is(page.status, 200);
    t.deepEqual(xmlSelf(page.body.toString(), "atom:link"), [topic]);
    t.is(page.header("link"), `<${HUB}>; rel="hub", <${topic}>; rel="self"`);
  }
  for (const query of ["source=a", "lang=en"]) {
    const filtered = await call(`${service.url}/feeds/migration.rss?${query}`);
    t.is(filtered.status, 200, query);
    t.is(filtered.header("link"), "", `${query}: no Link header`);
    t.deepEqual(xmlHubs(filtered.body.toString(), "atom:link"), [], `${query}: no hub link`);
  }
});

test("without hubs, feeds carry no hub link, no Link header and no JSON Feed hubs", async (t) => {
  const { service } = await startRig(t, { hubs: [] });
  for (const format of ["rss", "atom", "json"] as const) {
    const res = await call(`${service.url}/feeds/migration.${format}`);
    t.is(res.status, 200);
    t.is(res.header("link"), "", format);
    const body = res.body.toString("utf8");
    t.false(body.includes('rel="hub"'), format);
    if (format === "json") t.is((res.json() as { hubs?: unknown }).hubs, undefined);
  }
});

const FEEDPARSER_LINKS = `
import json, sys, feedparser
d = feedparser.parse(sys.argv[1])
print(json.dumps({"bozo": bool(d.bozo), "version": d.version, "entries": len(d.entries),
  "links": [[l.get("rel"), l.get("href")] for l in d.feed.get("links", [])]}))
`;

test("with hub links the feeds stay valid: feedparser reads RSS and Atom cleanly, JSON Feed 1.1 validates", async (t) => {
  const { service } = await startRig(t, { hubs: [HUB], pings: NO_RETRY });
  const base = service.getConfig().service.baseUrl;
  for (const format of ["rss", "atom"] as const) {
    const { stdout } = await run("/usr/bin/python3", [
      "-c",
      FEEDPARSER_LINKS,
      `${service.url}/feeds/migration.${format}`,
    ]);
    const seen = JSON.parse(stdout) as {
      bozo: boolean;
      version: string;
      entries: number;
      links: string[][];
    };
    t.false(seen.bozo, format);
    t.is(seen.version, format === "rss" ? "rss20" : "atom10");
    t.is(seen.entries, 2, `${format}: partners a and c`);
    t.deepEqual(
      seen.links.filter(([rel]) => rel === "hub" || rel === "self"),
      [
        ...(format === "rss" ? [] : [["self", `${base}/feeds/migration.atom`]]),
        ["hub", HUB],
        ...(format === "rss" ? [["self", `${base}/feeds/migration.rss`]] : []),
      ],
      format,
    );
  }
  const json = (await call(`${service.url}/feeds/migration.json`)).json();
  const validate = jsonFeedValidator();
  t.true(validate(json), JSON.stringify(validate.errors?.slice(0, 3)));
});
