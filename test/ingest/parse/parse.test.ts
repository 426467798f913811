import test from "ava";
import { asParseError, FeedParseError } from "../../../src/ingest/parse/errors.js";
import { parseFeed } from "../../../src/ingest/parse/parse.js";
import type { ParsedFeed } from "../../../src/ingest/parse/types.js";

const rss = (items: string, channel = "", rssAttrs = 'version="2.0"'): string =>
  `<?xml version="1.0" encoding="UTF-8"?>
<rss ${rssAttrs} xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:media="http://search.yahoo.com/mrss/" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">
<channel><title>Partner</title><link>https://partner.example/</link>${channel}${items}</channel></rss>`;

const atom = (entries: string, feedAttrs = ""): string =>
  `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/" ${feedAttrs}>
<title>Partner</title><link rel="self" href="https://partner.example/atom"/><link href="https://partner.example/"/>
<id>urn:partner</id><updated>2024-01-01T00:00:00Z</updated>${entries}</feed>`;

async function rejection(t: import("ava").ExecutionContext, text: string): Promise<FeedParseError> {
  const error = await t.throwsAsync(parseFeed(text), { instanceOf: FeedParseError });
  if (!error) throw new Error("expected a FeedParseError");
  t.is(error.name, "FeedParseError");
  return error;
}

const onlyItem = (feed: ParsedFeed) => {
  const item = feed.items[0];
  if (!item) throw new Error("no item");
  return item;
};

// --- RSS 2.0 ---------------------------------------------------------------------------------

test("RSS 2.0 item fields come back raw", async (t) => {
  const feed = await parseFeed(
    rss(
      `<item>
      <title>Tom &amp;amp; Jerry &lt;b&gt;live&lt;/b&gt;</title>
      <link>https://partner.example/1</link>
      <guid isPermaLink="false">item-1</guid>
      <pubDate>Tue, 10 Jun 2003 04:00:00 GMT</pubDate>
      <description><![CDATA[<p>Summary</p>]]></description>
      <content:encoded><![CDATA[<p>Full <b>content</b></p>]]></content:encoded>
    </item>`,
      "<language>en-gb</language>",
    ),
  );
  t.is(feed.format, "rss");
  t.is(feed.title, "Partner");
  t.is(feed.link, "https://partner.example/");
  t.is(feed.language, "en-gb");
  const item = onlyItem(feed);
  t.deepEqual(item.title, { value: "Tom &amp; Jerry <b>live</b>", type: "html" });
  t.deepEqual(item.links, [{ href: "https://partner.example/1", base: undefined }]);
  t.is(item.guid, "item-1");
  t.false(item.guidIsPermaLink);
  t.is(item.published, "Tue, 10 Jun 2003 04:00:00 GMT");
  t.deepEqual(item.summary, { value: "<p>Summary</p>", type: "html" });
  t.deepEqual(item.content, { value: "<p>Full <b>content</b></p>", type: "html" });
});

test("RSS: every author, creator, category and enclosure is kept", async (t) => {
  const item = onlyItem(
    await parseFeed(
      rss(`<item><title>t</title>
        <author>jane@partner.example (Jane Doe)</author>
        <dc:creator>John Roe</dc:creator><dc:creator>Ann Poe</dc:creator>
        <category>Trafficking</category><category domain="https://partner.example/tax">Migration</category>
        <enclosure url="https://partner.example/a.mp3" type="audio/mpeg" length="123"/>
        <enclosure url="https://partner.example/b.pdf" type="application/pdf" length="456"/>
      </item>`),
    ),
  );
  t.deepEqual(item.authors, [
    { email: "jane@partner.example", name: "Jane Doe" },
    { name: "John Roe" },
    { name: "Ann Poe" },
  ]);
  t.deepEqual(item.categories, ["Trafficking", "Migration"]);
  t.deepEqual(item.enclosures, [
    { url: "https://partner.example/a.mp3", type: "audio/mpeg", length: "123" },
    { url: "https://partner.example/b.pdf", type: "application/pdf", length: "456" },
  ]);
});

test("RSS: the image comes from media:thumbnail before media:content, enclosures and itunes:image", async (t) => {
  const images = async (inner: string) =>
    onlyItem(await parseFeed(rss(`<item><title>t</title>${inner}</item>`))).image;
  t.deepEqual(
    await images(`<itunes:image href="https://p.example/it.jpg"/><media:content url="https://p.example/mc.jpg" medium="image"/>
      <media:thumbnail url="https://p.example/th.jpg"/>`),
    { url: "https://p.example/th.jpg" },
  );
  t.deepEqual(
    await images(
      `<itunes:image href="https://p.example/it.jpg"/><media:group><media:content url="https://p.example/mc.jpg" type="image/jpeg"/></media:group>`,
    ),
    { url: "https://p.example/mc.jpg", type: "image/jpeg" },
  );
  t.deepEqual(
    await images(
      `<itunes:image href="https://p.example/it.jpg"/><enclosure url="https://p.example/e.png" type="image/png"/>`,
    ),
    { url: "https://p.example/e.png", type: "image/png" },
  );
  t.deepEqual(await images(`<itunes:image href="https://p.example/it.jpg"/>`), {
    url: "https://p.example/it.jpg",
  });
});

test("RSS without a version attribute is still read as RSS", async (t) => {
  const feed = await parseFeed(rss("<item><title>t</title></item>", "", ""));
  t.is(feed.format, "rss");
  t.is(feed.items.length, 1);
});

test("RSS 0.91 with the Netscape DOCTYPE and HTML entities", async (t) => {
  const feed = await parseFeed(`<?xml version="1.0"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91"><channel><title>Caf&eacute;</title><link>https://p.example/</link>
<item><title>R&eacute;sum&eacute;&nbsp;2024</title><link>https://p.example/1</link></item></channel></rss>`);
  t.is(feed.title, "Café");
  t.is(onlyItem(feed).title?.value, "Résumé\u00a02024");
});

test("a bare & and an unknown entity do not cost the feed", async (t) => {
  const feed = await parseFeed(
    rss(
      `<item><title>Tom & Jerry &foo; 3 < 4</title><link>https://p.example/?a=1&b=2</link></item>`,
    ),
  );
  const item = onlyItem(feed);
  t.is(item.title?.value, "Tom & Jerry &foo; 3 < 4");
  t.is(item.links[0]?.href, "https://p.example/?a=1&b=2");
});

test("& inside CDATA is left alone", async (t) => {
  const item = onlyItem(
    await parseFeed(rss("<item><title><![CDATA[A &amp; B & C]]></title></item>")),
  );
  t.is(item.title?.value, "A &amp; B & C");
});

test("references to characters XML forbids are dropped instead of failing the feed", async (t) => {
  const item = onlyItem(await parseFeed(rss("<item><title>a&#0;b&#x1;c&#xD800;d</title></item>")));
  t.is(item.title?.value, "abcd");
});

test("raw XHTML inside an RSS description comes back as its HTML source", async (t) => {
  const item = onlyItem(
    await parseFeed(
      rss(
        '<item><title>t</title><description>Hello <b>bold</b> &amp; <a href="/x">link</a> again</description></item>',
      ),
    ),
  );
  t.is(item.summary?.value, 'Hello <b>bold</b> &amp; <a href="/x">link</a> again');
});

test("RSS guid is a permalink by default, and xml:base/xml:lang on the item are kept", async (t) => {
  const item = onlyItem(
    await parseFeed(
      rss(
        '<item xml:base="/news/" xml:lang="fr"><title>t</title><guid>https://p.example/1</guid></item>',
      ),
    ),
  );
  t.true(item.guidIsPermaLink);
  t.is(item.base, "/news/");
  t.is(item.language, "fr");
});

test("xml:base on the rss root element is the feed's base", async (t) => {
  const feed = await parseFeed(
    rss("<item><title>t</title></item>", "", 'version="2.0" xml:base="https://p.example/base/"'),
  );
  t.is(feed.base, "https://p.example/base/");
});

// --- RSS 1.0 (RDF) -----------------------------------------------------------------------------

test("RSS 1.0 (RDF) items with dc:date and rdf:about", async (t) => {
  const feed = await parseFeed(`<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://p.example/"><title>RDF partner</title><link>https://p.example/</link></channel>
  <item rdf:about="https://p.example/1"><title>One</title><link>https://p.example/1</link><dc:date>2004-01-01T10:00:00+01:00</dc:date>
    <dc:subject>Asylum</dc:subject><dc:creator>Jane</dc:creator></item>
  <item rdf:about="https://p.example/2"><title>Two</title><link>https://p.example/2</link></item>
</rdf:RDF>`);
  t.is(feed.format, "rdf");
  t.is(feed.title, "RDF partner");
  t.is(feed.items.length, 2);
  const item = onlyItem(feed);
  t.is(item.guid, "https://p.example/1");
  t.is(item.published, "2004-01-01T10:00:00+01:00");
  t.deepEqual(item.categories, ["Asylum"]);
  t.deepEqual(item.authors, [{ name: "Jane" }]);
});

// --- Atom ------------------------------------------------------------------------------------

test("Atom entry fields, all authors, categories and enclosure links", async (t) => {
  const feed = await parseFeed(
    atom(
      `<entry>
      <title type="html">A &amp;lt;b&amp;gt;bold&amp;lt;/b&amp;gt; title</title>
      <id>tag:p.example,2024:1</id>
      <link rel="alternate" type="application/pdf" href="https://p.example/1.pdf"/>
      <link href="https://p.example/1"/>
      <link rel="enclosure" href="https://p.example/a.mp3" type="audio/mpeg" length="10"/>
      <link rel="enclosure" href="https://p.example/b.mp3" type="audio/mpeg"/>
      <published>2024-01-02T03:04:05Z</published><updated>2024-01-03T00:00:00Z</updated>
      <author><name>Jane</name><email>jane@p.example</email><uri>https://p.example/jane</uri></author>
      <author><name>John</name></author>
      <category term="trafficking" label="Human trafficking"/><category term="asylum"/>
      <summary>Plain &amp; simple</summary>
      <content type="html">&lt;p&gt;Body&lt;/p&gt;</content>
    </entry>`,
      'xml:lang="en"',
    ),
  );
  t.is(feed.format, "atom");
  t.is(feed.link, "https://partner.example/");
  t.is(feed.language, "en");
  const item = onlyItem(feed);
  t.deepEqual(item.title, { value: "A &lt;b&gt;bold&lt;/b&gt; title", type: "html" });
  t.is(item.guid, "tag:p.example,2024:1");
  t.is(item.links[0]?.href, "https://p.example/1");
  t.is(item.published, "2024-01-02T03:04:05Z");
  t.is(item.updated, "2024-01-03T00:00:00Z");
  t.deepEqual(item.authors, [
    { name: "Jane", email: "jane@p.example", url: "https://p.example/jane" },
    { name: "John", email: undefined, url: undefined },
  ]);
  t.deepEqual(item.categories, ["Human trafficking", "asylum"]);
  t.deepEqual(
    item.enclosures.map((e) => e.url),
    ["https://p.example/a.mp3", "https://p.example/b.mp3"],
  );
  t.deepEqual(item.summary, { value: "Plain & simple", type: "text" });
  t.deepEqual(item.content, { value: "<p>Body</p>", type: "html" });
});

test("Atom: one bad date affects only its entry", async (t) => {
  const feed = await parseFeed(
    atom(`<entry><title>bad</title><id>1</id><published>not a date</published><updated>never</updated></entry>
          <entry><title>good</title><id>2</id><published>2024-01-01T00:00:00Z</published></entry>`),
  );
  t.is(feed.items.length, 2);
  t.is(feed.items[0]?.published, "not a date");
  t.is(feed.items[1]?.published, "2024-01-01T00:00:00Z");
});

test("Atom xhtml content comes back as HTML source, wrapper div and namespace prefixes removed", async (t) => {
  const item = onlyItem(
    await parseFeed(
      atom(`<entry><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">An <em>xhtml</em> title</div></title><id>1</id>
        <content type="xhtml"><xhtml:div xmlns:xhtml="http://www.w3.org/1999/xhtml">Text <xhtml:b>bold</xhtml:b> &amp; more</xhtml:div></content></entry>`),
    ),
  );
  // The wrapping <div> is not part of the content (RFC 4287 §4.1.3.3).
  t.deepEqual(item.title, { value: "An <em>xhtml</em> title", type: "html" });
  t.deepEqual(item.content, { value: "Text <b>bold</b> &amp; more", type: "html" });
});

test("Atom xml:base on feed, entry, link and content is kept per element", async (t) => {
  const feed = await parseFeed(
    atom(
      `<entry xml:base="entries/"><title>t</title><id>1</id><link href="1.html" xml:base="/other/"/>
        <content type="html" xml:base="https://cdn.example/">&lt;img src="i.png"&gt;</content></entry>`,
      'xml:base="https://p.example/blog/"',
    ),
  );
  t.is(feed.base, "https://p.example/blog/");
  const item = onlyItem(feed);
  t.is(item.base, "entries/");
  t.deepEqual(item.links[0], {
    href: "1.html",
    rel: "alternate",
    type: undefined,
    base: "/other/",
  });
  t.is(item.content?.base, "https://cdn.example/");
});

test("Atom feed authors are returned for inheritance", async (t) => {
  const feed = await parseFeed(
    atom("<author><name>Desk</name></author><entry><title>t</title><id>1</id></entry>"),
  );
  t.deepEqual(feed.authors, [{ name: "Desk", email: undefined, url: undefined }]);
});

test("Atom content given by src is not content", async (t) => {
  const item = onlyItem(
    await parseFeed(
      atom('<entry><title>t</title><id>1</id><content src="https://p.example/x"/></entry>'),
    ),
  );
  t.is(item.content, undefined);
});

// --- JSON Feed -------------------------------------------------------------------------------

test("JSON Feed 1.1 is read with JSON.parse", async (t) => {
  const feed = await parseFeed(
    JSON.stringify({
      version: "https://jsonfeed.org/version/1.1",
      title: "JSON partner",
      home_page_url: "https://p.example/",
      language: "es",
      authors: [{ name: "Desk" }],
      items: [
        {
          id: 42,
          url: "https://p.example/42",
          title: "Hola",
          content_html: "<p>Cuerpo</p>",
          summary: "Resumen",
          date_published: "2024-01-01T00:00:00Z",
          date_modified: "2024-01-02T00:00:00Z",
          authors: [{ name: "Ana", url: "https://p.example/ana" }],
          tags: ["migración", "asilo"],
          image: "https://p.example/i.png",
          attachments: [
            { url: "https://p.example/a.mp3", mime_type: "audio/mpeg", size_in_bytes: 99 },
            { url: "https://p.example/b.pdf", mime_type: "application/pdf" },
          ],
        },
      ],
    }),
  );
  t.is(feed.format, "json");
  t.is(feed.title, "JSON partner");
  t.is(feed.link, "https://p.example/");
  t.is(feed.language, "es");
  const item = onlyItem(feed);
  t.is(item.guid, "42");
  t.is(item.links[0]?.href, "https://p.example/42");
  t.deepEqual(item.content, { value: "<p>Cuerpo</p>", type: "html" });
  t.deepEqual(item.summary, { value: "Resumen", type: "text" });
  t.deepEqual(item.authors, [{ name: "Ana", url: "https://p.example/ana" }]);
  t.deepEqual(item.categories, ["migración", "asilo"]);
  t.deepEqual(item.image, { url: "https://p.example/i.png" });
  t.deepEqual(item.enclosures, [
    { url: "https://p.example/a.mp3", type: "audio/mpeg", length: "99" },
    { url: "https://p.example/b.pdf", type: "application/pdf", length: undefined },
  ]);
});

test("JSON Feed 1.0 author and content_text", async (t) => {
  const feed = await parseFeed(
    JSON.stringify({
      version: "https://jsonfeed.org/version/1",
      title: "x",
      items: [{ id: "1", content_text: "Just text", author: { name: "Old style" } }],
    }),
  );
  const item = onlyItem(feed);
  t.deepEqual(item.content, { value: "Just text", type: "text" });
  t.deepEqual(item.authors, [{ name: "Old style", url: undefined }]);
});

test("a JSON Feed item that is not an object is reported, not fatal", async (t) => {
  const feed = await parseFeed(
    JSON.stringify({
      version: "https://jsonfeed.org/version/1.1",
      items: ["x", { id: "1", title: "ok" }],
    }),
  );
  t.is(feed.items.length, 2);
  t.truthy(feed.items[0]?.problem);
  t.is(feed.items[1]?.title?.value, "ok");
});

// --- rejections --------------------------------------------------------------------------------

test("an HTML page is not a feed", async (t) => {
  const error = await rejection(
    t,
    "<!DOCTYPE html><html><head><title>Login</title></head><body></body></html>",
  );
  t.is(error.kind, "not-a-feed");
  t.is((await rejection(t, "<HTML><body>moved</body></HTML>")).kind, "not-a-feed");
});

test("text that is neither XML nor JSON is not a feed", async (t) => {
  t.is((await rejection(t, "Service Unavailable")).kind, "not-a-feed");
  t.is((await rejection(t, "   ")).kind, "not-a-feed");
});

test("XML with another root element is not a feed", async (t) => {
  t.is(
    (await rejection(t, '<?xml version="1.0"?><opml version="2.0"><body/></opml>')).kind,
    "not-a-feed",
  );
});

test("JSON that is not a JSON Feed is not a feed; broken JSON is a parse error", async (t) => {
  t.is((await rejection(t, '{"error":"not found"}')).kind, "not-a-feed");
  t.is(
    (await rejection(t, '{"version": "https://jsonfeed.org/version/1.1", "items": [')).kind,
    "parse-error",
  );
});

test("malformed XML is a parse error carrying the parser's message and cause", async (t) => {
  const error = await rejection(t, rss("<item><title>unclosed</item>"));
  t.is(error.kind, "parse-error");
  t.regex(error.message, /Unexpected close tag/);
  t.truthy(error.cause);
});

test("internal plain-text entities of the DOCTYPE are expanded, in text and attributes", async (t) => {
  const feed = await parseFeed(`<!DOCTYPE rss [
  <!ENTITY id "tag:example.com,">
  <!ENTITY site 'https://partner.example/?a=1&#38;b=2'>
  <!ENTITY % HTMLlat1 PUBLIC "-//W3C//ENTITIES Latin 1 for XHTML//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml-lat1.ent">
]>
<rss version="2.0"><channel><item><title>T &id;</title><guid isPermaLink="false">&id;2006:/blog/</guid>
<enclosure url="&site;" type="audio/mpeg" length="1"/><![CDATA[&id;]]></item></channel></rss>`);
  const item = onlyItem(feed);
  t.is(item.guid, "tag:example.com,2006:/blog/");
  t.is(item.title?.value, "T tag:example.com,");
  t.is(item.enclosures[0]?.url, "https://partner.example/?a=1&b=2");
});

test("internal entities that would grow the document by more than 1 MiB are a parse error", async (t) => {
  const big = "x".repeat(100_000);
  const doc = `<!DOCTYPE rss [<!ENTITY big "${big}">]>
<rss version="2.0"><channel><title>${"&big;".repeat(20)}</title></channel></rss>`;
  const error = await rejection(t, doc);
  t.is(error.kind, "parse-error");
  t.regex(error.message, /expand too far/);
});

test("a DOCTYPE with only an external parameter entity does not cost the feed", async (t) => {
  const feed = await parseFeed(`<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
<!ENTITY % HTMLlat1 PUBLIC "-//W3C//ENTITIES Latin 1 for XHTML//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml-lat1.ent">
%HTMLlat1;
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"></rdf:RDF>`);
  t.is(feed.format, "rdf");
  t.deepEqual(feed.items, []);
});

test("a DOCTYPE declaring external or nested entities is a parse error, never expanded", async (t) => {
  const laughs = `<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;">]>
<rss version="2.0"><channel><title>&b;</title></channel></rss>`;
  t.is((await rejection(t, laughs)).kind, "parse-error");
  const xxe = `<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>&x;</title></channel></rss>`;
  t.is((await rejection(t, xxe)).kind, "parse-error");
});

test("RSS elements in a prefixed RSS namespace are read like unprefixed ones", async (t) => {
  const rss2 = await parseFeed(`<r:rss version="2.0" xmlns:r="http://backend.userland.com/rss2">
<r:channel><r:title>Partner</r:title><r:item><r:title>Item</r:title>
<r:link>https://partner.example/1</r:link></r:item></r:channel></r:rss>`);
  t.is(rss2.format, "rss");
  t.is(rss2.title, "Partner");
  t.is(onlyItem(rss2).title?.value, "Item");
  const rss1 = await parseFeed(`<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
  xmlns:rss="http://purl.org/rss/1.0/" xmlns:x="http://example.org/other/">
<rss:channel rdf:about="https://partner.example/"><rss:title>Partner</rss:title></rss:channel>
<rss:item rdf:about="https://partner.example/1"><rss:title>Item</rss:title>
<rss:description>correct</rss:description><x:description>other</x:description></rss:item></rdf:RDF>`);
  t.is(rss1.format, "rdf");
  t.is(onlyItem(rss1).summary?.value, "correct");
});

test("a document missing only the > of its root end tag is read", async (t) => {
  const feed = await parseFeed(`<rss version="2.0"><channel><title>Partner</title></channel></rss`);
  t.is(feed.title, "Partner");
  // Anything else cut short stays an error.
  t.is(
    (await rejection(t, `<rss version="2.0"><channel><title>Partner</title></chan`)).kind,
    "parse-error",
  );
});

test("RSS: dc:title, dc:description, dc:author and addresses in creators", async (t) => {
  const feed =
    await parseFeed(`<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
<dc:title>Partner</dc:title><item><dc:description>Text</dc:description>
<author>Jane Doe (jane@partner.example)</author><dc:creator>John Roe (john@partner.example)</dc:creator>
<dc:author>Ann Poe</dc:author></item></channel></rss>`);
  t.is(feed.title, "Partner");
  const item = onlyItem(feed);
  t.is(item.summary?.value, "Text");
  t.deepEqual(item.authors, [
    { name: "Jane Doe", email: "jane@partner.example" },
    { name: "John Roe", email: "john@partner.example" },
    { name: "Ann Poe" },
  ]);
});

test("RSS: an XHTML <body> is the content, written as HTML (empty elements closed)", async (t) => {
  const feed = await parseFeed(
    rss(
      `<item><title>t</title><body xmlns="http://www.w3.org/1999/xhtml"><p>safe<iframe src="https://x.example/"/> text</p></body></item>`,
    ),
  );
  t.deepEqual(onlyItem(feed).content, {
    value: '<p>safe<iframe src="https://x.example/"></iframe> text</p>',
    type: "html",
  });
});

test("Atom 0.3 base64 mode is decoded; a link given as element text is a link", async (t) => {
  const feed = await parseFeed(`<feed version="0.3" xmlns="http://purl.org/atom/ns#"><entry>
<title type="text/html" mode="base64">${Buffer.from("Tom &amp; <b>Jerry</b>").toString("base64")}</title>
<link rel="alternate" type="text/html">https://partner.example/1</link></entry></feed>`);
  const item = onlyItem(feed);
  t.deepEqual(item.title, { value: "Tom &amp; <b>Jerry</b>", type: "html" });
  t.is(item.links[0]?.href, "https://partner.example/1");
});

test("100k-deep nesting never escapes as a RangeError", async (t) => {
  const depth = 100_000;
  const documents = [
    rss(`<item><title>t</title>${"<x>".repeat(depth)}${"</x>".repeat(depth)}</item>`),
    rss(
      `<item><title>t</title><description>${"<p>".repeat(depth)}${"</p>".repeat(depth)}</description></item>`,
    ),
    atom(
      `<entry><title>t</title><id>1</id><content type="xhtml">${"<div>".repeat(depth)}${"</div>".repeat(depth)}</content></entry>`,
    ),
    `<rss version="2.0">${"<channel>".repeat(depth)}${"</channel>".repeat(depth)}</rss>`,
  ];
  for (const doc of documents) {
    try {
      await parseFeed(doc);
      t.pass();
    } catch (error) {
      t.true(error instanceof FeedParseError, String(error));
    }
  }
});

test("a RangeError from the parser becomes a parse-error that says what happened, not where", (t) => {
  const error = asParseError(new RangeError("Maximum call stack size exceeded"));
  t.is(error.kind, "parse-error");
  t.is(error.message, "elements are nested too deeply to be read");
  t.true(error.cause instanceof RangeError);
});

test("a TypeError from parsing code is a parse-error without its internal message", (t) => {
  const thrown = new TypeError("Cannot read properties of undefined (reading 'rel')");
  const error = asParseError(thrown, "the Atom feed");
  t.is(error.kind, "parse-error");
  t.is(error.message, "could not read the Atom feed: malformed element");
  t.is(error.cause, thrown, "the detail stays with the error, for a debugger");
  // sax describes the document: its message is kept, on one line.
  t.is(
    asParseError(new Error("Unexpected close tag\nLine: 0")).message,
    "Unexpected close tag; Line: 0",
  );
});

test("a byte order mark and leading whitespace are tolerated", async (t) => {
  const feed = await parseFeed(`\uFEFF\n  ${rss("<item><title>t</title></item>")}`);
  t.is(feed.items.length, 1);
});
