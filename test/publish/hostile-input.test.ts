// Whatever partners send, the published XML is well-formed and says what they said (minus the
// characters XML cannot carry). feed@6 alone fails several of these: control characters are
// kept, only the first `]]>` of a CDATA section is split, attribute values are not escaped.
import test from "ava";
import { decodeHTML } from "entities";
import Parser from "rss-parser";
import type { Update } from "../../src/model/update.js";
import { renderFeed } from "../../src/publish/render.js";
import { makeUpdate } from "../helpers/updates.js";
import { all, makeContext, one, parseXml, xmlError } from "./context.js";

// Every XML-illegal class (C0 controls, U+FFFE/U+FFFF, lone surrogates), a valid astral
// character, two `]]>`, markup characters, quotes and every line ending.
const NASTY =
  "A\u0000B\u0008C\u000BD\u000CE\u001FF\uFFFEG\uFFFF H\uD800I\uDC00 😀 ]]> one ]]> two & <b>x</b> \"q\" 'a' &amp; \r\nl2\rl3\tt";
const CLEAN = "ABCDEFG HI 😀 ]]> one ]]> two & <b>x</b> \"q\" 'a' &amp; \nl2\nl3\tt";
const NASTY_HTML = `<p title="]]>">${NASTY}</p>`;
const CLEAN_HTML = `<p title="]]>">${CLEAN}</p>`;
const NASTY_TYPE = 'audio/mpeg; x="<&>"\u0001';
const CLEAN_TYPE = 'audio/mpeg; x="<&>"';

const hostileUpdate = (): Update =>
  makeUpdate({
    id: "hostile",
    title: NASTY,
    summary: NASTY,
    contentHtml: NASTY_HTML,
    tags: [NASTY],
    authors: [{ name: NASTY, email: "a&b@example.org" }],
    enclosures: [{ url: "https://partner.example/a.mp3?x=1&y=<2>", type: NASTY_TYPE }],
    link: "https://partner.example/p?a=1&b='2'",
  });

const hostileContext = (format: "rss" | "atom" | "json") =>
  makeContext(format, {
    category: { id: "trafficking", title: NASTY, description: NASTY },
    sources: new Map([["source-a", { title: NASTY, url: "https://partner.example/feed?x=1&y=2" }]]),
    categories: new Map([["trafficking", { title: NASTY }]]),
  });

/** In HTML fields `]]>` is published as `]]&gt;`, which reads back the same as HTML. */
const asPublishedHtml = (html: string) => html.replaceAll("]]>", "]]&gt;");

for (const format of ["rss", "atom"] as const) {
  test(`${format}: output is well-formed for hostile strings`, (t) => {
    const xml = renderFeed(hostileContext(format), [hostileUpdate()]);
    t.is(xmlError(xml), undefined);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting they are gone
    t.notRegex(xml, /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/);
    t.notRegex(xml, /[\uD800-\uDFFF]/u, "no lone surrogates (with `u`, pairs do not match)");
  });
}

test("rss: hostile strings round-trip through a strict parser and rss-parser", async (t) => {
  const xml = renderFeed(hostileContext("rss"), [hostileUpdate()]);
  const channel = one(parseXml(xml), "channel");
  t.is(one(channel, "title")?.text, `${CLEAN} — Tributary`);
  t.is(one(channel, "description")?.text, CLEAN);
  const item = one(channel, "item");
  t.is(one(item, "title")?.text, CLEAN);
  t.is(decodeHTML(one(item, "description")?.text ?? ""), CLEAN);
  t.is(one(item, "content:encoded")?.text, asPublishedHtml(CLEAN_HTML));
  t.deepEqual(
    all(item, "category").map((c) => c.text),
    [CLEAN, CLEAN],
  );
  t.is(one(item, "dc:creator")?.text, CLEAN);
  t.is(one(item, "source")?.text, CLEAN);
  t.is(one(item, "source")?.attributes.url, "https://partner.example/feed?x=1&y=2");
  t.is(one(item, "enclosure")?.attributes.type, CLEAN_TYPE);
  t.is(one(item, "enclosure")?.attributes.url, "https://partner.example/a.mp3?x=1&y=%3C2%3E");
  t.is(one(item, "link")?.text, "https://partner.example/p?a=1&b=%272%27");

  const feed = await new Parser().parseString(xml);
  t.is(feed.items[0]?.title, CLEAN);
  t.is(feed.items[0]?.["content:encoded"], asPublishedHtml(CLEAN_HTML));
});

test("atom: hostile strings round-trip through a strict parser and rss-parser", async (t) => {
  const xml = renderFeed(hostileContext("atom"), [hostileUpdate()]);
  const feed = parseXml(xml);
  t.is(one(feed, "title")?.text, `${CLEAN} — Tributary`);
  t.is(one(feed, "subtitle")?.text, CLEAN);
  const entry = one(feed, "entry");
  // Plain text constructs (type="text"): the characters themselves, nothing to decode.
  t.is(one(entry, "title")?.text, CLEAN);
  t.is(one(entry, "summary")?.text, CLEAN);
  t.is(one(entry, "content")?.text, asPublishedHtml(CLEAN_HTML));
  t.is(one(one(entry, "author"), "name")?.text, CLEAN);
  t.is(one(one(entry, "author"), "email")?.text, "a&b@example.org");
  t.deepEqual(
    all(entry, "category").map((c) => c.attributes.term),
    [CLEAN, "trafficking"],
  );
  t.is(all(entry, "category")[1]?.attributes.label, CLEAN);
  const enclosure = all(entry, "link").find((l) => l.attributes.rel === "enclosure");
  t.is(enclosure?.attributes.type, CLEAN_TYPE);
  t.is(one(one(entry, "source"), "title")?.text, CLEAN);

  const parsed = await new Parser().parseString(xml);
  t.is(parsed.items[0]?.title, CLEAN);
  t.is(parsed.items[0]?.content, asPublishedHtml(CLEAN_HTML));
});

test("json: hostile strings are cleaned the same way and survive JSON.parse", (t) => {
  const feed = JSON.parse(renderFeed(hostileContext("json"), [hostileUpdate()]));
  const [item] = feed.items;
  t.is(feed.title, `${CLEAN} — Tributary`);
  t.is(item.title, CLEAN);
  t.is(item.summary, CLEAN);
  t.is(item.content_html, CLEAN_HTML); // JSON needs no CDATA workaround
  t.deepEqual(item.tags, [CLEAN]);
  t.is(item.attachments[0].mime_type, CLEAN_TYPE);
  t.is(item._tributary.source.title, CLEAN);
});

test("invalid URLs and dates from a partner do not break a render", (t) => {
  const update = makeUpdate({
    link: "javascript:alert(1)",
    published: "not a date",
    updated: "also not",
    image: { url: "ftp://x/y.png" },
    enclosures: [{ url: "::", type: "audio/mpeg" }],
    authors: [{ name: "  ", url: "nope" }],
  });
  for (const format of ["rss", "atom"] as const) {
    const xml = renderFeed(makeContext(format), [update]);
    t.is(xmlError(xml), undefined, format);
    t.false(xml.includes("javascript:"), format);
  }
  const [item] = JSON.parse(renderFeed(makeContext("json"), [update])).items;
  t.false("url" in item);
  t.false("image" in item);
  t.false("attachments" in item);
  t.false("authors" in item);
  t.is(item.date_published, "1970-01-01T00:00:00.000Z");
});
