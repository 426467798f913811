// The pure parts of WebSub publishing: the Link header, the ping's form body, the retry
// schedule and how a hub is named in logs and metrics.
import test from "ava";
import { hubLinksOf, linkHeader, topicUrl } from "../../src/websub/hub-links.js";
import { hubLabel } from "../../src/websub/publish-notifier.js";
import { PING_DEFAULTS, publishBody, retryDelay } from "../../src/websub/publish-pings.js";

const BASE = "https://feeds.example.org/";

test("a topic is the feed URL without a query; filtered feeds and no hubs give no links", (t) => {
  t.is(topicUrl(BASE, "all", "atom"), "https://feeds.example.org/feeds/all.atom");
  const hubs = ["https://hub.example.net/"];
  t.deepEqual(hubLinksOf(BASE, hubs, { category: "migration", format: "json" }), {
    hubs,
    self: "https://feeds.example.org/feeds/migration.json",
  });
  t.is(hubLinksOf(BASE, hubs, { category: "migration", format: "rss", source: "a" }), undefined);
  t.is(hubLinksOf(BASE, hubs, { category: "migration", format: "rss", language: "fr" }), undefined);
  t.is(hubLinksOf(BASE, [], { category: "migration", format: "rss" }), undefined);
});

test("the Link header names every hub then self; characters that would end a target are encoded", (t) => {
  t.is(
    linkHeader({
      hubs: ["https://a.example/", "https://b.example/hub"],
      self: `${BASE}feeds/all.rss`,
    }),
    '<https://a.example/>; rel="hub", <https://b.example/hub>; rel="hub", <https://feeds.example.org/feeds/all.rss>; rel="self"',
  );
  t.is(
    linkHeader({ hubs: ["https://a.example/x>y\r\n"], self: "https://s.example/" }),
    '<https://a.example/x%3Ey%0D%0A>; rel="hub", <https://s.example/>; rel="self"',
  );
});

test("the form body is hub.mode=publish with one hub.url per URL, percent-encoded", (t) => {
  const body = publishBody([
    "https://f.example/feeds/all.rss",
    "https://f.example/feeds/a b.json?x=1&y=2",
  ]);
  t.is(
    body,
    "hub.mode=publish&hub.url=https%3A%2F%2Ff.example%2Ffeeds%2Fall.rss&hub.url=https%3A%2F%2Ff.example%2Ffeeds%2Fa+b.json%3Fx%3D1%26y%3D2",
  );
  const form = new URLSearchParams(body);
  t.is(form.get("hub.mode"), "publish");
  t.deepEqual(form.getAll("hub.url"), [
    "https://f.example/feeds/all.rss",
    "https://f.example/feeds/a b.json?x=1&y=2",
  ]);
});

test("retries wait 1, 2, 4, 8 s by default, doubling up to the cap", (t) => {
  const waits = Array.from({ length: PING_DEFAULTS.attempts - 1 }, (_, i) =>
    retryDelay(PING_DEFAULTS, i + 1),
  );
  t.deepEqual(waits, [1_000, 2_000, 4_000, 8_000]);
  t.is(retryDelay({ ...PING_DEFAULTS, maxRetryMs: 3_000 }, 5), 3_000);
});

test("a hub is named without userinfo, query or fragment", (t) => {
  t.is(
    hubLabel("https://user:secret@hub.example.net:8443/publish?token=abc#x"),
    "https://hub.example.net:8443/publish",
  );
  t.is(hubLabel("not a url"), "invalid-hub-url");
});
