import test from "ava";
import { readOpml } from "../../src/config/opml-read.js";
import { call, startApp } from "../helpers/app.js";

test("GET /opml lists every category feed, all first, as RSS by default", async (t) => {
  const { url } = await startApp(t);
  const res = await call(`${url}/opml`);
  t.is(res.status, 200);
  t.is(res.header("content-type"), "text/x-opml; charset=utf-8");
  t.is(res.header("cache-control"), "public, max-age=300");
  const document = readOpml(res.body.toString("utf8"));
  t.is(document.title, "Tributary test");
  t.deepEqual(
    document.feeds.map((f) => [f.title, f.xmlUrl, f.htmlUrl]),
    [
      [
        "Tributary test: All updates",
        "http://tributary.test/feeds/all.rss",
        "http://tributary.test/",
      ],
      [
        "Tributary test: Migration",
        "http://tributary.test/feeds/migration.rss",
        "http://tributary.test/",
      ],
      [
        "Tributary test: Human trafficking",
        "http://tributary.test/feeds/trafficking.rss",
        "http://tributary.test/",
      ],
    ],
  );
  t.regex(res.body.toString("utf8"), /description="Trafficking in persons &amp; forced labour\."/);
});

test("GET /opml?format=atom points at the Atom feeds; a bad format is a 400", async (t) => {
  const { url } = await startApp(t);
  const atom = readOpml((await call(`${url}/opml?format=atom`)).body.toString("utf8"));
  t.true(atom.feeds.every((f) => f.xmlUrl.endsWith(".atom")));
  const bad = await call(`${url}/opml?format=pdf`);
  t.is(bad.status, 400);
  t.deepEqual(bad.json(), { error: 'format: must be one of rss, atom, json, got "pdf"' });
});

test("GET /opml/sources lists the enabled partner sources with their categories", async (t) => {
  const { url } = await startApp(t);
  const res = await call(`${url}/opml/sources`);
  t.is(res.status, 200);
  t.is(res.header("content-type"), "text/x-opml; charset=utf-8");
  const document = readOpml(res.body.toString("utf8"));
  t.deepEqual(document.feeds, [
    {
      title: "UN News",
      xmlUrl: "https://news.un.org/feed/subscribe/en/news/all/rss.xml",
      htmlUrl: "https://news.un.org/",
      folders: [],
      categories: ["/migration", "/trafficking"],
    },
    {
      title: "Anti-Trafficking Review",
      xmlUrl:
        "https://antitraffickingreview.org/index.php/atrjournal/gateway/plugin/WebFeedGatewayPlugin/atom",
      folders: [],
      categories: ["/trafficking"],
    },
  ]);
});

test("HEAD /opml answers with the headers and no body", async (t) => {
  const { url } = await startApp(t);
  const res = await call(`${url}/opml`, { method: "HEAD" });
  t.is(res.status, 200);
  t.is(res.header("content-type"), "text/x-opml; charset=utf-8");
  t.is(res.body.length, 0);
});
