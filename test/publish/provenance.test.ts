// Provenance of stories several partners carried (Update.story, set by the store on merged
// listings): every format publishes the story's id and names the other partners.
import test from "ava";
import Parser from "rss-parser";
import type { Update } from "../../src/model/update.js";
import { renderFeed } from "../../src/publish/render.js";
import type { FeedFormat } from "../../src/publish/types.js";
import { jsonFeedValidator } from "../helpers/json-feed-schema.js";
import { makeUpdate, minutesAfterEpoch } from "../helpers/updates.js";
import { all, makeContext, one, parseXml } from "./context.js";

const TRIBUTARY_NS = "urn:tributary:ns:1.0";

const context = (format: FeedFormat) => {
  const ctx = makeContext(format);
  const sources = new Map(ctx.sources);
  sources.set("source-b", {
    title: "Partner B & Co",
    url: "https://user:secret@b.example/feed.xml",
    publicUrl: "https://b.example/feed.xml",
    homepage: "https://b.example/",
  });
  sources.set("source-c", { title: "Partner C", url: "https://c.example/rss" });
  return { ...ctx, sources };
};

/** Partner A's entry, earliest of a story Partner B and C carried later (and D, who left). */
const storyEntry = (): Update =>
  makeUpdate({
    id: "a-1",
    sourceId: "source-a",
    link: "https://partner.example/posts/1",
    published: minutesAfterEpoch(0),
    story: {
      id: "first-copy",
      copies: [
        {
          id: "a-1",
          sourceId: "source-a",
          link: "https://partner.example/posts/1",
          published: minutesAfterEpoch(0),
          title: "Report",
        },
        {
          id: "b-1",
          sourceId: "source-b",
          link: "https://b.example/news/report?x=1&y=2",
          published: minutesAfterEpoch(10),
          title: "Report (B)",
        },
        {
          id: "d-1",
          sourceId: "source-d",
          link: "https://d.example/gone",
          published: minutesAfterEpoch(15),
          title: "Report (D)",
        },
        {
          id: "c-1",
          sourceId: "source-c",
          published: minutesAfterEpoch(20),
          title: "Report (C)",
        },
      ],
    },
  });

const itemOf = (xml: string) => one(one(parseXml(xml), "channel"), "item");

test("RSS: the story id as guid, one <source>, tributary:alsoPublishedBy per other partner", (t) => {
  const xml = renderFeed(context("rss"), [storyEntry()]);
  const rss = parseXml(xml);
  t.is(rss.attributes["xmlns:tributary"], TRIBUTARY_NS);
  const item = itemOf(xml);
  t.is(one(item, "guid")?.text, "urn:tributary:first-copy");
  const sources = all(item, "source");
  t.is(sources.length, 1);
  t.is(sources[0]?.attributes.url, "https://partner.example/feed.xml");
  t.is(sources[0]?.text, "Partner A");
  const others = all(item, "tributary:alsoPublishedBy");
  t.deepEqual(
    others.map((node) => [node.text, node.attributes]),
    [
      [
        "Partner B & Co",
        {
          partner: "source-b",
          url: "https://b.example/news/report?x=1&y=2",
          source: "https://b.example/feed.xml", // the public URL, never the credentials
          published: minutesAfterEpoch(10),
        },
      ],
      [
        "Partner C",
        { partner: "source-c", source: "https://c.example/rss", published: minutesAfterEpoch(20) },
      ],
    ],
  );
  t.false(xml.includes("secret"));
  t.false(xml.includes("d.example"), "a partner no longer configured is left out");
});

test("RSS: rss-parser reads the item and the extension elements", async (t) => {
  const parser = new Parser({
    customFields: { item: [["tributary:alsoPublishedBy", "also", { keepArray: true }]] },
  });
  const feed = await parser.parseString(renderFeed(context("rss"), [storyEntry()]));
  const [item] = feed.items as (Parser.Item & {
    also?: { _: string; $: Record<string, string> }[];
  })[];
  t.is(item?.guid, "urn:tributary:first-copy");
  t.is(item?.link, "https://partner.example/posts/1");
  t.deepEqual(
    item?.also?.map((node) => [node._, node.$.url]),
    [
      ["Partner B & Co", "https://b.example/news/report?x=1&y=2"],
      ["Partner C", undefined],
    ],
  );
});

test("Atom: the story id, the own <source>, rel=via per other copy with a link", (t) => {
  const entry = one(parseXml(renderFeed(context("atom"), [storyEntry()])), "entry");
  t.is(one(entry, "id")?.text, "urn:tributary:first-copy");
  t.is(one(one(entry, "source"), "title")?.text, "Partner A");
  const via = all(entry, "link").filter((link) => link.attributes.rel === "via");
  t.deepEqual(
    via.map((link) => link.attributes),
    [{ rel: "via", href: "https://b.example/news/report?x=1&y=2", title: "Partner B & Co" }],
  );
});

test("JSON Feed: the story id and _tributary.sources listing every copy, own first; validates", (t) => {
  const feed = JSON.parse(renderFeed(context("json"), [storyEntry()]));
  const [item] = feed.items;
  t.is(item.id, "urn:tributary:first-copy");
  t.deepEqual(item._tributary.source, {
    id: "source-a",
    title: "Partner A",
    url: "https://partner.example/feed.xml",
  });
  t.deepEqual(item._tributary.sources, [
    {
      id: "source-a",
      title: "Partner A",
      url: "https://partner.example/feed.xml",
      link: "https://partner.example/posts/1",
      published: minutesAfterEpoch(0),
    },
    {
      id: "source-b",
      title: "Partner B & Co",
      url: "https://b.example/feed.xml",
      link: "https://b.example/news/report?x=1&y=2",
      published: minutesAfterEpoch(10),
    },
    {
      id: "source-c",
      title: "Partner C",
      url: "https://c.example/rss",
      published: minutesAfterEpoch(20),
    },
  ]);
  const validate = jsonFeedValidator();
  t.true(validate(feed), JSON.stringify(validate.errors));
});

test("a story with no other copy only changes the published id", (t) => {
  const update = makeUpdate({
    id: "second",
    story: {
      id: "first",
      copies: [{ id: "second", sourceId: "source-a", published: minutesAfterEpoch(0), title: "T" }],
    },
  });
  const rss = renderFeed(context("rss"), [update]);
  t.is(one(itemOf(rss), "guid")?.text, "urn:tributary:first");
  t.is(all(itemOf(rss), "tributary:alsoPublishedBy").length, 0);
  const atom = one(parseXml(renderFeed(context("atom"), [update])), "entry");
  t.is(one(atom, "id")?.text, "urn:tributary:first");
  t.false(all(atom, "link").some((link) => link.attributes.rel === "via"));
  const [item] = JSON.parse(renderFeed(context("json"), [update])).items;
  t.is(item.id, "urn:tributary:first");
  t.false("sources" in item._tributary);
});

test("an entry without a story (a ?source= feed) keeps its own id and no provenance", (t) => {
  const update = makeUpdate({ id: "own" });
  t.is(one(itemOf(renderFeed(context("rss"), [update])), "guid")?.text, "urn:tributary:own");
  const [item] = JSON.parse(renderFeed(context("json"), [update])).items;
  t.is(item.id, "urn:tributary:own");
  t.is(item._tributary.sources, undefined);
});

test("the published id is the same when a second partner joins the story", (t) => {
  // First alone (no story), then B joins: the story keeps the first stored copy's id.
  const alone = makeUpdate({ id: "a-1", link: "https://partner.example/posts/1" });
  const joined = storyEntry();
  joined.story = { id: "a-1", copies: joined.story?.copies ?? [] };
  const ids = (format: FeedFormat, update: Update): string[] => {
    const text = renderFeed(context(format), [update]);
    if (format === "json") return JSON.parse(text).items.map((item: { id: string }) => item.id);
    const root = parseXml(text);
    const entries = format === "rss" ? all(one(root, "channel"), "item") : all(root, "entry");
    return entries.map((entry) => one(entry, format === "rss" ? "guid" : "id")?.text ?? "");
  };
  for (const format of ["rss", "atom", "json"] as const) {
    t.deepEqual(ids(format, alone), ["urn:tributary:a-1"], format);
    t.deepEqual(ids(format, joined), ids(format, alone), format);
  }
});
