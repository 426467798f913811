// What Tributary publishes for categories filled from real publishers' feeds (the external
// corpus, polled through the whole pipeline), checked against the formats' own rules:
// RSS 2.0 and Atom 1.0 well-formed with every namespace declared and every required element,
// JSON Feed valid against the 1.1 schema. Each published entry is compared with the Update the
// store holds for it.
import { readFileSync } from "node:fs";
import test, { type ExecutionContext } from "ava";
import type { Update } from "../../src/model/update.js";
import { corpusPath, hasCorpus, skipMessage } from "../helpers/corpus.js";
import { jsonFeedValidator } from "../helpers/json-feed-schema.js";
import { skipTest } from "../helpers/skip.js";
import { all, one, parseXml, type XmlNode } from "../publish/context.js";
import { CORPUS_CATEGORIES, type CorpusService, startCorpusService } from "./corpus-service.js";
import { executableIn } from "./markup.js";

const RFC_822 =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d (GMT|[+-]\d{4})$/;
const RFC_3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;
const ID_PREFIX = "urn:tributary:";

/** Every entry of the category, newest first, as the store holds them, by published id (a story's id when it has one). */
async function storedEntries(
  corpus: CorpusService,
  category: string,
): Promise<Map<string, Update>> {
  const page = await corpus.service.store.list({ category, limit: 1000 });
  return new Map(page.items.map((u) => [`${ID_PREFIX}${u.story?.id ?? u.id}`, u]));
}

async function fetchText(url: string): Promise<string> {
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
  return res.text();
}

/** The enclosure types the partner's own file declares, lower-cased. */
function declaredTypes(category: string): Set<string> {
  const types = new Set<string>();
  for (const file of CORPUS_CATEGORIES[category] ?? []) {
    const xml = readFileSync(corpusPath("real-world", "test", "input", file), "utf8");
    for (const m of xml.matchAll(/<(?:enclosure|link)\b[^>]*\btype="([^"]+)"/g))
      types.add((m[1] ?? "").toLowerCase());
  }
  return types;
}

const text = (node: XmlNode | undefined): string => node?.text.trim() ?? "";

function checkRss(t: ExecutionContext, xml: string, stored: Map<string, Update>, category: string) {
  const rss = parseXml(xml); // strict and namespace-aware: throws on any well-formedness error
  t.is(rss.name, "rss");
  t.is(rss.attributes.version, "2.0");
  const channel = one(rss, "channel");
  for (const required of ["title", "link", "description"])
    t.not(text(one(channel, required)), "", `channel ${required}`);
  t.regex(text(one(channel, "lastBuildDate")), RFC_822);
  const items = all(channel, "item");
  t.is(items.length, stored.size, "every entry of the category");
  const declared = declaredTypes(category);
  for (const item of items) {
    const guid = one(item, "guid");
    const update = stored.get(text(guid));
    if (!update) return t.fail(`unknown guid ${text(guid)}`);
    // A guid that is not a URL must say isPermaLink="false" (RSS 2.0: the default is true).
    if (!/^https?:\/\//.test(text(guid))) t.is(guid?.attributes.isPermaLink, "false");
    t.true(text(one(item, "title")) !== "" || text(one(item, "description")) !== "");
    t.is(text(one(item, "title")), update.title);
    t.is(text(one(item, "link")), update.link ?? "");
    t.regex(text(one(item, "pubDate")), RFC_822);
    // RFC 822 dates have whole seconds.
    t.is(
      Date.parse(text(one(item, "pubDate"))),
      Math.floor(Date.parse(update.published) / 1000) * 1000,
    );
    const enclosure = one(item, "enclosure");
    if (update.enclosures[0] === undefined) t.is(enclosure, undefined);
    else {
      t.is(enclosure?.attributes.url, update.enclosures[0].url);
      t.is(enclosure?.attributes.type, update.enclosures[0].type);
      t.true(declared.has(enclosure?.attributes.type ?? ""), "the type the partner declared");
      t.regex(enclosure?.attributes.length ?? "", /^\d+$/);
    }
    const content = one(item, "content:encoded");
    if (content) t.deepEqual(executableIn(content.text), []);
  }
}

function checkAtom(
  t: ExecutionContext,
  xml: string,
  stored: Map<string, Update>,
  category: string,
) {
  const feed = parseXml(xml);
  t.is(feed.name, "feed");
  t.is(feed.attributes.xmlns, "http://www.w3.org/2005/Atom");
  t.regex(text(one(feed, "id")), /^https?:\/\//);
  t.not(text(one(feed, "title")), "");
  t.regex(text(one(feed, "updated")), RFC_3339);
  const entries = all(feed, "entry");
  t.is(entries.length, stored.size, "every entry of the category");
  const declared = declaredTypes(category);
  for (const entry of entries) {
    const update = stored.get(text(one(entry, "id")));
    if (!update) return t.fail(`unknown id ${text(one(entry, "id"))}`);
    t.not(text(one(entry, "title")), "");
    t.regex(text(one(entry, "updated")), RFC_3339);
    t.is(new Date(text(one(entry, "updated"))).toISOString(), update.updated);
    // RFC 4287 §4.1.2: content, or an alternate link.
    const links = all(entry, "link");
    const alternate = links.find((l) => (l.attributes.rel ?? "alternate") === "alternate");
    t.true(alternate !== undefined || one(entry, "content") !== undefined);
    if (update.link) t.is(alternate?.attributes.href, update.link);
    // An author in the entry or in its <source> (§4.1.2).
    t.true(all(entry, "author").length > 0 || all(one(entry, "source"), "author").length > 0);
    for (const category of all(entry, "category")) t.not(category.attributes.term ?? "", "");
    const enclosures = links.filter((l) => l.attributes.rel === "enclosure");
    t.deepEqual(
      enclosures.map((l) => [l.attributes.href, l.attributes.type]),
      update.enclosures.map((e) => [e.url, e.type]),
    );
    for (const e of enclosures) t.true(declared.has(e.attributes.type ?? ""));
    const content = one(entry, "content");
    if (content?.attributes.type === "html") t.deepEqual(executableIn(content.text), []);
  }
}

interface JsonItem {
  id: string;
  url?: string;
  title?: string;
  content_html?: string;
  date_published: string;
  language?: string;
  authors?: { name: string }[];
  attachments?: { url: string; mime_type: string; size_in_bytes?: number }[];
  [key: string]: unknown;
}

function checkJson(t: ExecutionContext, body: string, stored: Map<string, Update>) {
  const feed = JSON.parse(body) as { version: string; items: JsonItem[]; [key: string]: unknown };
  const validate = jsonFeedValidator();
  t.true(validate(feed), JSON.stringify(validate.errors?.slice(0, 3)));
  t.is(feed.version, "https://jsonfeed.org/version/1.1");
  t.false("author" in feed);
  t.is(feed.items.length, stored.size);
  for (const item of feed.items) {
    const update = stored.get(item.id);
    if (!update) return t.fail(`unknown id ${item.id}`);
    t.false("author" in item, "1.1 uses authors");
    t.deepEqual(
      item.authors?.map((a) => a.name),
      update.authors.length === 0 ? undefined : update.authors.map((a) => a.name),
    );
    t.deepEqual(
      item.attachments?.map((a) => [a.url, a.mime_type, a.size_in_bytes]),
      update.enclosures.length === 0
        ? undefined
        : update.enclosures.map((e) => [e.url, e.type, e.length]),
    );
    t.is(item.language, update.language);
    t.is(item.date_published, update.published);
    if (item.content_html !== undefined) t.deepEqual(executableIn(item.content_html), []);
  }
}

if (hasCorpus) {
  let corpus: CorpusService;
  test.before(async () => {
    corpus = await startCorpusService();
  });
  test.after.always(() => corpus?.stop());

  for (const category of Object.keys(CORPUS_CATEGORIES)) {
    test(`${category}: RSS 2.0, Atom 1.0 and JSON Feed 1.1 built from real feeds are valid`, async (t) => {
      const stored = await storedEntries(corpus, category);
      t.true(stored.size > 20 && stored.size <= 200, `${stored.size} entries`);
      // Languages are known for these partners: JSON Feed must carry them.
      t.true([...stored.values()].some((u) => u.language !== undefined));
      const url = (format: string) =>
        `${corpus.url}/feeds/${category}.${format}?limit=${stored.size}`;
      checkRss(t, await fetchText(url("rss")), stored, category);
      checkAtom(t, await fetchText(url("atom")), stored, category);
      checkJson(t, await fetchText(url("json")), stored);
    });
  }
} else {
  skipTest("published feeds from the corpus", skipMessage);
}
