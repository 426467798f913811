import { createHash } from "node:crypto";
import test from "ava";
import {
  type NormaliseResult,
  type NormaliseSource,
  normalise,
} from "../../../src/ingest/normalise/normalise.js";
import { parseFeed } from "../../../src/ingest/parse/parse.js";
import type { ParsedFeed, ParsedItem } from "../../../src/ingest/parse/types.js";
import type { Update } from "../../../src/model/update.js";
import { UN_LANGUAGES } from "../../fixtures/un-languages.js";

const NOW = new Date("2024-06-01T12:00:00.000Z");
const FEED_URL = "https://partner.example/feeds/news.xml";

const source = (overrides: Partial<NormaliseSource> = {}): NormaliseSource => ({
  id: "unodc",
  categories: ["trafficking", "all-news"],
  feedUrl: FEED_URL,
  ...overrides,
});

const rss = (
  items: string,
  channel = "<link>https://partner.example/</link>",
  rootAttrs = "",
): string =>
  `<?xml version="1.0"?>
<rss version="2.0" ${rootAttrs} xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:media="http://search.yahoo.com/mrss/"><channel><title>Partner &amp;amp; Co</title>${channel}${items}</channel></rss>`;

const atom = (entries: string, feedAttrs = "", head = ""): string =>
  `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" ${feedAttrs}><title>Atom partner</title>
<id>urn:x</id><updated>2024-01-01T00:00:00Z</updated>${head}${entries}</feed>`;

async function run(
  text: string,
  src: NormaliseSource = source(),
  now: Date = NOW,
): Promise<NormaliseResult> {
  return normalise(await parseFeed(text), src, now);
}

async function one(text: string, src?: NormaliseSource, now?: Date): Promise<Update> {
  const result = await run(text, src, now);
  const update = result.updates[0];
  if (!update) throw new Error(`no update; dropped: ${JSON.stringify(result.dropped)}`);
  return update;
}

const item = (fields: string): string => `<item><title>Title</title>${fields}</item>`;

// --- ids ---------------------------------------------------------------------------------------

test("id is sha256 of source id and guid, 32 hex characters", async (t) => {
  const update = await one(rss(item("<guid isPermaLink='false'>abc-1</guid>")));
  const expected = createHash("sha256").update("unodc\nabc-1").digest("hex").slice(0, 32);
  t.is(update.id, expected);
  t.is(update.sourceId, "unodc");
});

test("ids are stable across polls and independent of the clock", async (t) => {
  const doc = rss(item("<guid>https://partner.example/1</guid>"));
  const first = await one(doc, source(), NOW);
  const later = await one(doc, source(), new Date("2025-01-01T00:00:00Z"));
  t.is(first.id, later.id);
});

test("guids differing only by http/https or a trailing slash give the same id", async (t) => {
  const a = await one(rss(item("<guid>http://partner.example/news/1/</guid>")));
  const b = await one(rss(item("<guid>https://partner.example/news/1</guid>")));
  t.is(a.id, b.id);
});

test("without a guid the id comes from the canonical link", async (t) => {
  const a = await one(rss(item("<link>http://partner.example/news/1/</link>")));
  const b = await one(rss(item("<link>https://partner.example/news/1</link>")));
  t.is(a.id, b.id);
  const c = await one(rss(item("<link>https://partner.example/news/2</link>")));
  t.not(a.id, c.id);
});

test("without guid or link the id comes from title and date", async (t) => {
  const a = await one(rss(item("<pubDate>Mon, 01 Jan 2024 00:00:00 GMT</pubDate>")));
  const b = await one(rss(item("<pubDate>Tue, 02 Jan 2024 00:00:00 GMT</pubDate>")));
  t.not(a.id, b.id);
  // Without a date the id must not depend on the first-seen fallback.
  const c = await one(rss(item("")), source(), NOW);
  const d = await one(rss(item("")), source(), new Date("2024-07-01T00:00:00Z"));
  t.is(c.id, d.id);
});

test("the same guid in two sources gives two ids", async (t) => {
  const doc = rss(item("<guid>https://partner.example/1</guid>"));
  t.not((await one(doc, source({ id: "a" }))).id, (await one(doc, source({ id: "b" }))).id);
});

test("duplicate ids within one feed: the first is kept, the rest dropped with a reason", async (t) => {
  const result = await run(
    rss(
      `<item><title>First</title><guid>https://partner.example/1</guid></item>
       <item><title>Second</title><guid>http://partner.example/1/</guid></item>
       <item><title>Third</title><guid>https://partner.example/3</guid></item>`,
    ),
  );
  t.deepEqual(
    result.updates.map((u) => u.title),
    ["First", "Third"],
  );
  t.is(result.dropped.length, 1);
  t.is(result.dropped[0]?.index, 1);
  t.regex(result.dropped[0]?.reason ?? "", /duplicate/);
});

// --- links ----------------------------------------------------------------------------------

test("a relative link resolves against the item's xml:base", async (t) => {
  const update = await one(
    rss('<item xml:base="https://partner.example/en/"><title>t</title><link>story/1</link></item>'),
  );
  t.is(update.link, "https://partner.example/en/story/1");
});

test("a relative item xml:base resolves against the feed's xml:base", async (t) => {
  const update = await one(
    atom(
      '<entry xml:base="news/"><title>t</title><id>1</id><link href="1.html"/></entry>',
      'xml:base="https://partner.example/fr/"',
    ),
  );
  t.is(update.link, "https://partner.example/fr/news/1.html");
});

test("an Atom link's own xml:base applies to it", async (t) => {
  const update = await one(
    atom(
      '<entry><title>t</title><id>1</id><link href="1" xml:base="https://partner.example/x/"/></entry>',
    ),
  );
  t.is(update.link, "https://partner.example/x/1");
});

test("RSS without xml:base: relative links resolve against the channel's absolute link", async (t) => {
  const update = await one(
    rss(item("<link>/news/1</link>"), "<link>https://www.partner.example/site/</link>"),
  );
  t.is(update.link, "https://www.partner.example/news/1");
});

test("RSS with a relative channel link: relative links resolve against the feed URL", async (t) => {
  const update = await one(rss(item("<link>news/1</link>"), "<link>/</link>"));
  t.is(update.link, "https://partner.example/feeds/news/1");
});

test("Atom without xml:base: relative links resolve against the feed URL", async (t) => {
  const update = await one(
    atom('<entry><title>t</title><id>1</id><link href="../story/2"/></entry>'),
  );
  t.is(update.link, "https://partner.example/story/2");
});

test("non-http(s) links are dropped, the entry is kept", async (t) => {
  for (const href of [
    "javascript:alert(1)",
    "data:text/html,x",
    "vbscript:x",
    "mailto:a@b.example",
  ]) {
    const update = await one(rss(item(`<link>${href}</link>`)));
    t.is(update.link, undefined, href);
    t.is(update.title, "Title");
  }
});

test("a missing link stays missing", async (t) => {
  const update = await one(rss(item("<guid isPermaLink='false'>x</guid>")));
  t.is(update.link, undefined);
  t.false("link" in update);
});

test("an RSS permalink guid is the link when there is no <link>", async (t) => {
  const update = await one(rss(item("<guid>https://partner.example/p/9</guid>")));
  t.is(update.link, "https://partner.example/p/9");
});

// --- titles ---------------------------------------------------------------------------------

test("title is plain text: entities decoded, tags stripped, whitespace collapsed, controls removed", async (t) => {
  const update = await one(
    rss(
      "<item><title>  Tom &amp;amp; Jerry\n\t&lt;b&gt;live&lt;/b&gt; &#x1F600; caf&eacute;\u0008  </title></item>",
    ),
  );
  t.is(update.title, "Tom & Jerry live \u{1F600} café");
});

test("Atom text titles are literal text, html titles are markup", async (t) => {
  const result = await run(
    atom(`<entry><title type="text">a &lt; b</title><id>1</id></entry>
          <entry><title type="html">&lt;em&gt;c&lt;/em&gt; &amp;amp; d</title><id>2</id></entry>`),
  );
  t.deepEqual(
    result.updates.map((u) => u.title),
    ["a < b", "c & d"],
  );
});

test("an entry without a title gets the first ten words of its text with an ellipsis", async (t) => {
  const update = await one(
    rss(
      "<item><description>&lt;p&gt;One two three four five six seven eight nine ten eleven twelve.&lt;/p&gt;</description></item>",
    ),
  );
  t.is(update.title, "One two three four five six seven eight nine ten…");
});

test("an entry with neither title nor text is dropped with a reason", async (t) => {
  const result = await run(
    rss("<item><link>https://partner.example/1</link></item><item><title>kept</title></item>"),
  );
  t.deepEqual(
    result.updates.map((u) => u.title),
    ["kept"],
  );
  t.deepEqual(
    result.dropped.map((d) => d.index),
    [0],
  );
  t.regex(result.dropped[0]?.reason ?? "", /neither a title nor any text/);
});

// --- summaries ------------------------------------------------------------------------------

test("summary is plain text from the description", async (t) => {
  const update = await one(
    rss(
      item(
        "<description><![CDATA[<p>Victims &amp; survivors<br/>were <b>identified</b>.</p>]]></description>",
      ),
    ),
  );
  t.is(update.summary, "Victims & survivors were identified.");
});

test("summary falls back to the content when there is no description", async (t) => {
  const update = await one(
    rss(item("<content:encoded><![CDATA[<p>From content</p>]]></content:encoded>")),
  );
  t.is(update.summary, "From content");
});

test("a long summary is cut at a word boundary to at most 300 characters with …", async (t) => {
  const update = await one(
    rss(item(`<description>${"Lorem ipsum dolor sit amet. ".repeat(40)}</description>`)),
  );
  t.true(update.summary.length <= 300);
  t.true(update.summary.endsWith("…"));
  t.false(/\s…$/.test(update.summary));
});

test("partner boilerplate is removed from summaries", async (t) => {
  const cases: [string, string][] = [
    ['Text here. <a href="/x">Read More</a>', "Text here."],
    ["Text here. Read more »", "Text here."],
    [
      'Text here. <a class="more-link" href="/x">Continue reading <span>Title</span> →</a>',
      "Text here.",
    ],
    [
      "<p>Text here [&#8230;]</p><p>The post <a href='/x'>Title</a> appeared first on <a href='/'>Site</a>.</p>",
      "Text here…",
    ],
  ];
  for (const [description, expected] of cases) {
    const update = await one(rss(item(`<description><![CDATA[${description}]]></description>`)));
    t.is(update.summary, expected, description);
  }
});

test("a 5 MB pathological description is summarised quickly", async (t) => {
  const hostile = `${"<".repeat(2e6)}${"&amp;".repeat(4e5)}${"<a ".repeat(3e5)}`;
  const feed: ParsedFeed = {
    format: "rss",
    items: [
      {
        title: { value: "t", type: "html" },
        summary: { value: hostile, type: "html" },
        links: [],
        authors: [],
        categories: [],
        enclosures: [],
      },
    ],
  };
  const started = performance.now();
  const result = normalise(feed, source(), NOW);
  t.true(performance.now() - started < 3000);
  t.true((result.updates[0]?.summary.length ?? 999) <= 300);
});

// --- content ----------------------------------------------------------------------------------

test("contentHtml is sanitised and its relative URLs made absolute against the item's base", async (t) => {
  const update = await one(
    rss(
      item(`<link>https://partner.example/news/1</link><content:encoded><![CDATA[
        <p onclick="x()" style="color:red">Hi <a href="/about">us</a> <a href="javascript:alert(1)">x</a></p>
        <img src="img/a.png" onerror="x()"><script>alert(1)</script><iframe src="https://evil.example"></iframe>
      ]]></content:encoded>`),
      "<link>https://partner.example/site/</link>",
    ),
  );
  t.is(
    update.contentHtml,
    '<p>Hi <a href="https://partner.example/about">us</a> <a>x</a></p>\n        <img src="https://partner.example/site/img/a.png" />',
  );
});

test("contentHtml resolves against the content element's own xml:base", async (t) => {
  const update = await one(
    atom(
      `<entry><title>t</title><id>1</id><content type="html" xml:base="https://cdn.example/a/">&lt;img src="i.png"&gt;</content></entry>`,
    ),
  );
  t.is(update.contentHtml, '<img src="https://cdn.example/a/i.png" />');
});

test("contentHtml is undefined when there is no content, or nothing survives sanitising", async (t) => {
  t.is(
    (await one(rss(item("<description>only a description</description>")))).contentHtml,
    undefined,
  );
  t.is(
    (
      await one(
        rss(item("<content:encoded><![CDATA[<script>alert(1)</script>]]></content:encoded>")),
      )
    ).contentHtml,
    undefined,
  );
});

test("plain-text content becomes escaped paragraphs", async (t) => {
  const update = await one(
    JSON.stringify({
      version: "https://jsonfeed.org/version/1.1",
      items: [{ id: "1", title: "t", content_text: "a < b\n\nsecond" }],
    }),
  );
  t.is(update.contentHtml, "<p>a &lt; b</p><p>second</p>");
});

// --- dates ------------------------------------------------------------------------------------

test("dates are ISO 8601 UTC", async (t) => {
  const update = await one(rss(item("<pubDate>Tue, 10 Jun 2003 04:00:00 EST</pubDate>")));
  t.is(update.published, "2003-06-10T09:00:00.000Z");
  t.is(update.updated, "2003-06-10T09:00:00.000Z");
});

test("updated stands in for a missing published, and vice versa", async (t) => {
  const result = await run(
    atom(`<entry><title>u</title><id>1</id><updated>2024-01-02T00:00:00Z</updated></entry>
          <entry><title>p</title><id>2</id><published>2024-01-03T00:00:00+02:00</published></entry>`),
  );
  const [u, p] = result.updates;
  t.is(u?.published, "2024-01-02T00:00:00.000Z");
  t.is(u?.updated, "2024-01-02T00:00:00.000Z");
  t.is(p?.published, "2024-01-02T22:00:00.000Z");
  t.is(p?.updated, "2024-01-02T22:00:00.000Z");
  t.is(result.fallbackDated.size, 0);
});

test("a missing date falls back to now and is reported as fallback-dated", async (t) => {
  const result = await run(rss(item("<guid>https://partner.example/1</guid>")));
  const update = result.updates[0];
  t.is(update?.published, NOW.toISOString());
  t.is(update?.updated, NOW.toISOString());
  t.true(result.fallbackDated.has(update?.id ?? ""));
});

test("an unparseable date falls back to now", async (t) => {
  const result = await run(rss(item("<pubDate>sometime last week</pubDate>")));
  t.is(result.updates[0]?.published, NOW.toISOString());
  t.is(result.fallbackDated.size, 1);
});

test("a date more than a day in the future falls back to now; less than a day is kept", async (t) => {
  const far = await run(rss(item("<pubDate>Mon, 03 Jun 2024 12:00:01 GMT</pubDate>")));
  t.is(far.updates[0]?.published, NOW.toISOString());
  t.is(far.fallbackDated.size, 1);
  const near = await run(rss(item("<pubDate>Sun, 02 Jun 2024 11:00:00 GMT</pubDate>")));
  t.is(near.updates[0]?.published, "2024-06-02T11:00:00.000Z");
  t.is(near.fallbackDated.size, 0);
});

test("a bad Atom date only falls back for its own entry", async (t) => {
  const result = await run(
    atom(`<entry><title>bad</title><id>1</id><published>31/31/2024</published></entry>
          <entry><title>good</title><id>2</id><published>2024-05-01T00:00:00Z</published></entry>`),
  );
  t.is(result.updates.length, 2);
  t.is(result.updates[0]?.published, NOW.toISOString());
  t.is(result.updates[1]?.published, "2024-05-01T00:00:00.000Z");
  t.deepEqual([...result.fallbackDated], [result.updates[0]?.id]);
});

// --- people, tags, media ----------------------------------------------------------------------

test("all authors are kept, emails without mailto:, urls only when http(s)", async (t) => {
  const update = await one(
    atom(`<entry><title>t</title><id>1</id>
      <author><name>Jane &amp;amp; Co</name><email>mailto:jane@partner.example</email><uri>javascript:alert(1)</uri></author>
      <author><name>John</name><uri>/people/john</uri></author>
      <author><name>Jane &amp;amp; Co</name><email>jane@partner.example</email></author>
    </entry>`),
  );
  t.deepEqual(update.authors, [
    { name: "Jane & Co", email: "jane@partner.example" },
    { name: "John", url: "https://partner.example/people/john" },
  ]);
});

test("RSS author emails are split from names; dc:creator adds more", async (t) => {
  const update = await one(
    rss(item("<author>jane@partner.example (Jane Doe)</author><dc:creator>John Roe</dc:creator>")),
  );
  t.deepEqual(update.authors, [
    { name: "Jane Doe", email: "jane@partner.example" },
    { name: "John Roe" },
  ]);
});

test("Atom entries without authors inherit the feed's", async (t) => {
  const update = await one(
    atom(
      "<entry><title>t</title><id>1</id></entry>",
      "",
      "<author><name>Press office</name></author>",
    ),
  );
  t.deepEqual(update.authors, [{ name: "Press office" }]);
});

test("tags are the partner's categories as text, deduplicated; categories come from the source", async (t) => {
  const update = await one(
    rss(
      item(`<category>Migration</category><category domain="x">Human &amp;amp; rights</category>
        <category>migration</category><category>  </category><dc:subject>Asylum</dc:subject>`),
    ),
  );
  t.deepEqual(update.tags, ["Migration", "Human & rights", "Asylum"]);
  t.deepEqual(update.categories, ["trafficking", "all-news"]);
});

test("all http(s) enclosures are kept with type and numeric length", async (t) => {
  const update = await one(
    rss(
      item(`<enclosure url="/media/a.mp3" type="audio/mpeg" length="1234"/>
        <enclosure url="https://partner.example/b.pdf" type="application/pdf" length="unknown"/>
        <enclosure url="ftp://partner.example/c.zip" type="application/zip"/>
        <enclosure url="https://partner.example/d.mp4"/>`),
      "<link>https://partner.example/</link>",
    ),
  );
  t.deepEqual(update.enclosures, [
    { url: "https://partner.example/media/a.mp3", type: "audio/mpeg", length: 1234 },
    { url: "https://partner.example/b.pdf", type: "application/pdf" },
    { url: "https://partner.example/d.mp4", type: "video/mp4" },
  ]);
});

test("image comes from media:thumbnail, resolved to an absolute http(s) URL", async (t) => {
  const update = await one(rss(item('<media:thumbnail url="/thumbs/1.jpg"/>')));
  t.deepEqual(update.image, { url: "https://partner.example/thumbs/1.jpg" });
  const none = await one(rss(item('<media:thumbnail url="javascript:alert(1)"/>')));
  t.is(none.image, undefined);
});

test("JSON Feed image and attachments", async (t) => {
  const update = await one(
    JSON.stringify({
      version: "https://jsonfeed.org/version/1.1",
      items: [
        {
          id: "1",
          title: "t",
          image: "https://partner.example/i.png",
          attachments: [
            { url: "https://partner.example/a.mp3", mime_type: "audio/mpeg", size_in_bytes: 10 },
          ],
        },
      ],
    }),
  );
  t.deepEqual(update.image, { url: "https://partner.example/i.png" });
  t.deepEqual(update.enclosures, [
    { url: "https://partner.example/a.mp3", type: "audio/mpeg", length: 10 },
  ]);
});

test("language comes from the item, else the feed", async (t) => {
  const result = await run(
    rss(
      '<item xml:lang="fr"><title>a</title></item><item><title>b</title></item>',
      "<language>en-us</language>",
    ),
  );
  t.deepEqual(
    result.updates.map((u) => u.language),
    ["fr", "en-US"],
  );
});

// --- robustness and feed fields ----------------------------------------------------------------

test("one bad entry drops that entry, not the feed", async (t) => {
  const feed: ParsedFeed = {
    format: "rss",
    items: [
      {
        title: { value: "ok 1", type: "text" },
        links: [],
        authors: [],
        categories: [],
        enclosures: [],
      },
      // A malformed entry that makes mapping throw.
      {
        title: { value: "broken", type: "text" },
        links: null,
        authors: [],
        categories: [],
        enclosures: [],
      } as unknown as ParsedItem,
      {
        links: [],
        authors: [],
        categories: [],
        enclosures: [],
        problem: "JSON Feed item is not an object",
      },
      {
        title: { value: "ok 2", type: "text" },
        links: [],
        authors: [],
        categories: [],
        enclosures: [],
      },
    ],
  };
  const result = normalise(feed, source(), NOW);
  t.deepEqual(
    result.updates.map((u) => u.title),
    ["ok 1", "ok 2"],
  );
  t.deepEqual(
    result.dropped.map((d) => d.index),
    [1, 2],
  );
  // What was thrown ("Cannot read properties of null…") names our code: never the reason.
  t.is(result.dropped[0]?.reason, "malformed entry: one of its elements could not be read");
  t.is(result.dropped[1]?.reason, "JSON Feed item is not an object");
});

test("feedTitle is plain text and feedLink absolute", async (t) => {
  const result = await run(rss(item(""), "<link>/home</link>"));
  t.is(result.feedTitle, "Partner & Co");
  t.is(result.feedLink, "https://partner.example/home");
});

test("normalise is pure: same input, same output, input untouched", async (t) => {
  const feed = await parseFeed(rss(item("<description>d</description><pubDate>bad</pubDate>")));
  const snapshot = JSON.stringify(feed);
  const a = normalise(feed, source(), NOW);
  const b = normalise(feed, source(), NOW);
  t.deepEqual(a, b);
  t.is(JSON.stringify(feed), snapshot);
});

test("an update has exactly the model's fields, optional ones only when known", async (t) => {
  const update = await one(
    rss(
      item(
        "<link>https://partner.example/1</link><description>d</description><pubDate>Mon, 01 Jan 2024 00:00:00 GMT</pubDate>",
      ),
    ),
  );
  t.deepEqual(Object.keys(update).sort(), [
    "authors",
    "categories",
    "enclosures",
    "id",
    "link",
    "published",
    "sourceId",
    "summary",
    "tags",
    "title",
    "updated",
  ]);
});

test("declared languages are canonical BCP 47; a bad one is dropped, not published", async (t) => {
  const result = await run(
    rss(
      '<item><title>a</title><dc:language>ZH_hans</dc:language></item><item xml:lang="en_US!"><title>b</title></item>',
      "<language>english</language>",
    ),
  );
  t.deepEqual(
    result.updates.map((u) => u.language),
    ["zh-Hans", undefined],
  );
});

test("HTTP Content-Language is the language of last resort, and only a single tag", async (t) => {
  const withHeader = (contentLanguage: string) => ({ ...source(), contentLanguage });
  const declaredNowhere = rss("<item><title>a</title></item>");
  t.is((await run(declaredNowhere, withHeader("es"))).updates[0]?.language, "es");
  t.is((await run(declaredNowhere, withHeader("en, fr"))).updates[0]?.language, undefined);
  const declared = rss("<item><title>a</title></item>", "<language>ru</language>");
  t.is((await run(declared, withHeader("es"))).updates[0]?.language, "ru");
});

test("undeclared entries get the language detected from their text in the six UN languages, none when too short or unsure", async (t) => {
  const items = UN_LANGUAGES.map(
    (sample) =>
      `<item><title>${sample.title}</title><description>${sample.summary}</description></item>`,
  ).join("");
  const result = await run(rss(items));
  t.deepEqual(
    result.updates.map((u) => u.language),
    UN_LANGUAGES.map((sample) => sample.language),
  );
  // Too little text to tell: no language rather than a guess.
  const short = await run(
    rss(
      "<item><title>Press release</title></item><item><title>Communiqué de presse</title></item>",
    ),
  );
  t.deepEqual(
    short.updates.map((u) => u.language),
    [undefined, undefined],
  );
  // A declaration always wins over what the text looks like.
  const declared = await run(rss(items, "<language>fr</language>"));
  t.true(declared.updates.every((u) => u.language === "fr"));
});
