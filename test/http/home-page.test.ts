import test from "ava";
import { renderHomePage } from "../../src/http/home-page.js";
import { feedUrls } from "../../src/publish/feed-urls.js";

const hostile = `<script>alert("x")</script>&'`;

function view() {
  const all = {
    id: "all",
    title: "All updates",
    description: "Every category merged.",
    entries: 3,
    feeds: feedUrls("http://t.test", "all"),
  };
  const odd = {
    id: "odd",
    title: hostile,
    description: hostile,
    entries: 1,
    feeds: feedUrls("http://t.test/", "odd"),
  };
  return { title: hostile, categories: [all, odd], alternate: all };
}

test("every config string is escaped", (t) => {
  const html = renderHomePage(view());
  t.false(html.includes("<script>"));
  t.true(html.includes("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;"));
});

test("the head advertises the merged feeds with rel=alternate", (t) => {
  const html = renderHomePage(view());
  const head = html.slice(0, html.indexOf("</head>"));
  t.regex(
    head,
    /<link rel="alternate" type="application\/rss\+xml" [^>]*href="http:\/\/t\.test\/feeds\/all\.rss">/,
  );
  t.regex(
    head,
    /<link rel="alternate" type="application\/atom\+xml" [^>]*href="http:\/\/t\.test\/feeds\/all\.atom">/,
  );
  t.regex(
    head,
    /<link rel="alternate" type="application\/feed\+json" [^>]*href="http:\/\/t\.test\/feeds\/all\.json">/,
  );
});

test("each category lists its entry count and its three feed links", (t) => {
  const html = renderHomePage(view());
  t.true(html.includes("3 entries"));
  t.true(html.includes("1 entry "));
  for (const format of ["rss", "atom", "json"]) {
    t.true(html.includes(`href="http://t.test/feeds/odd.${format}"`));
  }
  t.true(html.startsWith("<!doctype html>"));
});

test("feedUrls trims the base URL's trailing slash and encodes the id", (t) => {
  t.deepEqual(feedUrls("https://x.test/base/", "a b"), {
    rss: "https://x.test/base/feeds/a%20b.rss",
    atom: "https://x.test/base/feeds/a%20b.atom",
    json: "https://x.test/base/feeds/a%20b.json",
  });
});
