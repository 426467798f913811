import test from "ava";
import Parser from "rss-parser";
import { renderFeed } from "../../src/publish/render.js";
import { makeUpdate, minutesAfterEpoch } from "../helpers/updates.js";
import { all, BASE, linkHref, makeContext, one, parseXml, xmlError } from "./context.js";

const channelOf = (xml: string) => one(parseXml(xml), "channel");

test("channel has title, link, description, self and RFC 5005 paging links", (t) => {
  const xml = renderFeed(makeContext("rss"), [makeUpdate()]);
  const rss = parseXml(xml);
  t.is(rss.attributes.version, "2.0");
  const channel = one(rss, "channel");
  t.is(one(channel, "title")?.text, "Human trafficking — Tributary");
  t.is(one(channel, "link")?.text, `${BASE}/categories/trafficking`);
  t.is(one(channel, "description")?.text, "Updates on trafficking in persons.");
  t.is(one(channel, "language")?.text, "en");
  t.is(linkHref(channel, "atom:link", "self"), `${BASE}/feeds/trafficking.rss?cursor=c2`);
  t.is(linkHref(channel, "atom:link", "first"), `${BASE}/feeds/trafficking.rss`);
  t.is(linkHref(channel, "atom:link", "next"), `${BASE}/feeds/trafficking.rss?cursor=c3`);
  t.is(linkHref(channel, "atom:link", "previous"), `${BASE}/feeds/trafficking.rss`);
  for (const link of all(channel, "atom:link")) t.is(link.attributes.type, "application/rss+xml");
});

test("paging links that do not exist are not written", (t) => {
  const ctx = makeContext("rss", {
    selfUrl: `${BASE}/feeds/trafficking.rss`,
    links: { first: `${BASE}/feeds/trafficking.rss` },
  });
  const rels = all(channelOf(renderFeed(ctx, [])), "atom:link").map((l) => l.attributes.rel);
  t.deepEqual(rels, ["self", "first"]);
});

test("an item carries every field of the Update", (t) => {
  const update = makeUpdate({
    id: "abc123",
    title: "Report on forced labour",
    link: "https://partner.example/posts/1?x=1&y=2",
    summary: "Plain summary…",
    contentHtml: "<p>Full <em>content</em></p>",
    published: minutesAfterEpoch(0),
    updated: minutesAfterEpoch(30),
    authors: [{ name: "Ana Lima" }, { name: "Desk", email: "desk@partner.example" }],
    tags: ["Forced labour"],
    categories: ["trafficking"],
    enclosures: [
      { url: "https://partner.example/report.pdf", type: "application/pdf", length: 1234 },
    ],
  });
  const item = one(channelOf(renderFeed(makeContext("rss"), [update])), "item");
  t.is(one(item, "title")?.text, "Report on forced labour");
  t.is(one(item, "link")?.text, "https://partner.example/posts/1?x=1&y=2");
  const guid = one(item, "guid");
  t.is(guid?.text, "urn:tributary:abc123");
  t.is(guid?.attributes.isPermaLink, "false");
  t.is(one(item, "pubDate")?.text, "Sat, 01 Mar 2025 12:00:00 GMT"); // published, RFC 822
  t.is(one(item, "description")?.text, "Plain summary…");
  t.is(one(item, "content:encoded")?.text, "<p>Full <em>content</em></p>");
  t.deepEqual(
    all(item, "category").map((c) => [c.text, c.attributes.domain]),
    [
      ["Forced labour", undefined],
      ["Human trafficking", `${BASE}/api/categories`],
    ],
  );
  t.deepEqual(
    all(item, "dc:creator").map((c) => c.text),
    ["Ana Lima", "Desk"],
  );
  t.is(
    all(item, "author").length,
    0,
    "RSS <author> must be an email address; names go to dc:creator",
  );
  t.deepEqual(one(item, "enclosure")?.attributes, {
    url: "https://partner.example/report.pdf",
    type: "application/pdf",
    length: "1234",
  });
  const source = one(item, "source");
  t.is(source?.attributes.url, "https://partner.example/feed.xml");
  t.is(source?.text, "Partner A");
});

test("an Update without a link gets no <link> but keeps its guid", (t) => {
  const item = one(
    channelOf(renderFeed(makeContext("rss"), [makeUpdate({ id: "n1", link: undefined })])),
    "item",
  );
  t.is(one(item, "link"), undefined);
  t.is(one(item, "guid")?.text, "urn:tributary:n1");
});

test("only the first enclosure is written, with the declared type and length 0 when unknown", (t) => {
  const update = makeUpdate({
    enclosures: [
      { url: "https://partner.example/a.mp3", type: "audio/mpeg" },
      { url: "https://partner.example/b.pdf", type: "application/pdf", length: 9 },
    ],
  });
  const item = one(channelOf(renderFeed(makeContext("rss"), [update])), "item");
  t.is(all(item, "enclosure").length, 1);
  t.deepEqual(one(item, "enclosure")?.attributes, {
    url: "https://partner.example/a.mp3",
    type: "audio/mpeg",
    length: "0",
  });
});

test("an entry of a source missing from the map has no <source> (its url is required)", (t) => {
  const item = one(
    channelOf(renderFeed(makeContext("rss"), [makeUpdate({ sourceId: "gone" })])),
    "item",
  );
  t.is(one(item, "source"), undefined);
});

test("namespaces are declared even when no item has content (dc:creator alone)", (t) => {
  const xml = renderFeed(makeContext("rss"), [makeUpdate({ contentHtml: undefined })]);
  t.is(xmlError(xml), undefined);
  t.regex(xml, /xmlns:dc="http:\/\/purl\.org\/dc\/elements\/1\.1\/"/);
});

test("lastBuildDate is the newest entry's updated, so equal content gives equal bytes", (t) => {
  const updates = () => [
    makeUpdate({ id: "old", published: minutesAfterEpoch(0), updated: minutesAfterEpoch(90) }),
    makeUpdate({ id: "new", published: minutesAfterEpoch(60), updated: minutesAfterEpoch(60) }),
  ];
  const first = renderFeed(makeContext("rss"), updates());
  t.is(one(channelOf(first), "lastBuildDate")?.text, "Sat, 01 Mar 2025 13:30:00 GMT");
  t.is(renderFeed(makeContext("rss"), updates()), first);
});

test("an empty page is a valid feed dated at epoch 0", (t) => {
  const xml = renderFeed(makeContext("rss"), []);
  t.is(xmlError(xml), undefined);
  t.is(all(channelOf(xml), "item").length, 0);
  t.is(one(channelOf(xml), "lastBuildDate")?.text, "Thu, 01 Jan 1970 00:00:00 GMT");
  t.is(renderFeed(makeContext("rss"), []), xml);
});

test("rss-parser reads back what was published", async (t) => {
  const update = makeUpdate({
    id: "rt1",
    title: "Fish & Chips <live>",
    summary: "Tom & Jerry",
    contentHtml: "<p>A &amp; B</p>",
    enclosures: [{ url: "https://partner.example/a.mp3", type: "audio/mpeg", length: 5 }],
    authors: [{ name: "Ana Lima" }],
  });
  type Custom = { sources: { _: string; $: { url: string } }[]; "content:encoded": string };
  const parser = new Parser<Record<string, unknown>, Custom>({
    customFields: { item: [["source", "sources", { keepArray: true }]] },
  });
  const feed = await parser.parseString(renderFeed(makeContext("rss"), [update]));
  t.is(feed.title, "Human trafficking — Tributary");
  t.is(feed.paginationLinks?.next, `${BASE}/feeds/trafficking.rss?cursor=c3`);
  const [item] = feed.items;
  t.is(item?.title, "Fish & Chips <live>");
  t.is(item?.guid, "urn:tributary:rt1");
  t.is(item?.link, update.link);
  t.is(item?.content, "Tom &amp; Jerry"); // description is HTML
  t.is(item?.["content:encoded"], "<p>A &amp; B</p>");
  t.is(item?.creator, "Ana Lima");
  t.is(item?.isoDate, update.published);
  t.deepEqual(item?.enclosure, {
    url: "https://partner.example/a.mp3",
    type: "audio/mpeg",
    length: "5",
  });
  t.deepEqual(item?.sources, [{ _: "Partner A", $: { url: "https://partner.example/feed.xml" } }]);
});
