import test from "ava";
import { readOpml } from "../../src/config/opml-read.js";
import { escapeAttribute, renderOpml } from "../../src/publish/opml.js";

test("renders OPML 2.0 with a head title and one outline per entry, nested folders included", (t) => {
  const xml = renderOpml({
    title: "Feeds",
    outlines: [
      { text: "A", type: "rss", xmlUrl: "https://a.example/rss", htmlUrl: "https://a.example/" },
      { text: "Folder", children: [{ text: "B", type: "rss", xmlUrl: "https://b.example/atom" }] },
    ],
  });
  t.true(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0">'));
  t.regex(xml, /<head>\s*<title>Feeds<\/title>/);
  t.regex(
    xml,
    /<outline text="A" title="A" type="rss" xmlUrl="https:\/\/a\.example\/rss" htmlUrl="https:\/\/a\.example\/"\/>/,
  );
  const document = readOpml(xml);
  t.is(document.title, "Feeds");
  t.deepEqual(
    document.feeds.map((f) => [f.title, f.xmlUrl, f.folders]),
    [
      ["A", "https://a.example/rss", []],
      ["B", "https://b.example/atom", ["Folder"]],
    ],
  );
});

test("hostile titles and URLs are escaped and stripped of characters XML cannot hold", (t) => {
  const title = 'Q&A: "quotes" <b>bold</b>\u0000\u0007 and a\ttab';
  const url = "https://x.example/feed?a=1&b=<2>";
  const xml = renderOpml({
    title: "T & <T>",
    outlines: [{ text: title, type: "rss", xmlUrl: url, description: "line\nbreak" }],
  });
  t.false(xml.includes("\u0000") || xml.includes("\u0007"));
  t.regex(xml, /<title>T &amp; &lt;T&gt;<\/title>/);
  // What a reader parses back is the text (minus the control characters) and the URL as given.
  const [feed] = readOpml(xml).feeds;
  t.is(feed?.title, 'Q&A: "quotes" <b>bold</b> and a tab');
  t.is(feed?.xmlUrl, url);
  t.is(escapeAttribute("a\nb\r\tc"), "a&#10;b&#13;&#9;c");
});
