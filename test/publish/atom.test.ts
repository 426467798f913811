import test from "ava";
import { decodeHTML } from "entities";
import Parser from "rss-parser";
import { renderFeed } from "../../src/publish/render.js";
import { makeUpdate, minutesAfterEpoch } from "../helpers/updates.js";
import { all, BASE, linkHref, makeContext, one, parseXml, xmlError } from "./context.js";

const entryOf = (xml: string) => one(parseXml(xml), "entry");

test("feed has an absolute id, title, updated, and self/alternate/first/next/previous links", (t) => {
  const update = makeUpdate({ updated: minutesAfterEpoch(45) });
  const feed = parseXml(renderFeed(makeContext("atom"), [update]));
  t.is(feed.name, "feed");
  t.is(feed.attributes.xmlns, "http://www.w3.org/2005/Atom");
  t.is(feed.attributes["xml:lang"], "en");
  // The feed's identity is its first page, shared by every page.
  t.is(one(feed, "id")?.text, `${BASE}/feeds/trafficking.atom`);
  t.is(one(feed, "title")?.text, "Human trafficking — Tributary");
  t.is(one(feed, "subtitle")?.text, "Updates on trafficking in persons.");
  t.is(one(feed, "updated")?.text, "2025-03-01T12:45:00.000Z");
  t.is(linkHref(feed, "link", "self"), `${BASE}/feeds/trafficking.atom?cursor=c2`);
  t.is(linkHref(feed, "link", "alternate"), `${BASE}/categories/trafficking`);
  t.is(linkHref(feed, "link", "first"), `${BASE}/feeds/trafficking.atom`);
  t.is(linkHref(feed, "link", "next"), `${BASE}/feeds/trafficking.atom?cursor=c3`);
  t.is(linkHref(feed, "link", "previous"), `${BASE}/feeds/trafficking.atom`);
});

test("an entry carries every field of the Update", (t) => {
  const update = makeUpdate({
    id: "abc123",
    title: "Report <draft> & notes",
    link: "https://partner.example/posts/1?x=1&y=2",
    summary: "Plain summary…",
    contentHtml: "<p>Full <em>content</em></p>",
    published: minutesAfterEpoch(0),
    updated: minutesAfterEpoch(30),
    authors: [
      { name: "Ana Lima", email: "ana@partner.example", url: "https://partner.example/ana" },
    ],
  });
  const entry = entryOf(renderFeed(makeContext("atom"), [update]));
  t.is(one(entry, "id")?.text, "urn:tributary:abc123");
  // Plain text, declared as such (feed@6 would say type="html"): readers show it as it is.
  t.is(one(entry, "title")?.attributes.type, "text");
  t.is(one(entry, "title")?.text, "Report <draft> & notes");
  t.is(one(entry, "summary")?.attributes.type, "text");
  t.is(one(entry, "updated")?.text, "2025-03-01T12:30:00.000Z");
  t.is(one(entry, "published")?.text, "2025-03-01T12:00:00.000Z");
  const alternate = all(entry, "link").find(
    (l) => l.attributes.rel === undefined || l.attributes.rel === "alternate",
  );
  t.is(alternate?.attributes.href, "https://partner.example/posts/1?x=1&y=2");
  t.is(one(entry, "summary")?.text, "Plain summary…");
  t.is(one(entry, "content")?.attributes.type, "html");
  t.is(one(entry, "content")?.text, "<p>Full <em>content</em></p>");
  const author = one(entry, "author");
  t.is(one(author, "name")?.text, "Ana Lima");
  t.is(one(author, "email")?.text, "ana@partner.example");
  t.is(one(author, "uri")?.text, "https://partner.example/ana");
});

test("categories have a term (feed@6 writes label without term)", (t) => {
  const update = makeUpdate({ tags: ["Forced labour"], categories: ["trafficking", "all"] });
  const categories = all(entryOf(renderFeed(makeContext("atom"), [update])), "category");
  t.deepEqual(
    categories.map((c) => c.attributes),
    [
      { term: "Forced labour" },
      { term: "trafficking", scheme: `${BASE}/api/categories`, label: "Human trafficking" },
    ],
  );
});

test("every enclosure is a link with the type the partner declared (feed@6 guesses image/mp3)", (t) => {
  const update = makeUpdate({
    enclosures: [
      { url: "https://partner.example/a.mp3", type: "audio/mpeg", length: 42 },
      { url: "https://partner.example/b", type: "application/pdf" },
    ],
  });
  const enclosures = all(entryOf(renderFeed(makeContext("atom"), [update])), "link").filter(
    (l) => l.attributes.rel === "enclosure",
  );
  t.deepEqual(
    enclosures.map((l) => l.attributes),
    [
      { rel: "enclosure", href: "https://partner.example/a.mp3", type: "audio/mpeg", length: "42" },
      { rel: "enclosure", href: "https://partner.example/b", type: "application/pdf" },
    ],
  );
});

test("source names the partner with its title, feed and home page", (t) => {
  const source = one(entryOf(renderFeed(makeContext("atom"), [makeUpdate()])), "source");
  t.is(one(source, "title")?.text, "Partner A");
  t.is(one(source, "id")?.text, "https://partner.example/feed.xml");
  t.is(linkHref(source, "link", "self"), "https://partner.example/feed.xml");
  t.is(linkHref(source, "link", "alternate"), "https://partner.example/");
  // Gives every entry an author even when the partner named none (RFC 4287 §4.1.2).
  t.is(one(one(source, "author"), "name")?.text, "Partner A");
});

test("source carries the partner feed's own id and updated (RFC 4287 §4.2.11)", (t) => {
  const update = makeUpdate({
    updated: minutesAfterEpoch(30),
    sourceFeed: { id: "tag:partner.example,2024:feed", updated: minutesAfterEpoch(90) },
  });
  const source = one(entryOf(renderFeed(makeContext("atom"), [update])), "source");
  t.is(one(source, "id")?.text, "tag:partner.example,2024:feed");
  t.is(one(source, "updated")?.text, "2025-03-01T13:30:00.000Z");
  // The feed's own id replaces the URL as identity; the URL is still its self link.
  t.is(linkHref(source, "link", "self"), "https://partner.example/feed.xml");
  t.is(all(source, "id").length, 1);
  t.is(all(source, "updated").length, 1);
});

test("source of a partner feed that declared no id or updated: its URL and the entry's updated", (t) => {
  const update = makeUpdate({ updated: minutesAfterEpoch(30) });
  const source = one(entryOf(renderFeed(makeContext("atom"), [update])), "source");
  t.is(one(source, "id")?.text, "https://partner.example/feed.xml");
  t.is(one(source, "updated")?.text, "2025-03-01T12:30:00.000Z");
});

test("an entry without a link has no empty <link/> and gets content instead", (t) => {
  const update = makeUpdate({
    link: undefined,
    contentHtml: undefined,
    summary: "Only a <summary>",
  });
  const xml = renderFeed(makeContext("atom"), [update]);
  t.false(xml.includes("<link/>"));
  const entry = entryOf(xml);
  t.is(all(entry, "link").filter((l) => l.attributes.rel !== "enclosure").length, 0);
  t.is(one(entry, "content")?.attributes.type, "html");
  t.is(decodeHTML(one(entry, "content")?.text ?? ""), "Only a <summary>");
});

test("identical content gives identical bytes; an empty page is dated at epoch 0", (t) => {
  const updates = () => [makeUpdate({ id: "x1" }), makeUpdate({ id: "x2" })];
  t.is(renderFeed(makeContext("atom"), updates()), renderFeed(makeContext("atom"), updates()));
  const empty = renderFeed(makeContext("atom"), []);
  t.is(xmlError(empty), undefined);
  t.is(one(parseXml(empty), "updated")?.text, "1970-01-01T00:00:00.000Z");
  t.is(renderFeed(makeContext("atom"), []), empty);
});

test("rss-parser reads back what was published", async (t) => {
  const update = makeUpdate({
    id: "rt1",
    title: "Fish & Chips <live>",
    summary: "Tom & Jerry",
    contentHtml: "<p>A &amp; B</p>",
    authors: [{ name: "Ana Lima" }],
  });
  const feed = await new Parser().parseString(renderFeed(makeContext("atom"), [update]));
  t.is(feed.title, "Human trafficking — Tributary");
  t.is(feed.feedUrl, `${BASE}/feeds/trafficking.atom?cursor=c2`);
  t.is(feed.link, `${BASE}/categories/trafficking`);
  const [item] = feed.items;
  t.is(item?.title, "Fish & Chips <live>");
  t.is(item?.id, "urn:tributary:rt1");
  t.is(item?.link, update.link);
  t.is(item?.summary, "Tom & Jerry");
  t.is(item?.content, "<p>A &amp; B</p>");
  t.is(item?.author, "Ana Lima");
  t.is(item?.isoDate, update.published);
});
