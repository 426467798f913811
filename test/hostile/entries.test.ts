// Hostile entries inside feeds that are otherwise fine: markup smuggled into titles and
// summaries by formats whose text is literal, and elements malformed enough to trip a parser.
// Each is one entry's problem, never the feed's, and never runs in a reader.
import test from "ava";
import { caseTitle } from "./cases.js";
import { closeSharedPool, startHarness } from "./harness.js";
import { rssFeed, serve, startHostileServer } from "./hostile-server.js";

test.after.always(closeSharedPool);

/** A start tag (`<img`, `<script`): what a page rendering the text as HTML would run. */
const TAG = /<\s*[a-z]/i;
/** An attribute inside a real tag; escaped text (`&lt;img onerror…`) does not match. */
const HANDLER_IN_TAG = /<[^>]*\bon[a-z]+\s*=/i;

const JSON_FEED = JSON.stringify({
  version: "https://jsonfeed.org/version/1.1",
  title: "Partner <script>alert(0)</script>",
  home_page_url: "https://partner.example.org/",
  items: [
    {
      id: "j1",
      url: "https://partner.example.org/j1",
      title: "x <img src=x onerror=alert(1)>",
      summary: "<script>alert(2)</script>Summary with <b>markup</b>",
      content_html: '<p onclick="alert(3)">Body <img src=x onerror=alert(4)></p>',
      date_published: "2026-03-02T10:00:00Z",
    },
    {
      id: "j2",
      url: "https://partner.example.org/j2",
      title: "Only text",
      content_text: "<img src=x onerror=alert(5)> plain words",
      date_published: "2026-03-02T09:00:00Z",
    },
  ],
});

const ATOM_TEXT = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom partner</title><id>urn:atom-partner</id>
<updated>2026-03-02T10:00:00Z</updated>
<entry><id>urn:a1</id><title type="text">a &lt;img src=x onerror=alert(6)&gt;</title>
<summary type="text">&lt;iframe src=//evil.example&gt;&lt;/iframe&gt;Atom summary</summary>
<link href="https://partner.example.org/a1"/><updated>2026-03-02T10:00:00Z</updated></entry></feed>`;

test(
  caseTitle(
    "live-markup",
    "markup in a JSON Feed, Atom type=text or twice-escaped RSS title or summary is published as plain text everywhere",
  ),
  async (t) => {
    const rss = rssFeed([
      {
        guid: "r1",
        title: "r &amp;lt;img src=x onerror=alert(7)&amp;gt;",
        description: "&amp;lt;script&amp;gt;alert(8)&amp;lt;/script&amp;gt;RSS summary",
      },
    ]);
    const server = await startHostileServer(t, {
      "/feed.json": serve(JSON_FEED, { "content-type": "application/feed+json" }),
      "/atom": serve(ATOM_TEXT, { "content-type": "application/atom+xml" }),
      "/rss": serve(rss),
    });
    const h = await startHarness(t, {
      sources: [
        { id: "json", url: server.url("/feed.json") },
        { id: "atom", url: server.url("/atom") },
        { id: "rss", url: server.url("/rss") },
      ],
    });
    for (const outcome of await h.poll()) t.is(outcome.status, "ok", outcome.error);

    const api = JSON.parse((await h.get("/api/updates?limit=50")).text) as {
      items: { title: string; summary: string; contentHtml?: string }[];
    };
    t.deepEqual(api.items.map((i) => [i.title, i.summary]).sort(), [
      ["Only text", "plain words"],
      ["a", "Atom summary"],
      ["r", "RSS summary"],
      ["x", "Summary with markup"],
    ]);
    for (const item of api.items) t.notRegex(item.contentHtml ?? "", HANDLER_IN_TAG);

    const feed = JSON.parse((await h.get("/feeds/news.json")).text) as {
      items: { title: string; summary?: string; content_html?: string }[];
    };
    t.is(feed.items.length, 4);
    for (const item of feed.items) {
      t.notRegex(item.title, TAG);
      t.notRegex(item.summary ?? "", TAG);
      t.notRegex(item.content_html ?? "", HANDLER_IN_TAG);
    }
    const sources = await h.sources();
    t.is(sources.find((s) => s.id === "json")?.status, "ok");
    // RSS and Atom write plain text escaped: decoded once by a reader, it must still be no tag.
    // (content_text stays in the content as escaped text, which readers show as text.)
    for (const path of ["/feeds/news.rss", "/feeds/news.atom"]) {
      const xml = (await h.get(path)).text;
      const texts = [...xml.matchAll(/<(title|description|summary)\b[^>]*>([\s\S]*?)<\/\1>/g)];
      t.true(texts.length >= 8, path);
      for (const [, , text] of texts) {
        t.notRegex(text ?? "", /onerror|alert\([0-9]\)|&lt;\s*(?:img|script|iframe)/i, path);
      }
    }
  },
);

test(
  caseTitle(
    "bad-entry",
    "an Atom feed with a <link/> without href and an empty <entry/> is read: that entry is skipped, no internal error shows",
  ),
  async (t) => {
    const atom = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Partner</title><link/>
<link rel="alternate" href="https://partner.example.org/"/>
<id>tag:partner.example.org,2020:news</id><updated>2026-03-02T11:00:00Z</updated>
<entry><id>urn:e1</id><title>First</title><link/><link href="https://partner.example.org/1"/>
<updated>2026-03-02T10:00:00Z</updated>
<summary type="html">&lt;p&gt;See &lt;a href="/report"&gt;the report&lt;/a&gt;&lt;/p&gt;</summary></entry>
<entry/>
<entry><id>urn:e2</id><title>Second</title><link href="https://partner.example.org/2"/>
<updated>2026-03-02T09:00:00Z</updated></entry></feed>`;
    const prefixed = `<?xml version="1.0"?>
<a:feed xmlns:a="http://www.w3.org/2005/Atom"><a:title>Prefixed</a:title><a:id>urn:prefixed</a:id>
<a:updated>2026-03-02T11:00:00Z</a:updated>
<a:entry><a:id>urn:p1</a:id><a:title>Prefixed entry</a:title><a:link href="https://partner.example.org/p1"/>
<a:updated>2026-03-02T08:00:00Z</a:updated></a:entry></a:feed>`;
    const server = await startHostileServer(t, {
      "/atom": serve(atom, { "content-type": "application/atom+xml" }),
      "/prefixed": serve(prefixed, { "content-type": "application/atom+xml" }),
    });
    const h = await startHarness(t, {
      sources: [
        { id: "p", url: server.url("/atom") },
        { id: "prefixed", url: server.url("/prefixed") },
      ],
    });
    const [outcome, other] = await h.poll();
    t.like(outcome, { status: "ok", added: 2, dropped: 1 });
    t.like(other, { status: "ok", added: 1 });
    const view = await h.source("p");
    t.like(view, { status: "ok", errorKind: null, lastError: null, entries: 2 });
    t.deepEqual(await h.titles("prefixed"), ["Prefixed entry"]);

    const page = JSON.parse((await h.get("/api/updates?source=p")).text) as {
      items: { title: string; contentHtml?: string }[];
    };
    t.is(
      page.items.find((i) => i.title === "First")?.contentHtml,
      // Relative to the feed's URL: Atom declares no xml:base here.
      `<p>See <a href="${server.url("/report")}">the report</a></p>`,
    );
    // Republished with the partner's own feed id and updated in <source>.
    const xml = (await h.get("/feeds/news.atom?source=p")).text;
    t.regex(xml, /<source>\s*<id>tag:partner\.example\.org,2020:news<\/id>/);
    t.regex(xml, /<source>[\s\S]*?<updated>2026-03-02T11:00:00\.000Z<\/updated>[\s\S]*?<\/source>/);
    for (const line of h.logs) t.notRegex(line.msg, /Cannot read|reading '/);
    t.notRegex(JSON.stringify(await h.sources()), /Cannot read|reading '|TypeError/);
  },
);
