// check-source's verdict and warnings, from real parses of inline feeds: each warning is shown
// to fire on the partner habit it names and to stay quiet on a clean feed.
import test from "ava";
import type { Validators } from "../../../src/ingest/fetch/fetch.js";
import { normalise } from "../../../src/ingest/normalise/normalise.js";
import { parseFeed } from "../../../src/ingest/parse/parse.js";
import {
  type ConditionalCheck,
  describeSource,
  failedReport,
  type SourceReport,
  type WarningCode,
} from "../../../src/ingest/probe/source-report.js";

const NOW = new Date("2026-03-10T12:00:00.000Z");
const FEED_URL = "https://partner.example/feeds/news.xml";

interface Options {
  charset?: string;
  validators?: Validators;
  conditional?: ConditionalCheck;
  permanentRedirect?: string;
}

async function report(text: string, options: Options = {}): Promise<SourceReport> {
  const parsed = await parseFeed(text);
  const validators = options.validators ?? { etag: '"v1"' };
  return describeSource({
    fetched: {
      url: FEED_URL,
      finalUrl: FEED_URL,
      status: 200,
      contentType: "application/rss+xml",
      bytes: text.length,
      durationMs: 12,
      validators,
      ...(options.permanentRedirect ? { permanentRedirect: options.permanentRedirect } : {}),
    },
    charset: options.charset ?? "utf-8",
    parsed,
    normalised: normalise(parsed, { id: "p", categories: [], feedUrl: FEED_URL }, NOW),
    conditional: options.conditional ?? "not-modified",
  });
}

const codes = (r: SourceReport): WarningCode[] => r.warnings.map((w) => w.code);
const warning = (r: SourceReport, code: WarningCode) =>
  r.warnings.find((w) => w.code === code)?.message ?? "";

const rss = (items: string, channel = "<link>https://partner.example/</link>") =>
  `<?xml version="1.0"?><rss version="2.0"><channel><title>Partner</title>${channel}${items}</channel></rss>`;

const item = (n: number, extra = "") =>
  `<item><title>Story ${n}</title><link>https://partner.example/${n}</link><guid>g-${n}</guid>
<pubDate>Mon, 09 Mar 2026 1${n}:00:00 GMT</pubDate>${extra}</item>`;

test("a clean feed is usable, with no warnings and a sample of normalised entries", async (t) => {
  const r = await report(rss([1, 2, 3, 4, 5, 6].map((n) => item(n)).join("")));
  t.true(r.usable);
  t.is(r.problem, undefined);
  t.is(r.format, "rss");
  t.is(r.title, "Partner");
  t.is(r.link, "https://partner.example/");
  t.is(r.entries, 6);
  t.deepEqual(r.warnings, []);
  t.is(r.sample.length, 5);
  t.deepEqual(r.sample[0], {
    title: "Story 6",
    published: "2026-03-09T16:00:00.000Z",
    link: "https://partner.example/6",
  });
  t.deepEqual(r.caching, { etag: '"v1"', lastModified: null, conditional: "not-modified" });
});

test("the sample lists entries newest first, whatever order the feed wrote them in", async (t) => {
  // Oldest first, then in no order at all: the sample follows the dates, not the document.
  const r = await report(rss([1, 2, 3, 4, 5, 6, 7].map((n) => item(n)).join("")));
  t.deepEqual(
    r.sample.map((s) => s.title),
    ["Story 7", "Story 6", "Story 5", "Story 4", "Story 3"],
  );
  const shuffled = await report(rss([3, 7, 1, 5, 2].map((n) => item(n)).join("")));
  t.deepEqual(
    shuffled.sample.map((s) => s.published),
    [
      "2026-03-09T17:00:00.000Z",
      "2026-03-09T15:00:00.000Z",
      "2026-03-09T13:00:00.000Z",
      "2026-03-09T12:00:00.000Z",
      "2026-03-09T11:00:00.000Z",
    ],
  );
});

test("entries without a usable date are counted, and shown undated in the sample", async (t) => {
  const r = await report(
    rss(
      `${item(1)}<item><title>Undated</title><link>https://partner.example/u</link><guid>u</guid></item>`,
    ),
  );
  t.deepEqual(codes(r), ["missing-dates"]);
  t.regex(warning(r, "missing-dates"), /^1 of 2 entries have no usable date/);
  t.is(r.sample.find((s) => s.title === "Undated")?.published, null);
});

test("relative links with nothing to anchor them are resolved against the feed URL", async (t) => {
  const items = `<item><title>Rel</title><link>/news/rel</link><guid>r</guid>
<pubDate>Mon, 09 Mar 2026 10:00:00 GMT</pubDate></item>`;
  const r = await report(rss(items, "<link>/</link>"));
  t.deepEqual(codes(r), ["relative-links"]);
  t.regex(warning(r, "relative-links"), /1 of 1 entries .* resolved against the feed URL/);
  t.is(r.sample[0]?.link, "https://partner.example/news/rel");
});

test("relative links are fine under an absolute channel link or an xml:base", async (t) => {
  const items = `<item><title>Rel</title><link>/news/rel</link><guid>r</guid>
<pubDate>Mon, 09 Mar 2026 10:00:00 GMT</pubDate></item>`;
  t.deepEqual(codes(await report(rss(items))), []);
  const atom = `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://site.example/">
<title>A</title><id>urn:a</id><updated>2026-03-09T10:00:00Z</updated>
<entry><title>E</title><id>urn:e</id><link href="posts/e"/><updated>2026-03-09T10:00:00Z</updated></entry></feed>`;
  const r = await report(atom);
  t.deepEqual(codes(r), []);
  t.is(r.sample[0]?.link, "https://site.example/posts/e");
});

test("Atom relative links without xml:base are flagged even with an alternate link", async (t) => {
  const atom = `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">
<title>A</title><id>urn:a</id><updated>2026-03-09T10:00:00Z</updated><link href="https://site.example/"/>
<entry><title>E</title><id>urn:e</id><link href="posts/e"/><updated>2026-03-09T10:00:00Z</updated></entry></feed>`;
  t.deepEqual(codes(await report(atom)), ["relative-links"]);
});

test("entries without a GUID are flagged", async (t) => {
  const items = `<item><title>No guid</title><link>https://partner.example/n</link>
<pubDate>Mon, 09 Mar 2026 10:00:00 GMT</pubDate></item>${item(2)}`;
  const r = await report(rss(items));
  t.deepEqual(codes(r), ["missing-guids"]);
  t.regex(warning(r, "missing-guids"), /^1 of 2 entries have no GUID/);
});

test("HTML markup in titles is flagged; a literal less-than sign is not", async (t) => {
  const items = `<item><title>&lt;b&gt;Breaking&lt;/b&gt; news</title><link>https://partner.example/b</link><guid>b</guid>
<pubDate>Mon, 09 Mar 2026 10:00:00 GMT</pubDate></item>
<item><title>Wages &lt; 2 dollars a day</title><link>https://partner.example/w</link><guid>w</guid>
<pubDate>Mon, 09 Mar 2026 11:00:00 GMT</pubDate></item>`;
  const r = await report(rss(items));
  t.deepEqual(codes(r), ["html-in-titles"]);
  t.regex(warning(r, "html-in-titles"), /^1 of 2 titles contain HTML markup/);
  t.true(r.sample.some((s) => s.title === "Breaking news"));
});

test("a charset other than UTF-8 is flagged with its name", async (t) => {
  const r = await report(rss(item(1)), { charset: "windows-1252" });
  t.deepEqual(codes(r), ["charset"]);
  t.regex(warning(r, "charset"), /windows-1252, not UTF-8/);
});

test("no ETag and no Last-Modified is flagged; ignored validators are flagged too", async (t) => {
  const none = await report(rss(item(1)), { validators: {}, conditional: "not-checked" });
  t.deepEqual(codes(none), ["no-caching"]);
  t.deepEqual(none.caching, { etag: null, lastModified: null, conditional: "not-checked" });
  const ignored = await report(rss(item(1)), {
    validators: { lastModified: "Mon, 09 Mar 2026 10:00:00 GMT" },
    conditional: "full-body",
  });
  t.deepEqual(codes(ignored), ["conditional-ignored"]);
});

test("a permanent redirect proposes the new URL", async (t) => {
  const r = await report(rss(item(1)), { permanentRedirect: "https://new.example/feed" });
  t.deepEqual(codes(r), ["moved-permanently"]);
  t.regex(warning(r, "moved-permanently"), /https:\/\/new\.example\/feed/);
});

test("entries that would be skipped are counted with their reasons", async (t) => {
  const r = await report(rss(`${item(1)}${item(1)}<item><description></description></item>`));
  t.is(r.entries, 1);
  t.is(r.dropped.length, 2);
  t.deepEqual(codes(r), ["dropped-entries", "missing-guids"]);
  t.regex(warning(r, "dropped-entries"), /duplicate of an earlier entry \(×1\)/);
});

test("a feed without entries is not usable", async (t) => {
  const empty = await report(rss(""));
  t.false(empty.usable);
  t.deepEqual(empty.problem, { kind: "no-entries", message: "the feed has no entries" });
  const unusable = await report(rss("<item><description></description></item>"));
  t.false(unusable.usable);
  t.regex(unusable.problem?.message ?? "", /none of the feed's 1 entries is usable/);
});

test("a failed fetch gives an unusable report naming the failure", (t) => {
  const r = failedReport(FEED_URL, { kind: "http-404", message: "HTTP 404" });
  t.false(r.usable);
  t.deepEqual(r.problem, { kind: "http-404", message: "HTTP 404" });
  t.is(r.entries, 0);
  t.is(r.http, undefined);
});
