import { readFileSync } from "node:fs";
import test from "ava";
import { renderFeed } from "../../src/publish/render.js";
import { corpusPath, hasCorpus, skipMessage } from "../helpers/corpus.js";
import { jsonFeedValidator } from "../helpers/json-feed-schema.js";
import { skipTest } from "../helpers/skip.js";
import { makeUpdate, minutesAfterEpoch } from "../helpers/updates.js";
import { BASE, makeContext } from "./context.js";

const render = (...updates: ReturnType<typeof makeUpdate>[]) =>
  JSON.parse(renderFeed(makeContext("json"), updates));

const richUpdate = () =>
  makeUpdate({
    id: "abc123",
    title: "Report on forced labour",
    link: "https://partner.example/posts/1?x=1&y=2",
    summary: "Plain summary…",
    contentHtml: "<p>Full</p>",
    published: minutesAfterEpoch(0),
    updated: minutesAfterEpoch(30),
    authors: [
      { name: "Ana Lima", url: "https://partner.example/ana" },
      { name: "Desk", email: "desk@partner.example" },
    ],
    tags: ["Forced labour"],
    image: { url: "https://partner.example/cover.jpg", type: "image/jpeg" },
    enclosures: [
      { url: "https://partner.example/a.mp3", type: "audio/mpeg", length: 42 },
      { url: "https://partner.example/b.pdf", type: "application/pdf" },
    ],
    language: "fr",
  });

if (hasCorpus) {
  test("output validates against the JSON Feed 1.1 schema", (t) => {
    const validate = jsonFeedValidator();
    const feeds = [
      render(richUpdate(), makeUpdate({ link: undefined, contentHtml: undefined, authors: [] })),
      render(),
      JSON.parse(renderFeed(makeContext("json", { links: { first: `${BASE}/feeds/t.json` } }), [])),
    ];
    for (const feed of feeds) t.true(validate(feed), JSON.stringify(validate.errors));
  });

  test("the validator is not vacuous: the corpus's valid feeds pass it and invalid ones fail", (t) => {
    const validate = jsonFeedValidator();
    for (const name of ["simple", "microblog", "podcast"]) {
      const feed = JSON.parse(
        readFileSync(corpusPath("jsonfeed", "examples", `${name}.json`), "utf8"),
      );
      t.true(validate(feed), `${name}: ${JSON.stringify(validate.errors)}`);
    }
    for (const name of [
      "attachment-missing-mime",
      "empty-author",
      "item-id-number",
      "item-missing-content",
    ]) {
      const feed = JSON.parse(
        readFileSync(corpusPath("jsonfeed", "invalid", `${name}.json`), "utf8"),
      );
      t.false(validate(feed), name);
    }
  });
} else {
  skipTest("JSON Feed schema validation", skipMessage);
}

test("feed-level fields: version 1.1, title, home page, feed url, description, next_url, language", (t) => {
  const feed = render(richUpdate());
  t.is(feed.version, "https://jsonfeed.org/version/1.1");
  t.is(feed.title, "Human trafficking — Tributary");
  t.is(feed.home_page_url, `${BASE}/categories/trafficking`);
  t.is(feed.feed_url, `${BASE}/feeds/trafficking.json`);
  t.is(feed.description, "Updates on trafficking in persons.");
  t.is(feed.next_url, `${BASE}/feeds/trafficking.json?cursor=c3`);
  t.is(feed.language, "en");
  t.false("author" in feed);
});

test("the last page has no next_url", (t) => {
  const ctx = makeContext("json", { links: { first: `${BASE}/feeds/trafficking.json` } });
  t.false("next_url" in JSON.parse(renderFeed(ctx, [makeUpdate()])));
});

test("an item carries every field of the Update", (t) => {
  const [item] = render(richUpdate()).items;
  t.deepEqual(item, {
    id: "urn:tributary:abc123",
    url: "https://partner.example/posts/1?x=1&y=2",
    title: "Report on forced labour",
    summary: "Plain summary…",
    content_html: "<p>Full</p>",
    image: "https://partner.example/cover.jpg",
    date_published: "2025-03-01T12:00:00.000Z",
    date_modified: "2025-03-01T12:30:00.000Z",
    authors: [
      { name: "Ana Lima", url: "https://partner.example/ana" },
      { name: "Desk", url: "mailto:desk@partner.example" },
    ],
    tags: ["Forced labour", "Human trafficking"],
    language: "fr",
    attachments: [
      { url: "https://partner.example/a.mp3", mime_type: "audio/mpeg", size_in_bytes: 42 },
      { url: "https://partner.example/b.pdf", mime_type: "application/pdf" },
    ],
    _tributary: {
      source: { id: "source-a", title: "Partner A", url: "https://partner.example/feed.xml" },
    },
  });
});

test("an item without HTML content carries content_text; absent fields are left out", (t) => {
  const [item] = render(
    makeUpdate({ link: undefined, contentHtml: undefined, authors: [], tags: [], categories: [] }),
  ).items;
  t.is(item.content_text, item.summary);
  for (const key of ["content_html", "url", "authors", "author", "tags", "attachments", "image"]) {
    t.false(key in item, key);
  }
});

test("identical content gives identical bytes", (t) => {
  const updates = () => [makeUpdate({ id: "j1" }), makeUpdate({ id: "j2" })];
  t.is(renderFeed(makeContext("json"), updates()), renderFeed(makeContext("json"), updates()));
});
