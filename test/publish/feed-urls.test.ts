import test from "ava";
import { feedUrl, feedUrls } from "../../src/publish/feed-urls.js";

test("feedUrl writes the query in a fixed order and leaves out what is not given", (t) => {
  t.is(
    feedUrl("https://x.test", "a b", "atom", { cursor: "c2", source: "unhcr", limit: "10" }),
    "https://x.test/feeds/a%20b.atom?limit=10&source=unhcr&cursor=c2",
  );
  t.is(
    feedUrl("https://x.test", "all", "json", { source: "unhcr" }),
    "https://x.test/feeds/all.json?source=unhcr",
  );
  t.is(feedUrl("https://x.test", "all", "rss"), "https://x.test/feeds/all.rss");
});

test("feedUrls is feedUrl without a query in every format, whatever the base's trailing slash", (t) => {
  for (const base of ["https://x.test/base", "https://x.test/base/"]) {
    t.deepEqual(feedUrls(base, "research"), {
      rss: feedUrl("https://x.test/base", "research", "rss"),
      atom: feedUrl("https://x.test/base", "research", "atom"),
      json: feedUrl("https://x.test/base", "research", "json"),
    });
  }
  t.is(
    feedUrl("https://x.test/base/", "research", "rss"),
    "https://x.test/base/feeds/research.rss",
  );
});
