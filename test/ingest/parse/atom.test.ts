// Atom as partners really write it: one odd element costs at most its entry, a namespace prefix
// is just a prefix, an HTML summary is a body, and the feed's own id and updated reach the
// entries. Each document inline, through decode → parse → normalise.
import test from "ava";
import { ingestBytes } from "../../../src/ingest/ingest.js";
import { parseFeed } from "../../../src/ingest/parse/parse.js";

const NOW = new Date("2026-03-10T12:00:00.000Z");
const FEED_URL = "https://partner.example/feeds/atom.xml";
const source = { id: "partner", categories: ["news"], feedUrl: FEED_URL };

const atom = (body: string, head = "<title>Partner</title><id>urn:partner:feed</id>") =>
  `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">${head}
<updated>2026-03-09T08:00:00Z</updated>${body}</feed>`;

const entry = (n: number, extra = "") =>
  `<entry><id>urn:partner:${n}</id><title>Story ${n}</title>
<link href="https://partner.example/${n}"/><updated>2026-03-0${n}T10:00:00Z</updated>${extra}</entry>`;

const ingest = (xml: string) => ingestBytes(Buffer.from(xml), "application/atom+xml", source, NOW);

/** What rss-parser's own Atom mapping used to throw, and must never be a reason again. */
const INTERNAL = /Cannot read|reading '|undefined|TypeError|RangeError/;

test("a feed <link/> without href is ignored; the feed and its entries are read", async (t) => {
  const result = await ingest(
    atom(entry(1), '<title>Partner</title><link/><link href="https://partner.example/"/>'),
  );
  t.deepEqual(
    result.updates.map((u) => u.title),
    ["Story 1"],
  );
  t.is(result.feedLink, "https://partner.example/");
});

test("an entry <link/> without href is ignored; the entry keeps its other links", async (t) => {
  const result = await ingest(
    atom(
      `<entry><id>urn:partner:1</id><title>Story 1</title><link/><link rel="alternate"/>
<link href="https://partner.example/1"/></entry>${entry(2, "<link/>")}`,
    ),
  );
  t.deepEqual(
    result.updates.map((u) => [u.title, u.link]),
    [
      ["Story 1", "https://partner.example/1"],
      ["Story 2", "https://partner.example/2"],
    ],
  );
  t.deepEqual(result.dropped, []);
});

test("one empty <entry/> is skipped with a reason; the entries around it are read", async (t) => {
  const result = await ingest(atom(`${entry(1)}<entry/>${entry(2)}<entry></entry>`));
  t.deepEqual(
    result.updates.map((u) => u.title),
    ["Story 1", "Story 2"],
  );
  t.deepEqual(
    result.dropped.map((d) => d.index),
    [1, 3],
  );
  for (const { reason } of result.dropped) {
    t.is(reason, "entry has neither a title nor any text");
  }
});

test("odd shapes of every Atom element cost at most their entry, never with internal text", async (t) => {
  const odd = [
    "<entry>only text</entry>",
    "<entry><title/><link/><author/><category/><content/></entry>",
    '<entry><id><x/></id><title type="image/png">AAAA</title><link href=""/></entry>',
    '<entry><title>Links</title><link rel="enclosure"/><link rel="enclosure" href=""/></entry>',
    "<entry><title>People</title><author><name/><email/><uri/></author><author>Jane</author></entry>",
    '<entry><title>Base</title><link href="a"/><content xml:base="::" type="html">x</content></entry>',
    "<entry><title>Dates</title><published>yesterday</published><updated>32/13/2026</updated></entry>",
  ];
  const result = await ingest(atom(`${odd.join("\n")}${entry(1)}`));
  t.true(result.updates.some((u) => u.title === "Story 1"));
  for (const { reason } of result.dropped) t.notRegex(reason, INTERNAL);
  t.is(result.updates.length + result.dropped.length, odd.length + 1);
});

test("a namespace-prefixed Atom feed parses like one in the default namespace", async (t) => {
  const prefixed = `<?xml version="1.0"?>
<a:feed xmlns:a="http://www.w3.org/2005/Atom" xmlns:x="http://www.w3.org/1999/xhtml" xml:lang="fr">
<a:title>Partenaire</a:title><a:id>urn:partner:feed</a:id><a:updated>2026-03-09T08:00:00Z</a:updated>
<a:link rel="alternate" href="https://partner.example/"/>
<a:author><a:name>Desk</a:name></a:author>
<a:entry><a:id>urn:partner:1</a:id><a:title type="html">Story &lt;b&gt;1&lt;/b&gt;</a:title>
<a:link href="/1"/><a:updated>2026-03-01T10:00:00Z</a:updated>
<a:summary>Short</a:summary>
<a:content type="xhtml"><x:div><x:p>Body with <x:a href="/more">a link</x:a></x:p></x:div></a:content>
</a:entry></a:feed>`;
  const parsed = await parseFeed(prefixed);
  t.is(parsed.format, "atom");
  t.is(parsed.title, "Partenaire");
  t.is(parsed.items.length, 1);
  const result = await ingest(prefixed);
  t.is(result.feedTitle, "Partenaire");
  t.is(result.feedLink, "https://partner.example/");
  const [update] = result.updates;
  t.is(update?.title, "Story 1");
  t.is(update?.link, "https://partner.example/1");
  t.is(update?.summary, "Short");
  t.is(update?.contentHtml, '<p>Body with <a href="https://partner.example/more">a link</a></p>');
  t.deepEqual(update?.authors, [{ name: "Desk" }]);
  t.is(update?.language, "fr");
});

test("in RSS, atom:link stays an extension element, not RSS's own link", async (t) => {
  const parsed = await parseFeed(`<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
<channel><title>P</title><link>https://partner.example/</link>
<atom:link rel="self" href="https://partner.example/feed"/>
<item><title>t</title><link>https://partner.example/1</link></item></channel></rss>`);
  t.is(parsed.format, "rss");
  t.is(parsed.link, "https://partner.example/");
});

test("an HTML summary without content is the entry's content: sanitised, links absolute", async (t) => {
  const result = await ingest(
    atom(
      entry(
        1,
        `<summary type="html">&lt;p&gt;See &lt;a href="/report"&gt;the report&lt;/a&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;/p&gt;</summary>`,
      ),
    ),
  );
  const [update] = result.updates;
  t.is(update?.contentHtml, '<p>See <a href="https://partner.example/report">the report</a></p>');
  t.is(update?.summary, "See the report");
});

test("an xhtml summary is content too; a text summary, or one beside content, is not", async (t) => {
  const result = await ingest(
    atom(
      [
        entry(
          1,
          '<summary type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><em>x</em></div></summary>',
        ),
        entry(2, "<summary>Plain &lt;b&gt;words&lt;/b&gt;</summary>"),
        entry(
          3,
          '<summary type="html">&lt;em&gt;s&lt;/em&gt;</summary><content type="html">&lt;p&gt;c&lt;/p&gt;</content>',
        ),
      ].join(""),
    ),
  );
  t.deepEqual(
    result.updates.map((u) => u.contentHtml),
    ["<em>x</em>", undefined, "<p>c</p>"],
  );
});

test("the partner feed's own id and updated are kept on every entry read from it", async (t) => {
  const result = await ingest(atom(`${entry(1)}${entry(2)}`));
  for (const update of result.updates) {
    t.deepEqual(update.sourceFeed, { id: "urn:partner:feed", updated: "2026-03-09T08:00:00.000Z" });
  }
});

test("the partner feed's RSS lastBuildDate is its updated; RSS has no id", async (t) => {
  const result = await ingestBytes(
    Buffer.from(`<rss version="2.0"><channel><title>P</title><link>https://partner.example/</link>
<lastBuildDate>Mon, 09 Mar 2026 08:00:00 GMT</lastBuildDate><pubDate>Sun, 01 Mar 2026 08:00:00 GMT</pubDate>
<item><title>t</title><guid>g1</guid></item></channel></rss>`),
    "application/rss+xml",
    source,
    NOW,
  );
  t.deepEqual(result.updates[0]?.sourceFeed, { updated: "2026-03-09T08:00:00.000Z" });
});

test("a feed id that is no IRI and an updated far in the future are not kept", async (t) => {
  const result = await ingest(
    `<feed xmlns="http://www.w3.org/2005/Atom"><title>P</title><id>just words</id>
<updated>2099-01-01T00:00:00Z</updated>${entry(1)}</feed>`,
  );
  t.is(result.updates[0]?.sourceFeed, undefined);
  const noHead = await ingest(`<feed xmlns="http://www.w3.org/2005/Atom">${entry(1)}</feed>`);
  t.is(noHead.updates[0]?.sourceFeed, undefined);
});
