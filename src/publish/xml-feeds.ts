// RSS 2.0 and Atom 1.0 through the `feed` package (v6, which writes XML with xml-js), with the
// workarounds its quirks need. What xml-js does with the values feed hands it decides the
// escaping here:
// - text nodes: it first turns every "&amp;" back into "&", then escapes & < >; so a literal
//   "&amp;" in our text would lose its "amp;". `xmlJsText` doubles every "&" first, which that
//   first step undoes exactly.
// - attributes: only `"` is escaped; feed adds `&amp;` for URLs (which the URL parser already
//   stripped of `<` and `"`) but nothing else, so every other attribute value we give is
//   pre-escaped with `escapeXmlAttribute`.
// - CDATA: only the first `]]>` is split. We never hand it a `]]>`: HTML fields go through
//   `cdataSafeHtml`, plain text is HTML-escaped (no `>` left) or written as a text node.
// - Atom entries: titles and summaries are declared type="html" (ours are plain text),
//   categories come out as `label` without `term`, enclosure types are guessed
//   from the file extension, a missing link becomes an empty `<link/>`, and there is no
//   `<source>` or paging link; and xml-js walks every value of every entry object key by key,
//   which made entries most of an Atom render's cost. So feed writes the Atom document and
//   its feed-level elements, and the entries are written here: feed writes a marker (in
//   `<rights>`, which we do not otherwise use) where the entries and paging links go, and we
//   replace it. The marker contains U+0001, which `xmlSafeText` removed from every string we
//   pass, so it cannot collide with partner content.
// - RSS items: extensions let us add `dc:creator`, `<source>` and the paging `atom:link`s
//   without touching the XML text; only the root's namespace declarations are patched.
import { type Category, Feed, type Item } from "feed";
import { cdataSafeHtml, escapeText, escapeXmlAttribute } from "../model/escape.js";
import type { EntryView, FeedView } from "./view.js";

const GENERATOR = "Tributary";

const NS = {
  atom: "http://www.w3.org/2005/Atom",
  content: "http://purl.org/rss/1.0/modules/content/",
  dc: "http://purl.org/dc/elements/1.1/",
  // Tributary's own RSS extension (provenance). A URN, not a URL: it names the vocabulary
  // whatever host a deployment runs on, and nothing is meant to be fetched from it.
  tributary: "urn:tributary:ns:1.0",
} as const;

// ---------------------------------------------------------------------------------- RSS 2.0

export function renderRss(view: FeedView): string {
  const feed = new Feed({
    title: xmlJsText(view.title),
    // Required in RSS; a category without one is described by its title.
    description: xmlJsText(view.description === "" ? view.title : view.description),
    link: view.htmlUrl,
    // Gives the `atom:link rel="self"` and the atom namespace; the extension below replaces
    // the link list with self + paging links.
    feed: view.selfUrl,
    updated: view.updated,
    generator: GENERATOR,
    docs: "https://www.rssboard.org/rss-specification",
    language: view.language === undefined ? undefined : xmlJsText(view.language),
  });
  feed.addExtension({
    name: "atom:link",
    // xml-js writes attribute values raw: escape them here.
    objects: [...hubLinks(view), ...pagingLinks(view, "application/rss+xml", true)].map((link) => ({
      _attributes: Object.fromEntries(
        Object.entries(link).map(([key, value]) => [key, escapeXmlAttribute(value)]),
      ),
    })) as unknown as Record<string, unknown>,
  });
  for (const entry of view.entries) feed.addItem(rssItem(view, entry));
  return addRootAttributes(feed.rss2(), "rss", {
    "xmlns:atom": NS.atom,
    "xmlns:content": NS.content,
    "xmlns:dc": NS.dc,
    "xmlns:tributary": NS.tributary,
  });
}

function rssItem(view: FeedView, entry: EntryView): Item {
  const enclosure = entry.enclosures[0]; // RSS allows one enclosure per item
  const extensions: Item["extensions"] = [];
  if (entry.title !== "") {
    // feed writes the title as CDATA and splits only its first `]]>`; a text node
    // (which xml-js escapes) replaces it, so a plain-text title is carried exactly.
    extensions.push({ name: "title", objects: { _text: xmlJsText(entry.title) } });
  }
  if (entry.authors.length > 0) {
    // feed writes `<author>name</author>`, but RSS `author` must be an email address.
    extensions.push({
      name: "dc:creator",
      objects: entry.authors.map((author) => ({
        _text: xmlJsText(author.name),
      })) as unknown as Record<string, unknown>,
    });
  }
  const language = ownLanguage(view, entry);
  if (language !== undefined) {
    // RSS 2.0 has no item language and feed writes no attributes on <item>: Dublin Core's
    // element is what RSS readers know for it (the channel declares xmlns:dc already).
    extensions.push({ name: "dc:language", objects: { _text: xmlJsText(language) } });
  }
  if (entry.source.url !== undefined) {
    extensions.push({
      name: "source",
      objects: {
        _attributes: { url: escapeXmlAttribute(entry.source.url) },
        _text: xmlJsText(entry.source.title),
      },
    });
  }
  if (entry.alsoPublishedBy.length > 0) {
    // RSS has one <source> per item (the entry's own partner); the other partners that carried
    // the story are named in our namespace, which readers that do not know it skip.
    extensions.push({
      name: "tributary:alsoPublishedBy",
      objects: entry.alsoPublishedBy.map((copy) => ({
        _attributes: Object.fromEntries(
          Object.entries({
            partner: copy.sourceId,
            url: copy.link,
            source: copy.url,
            published: copy.published.toISOString(),
          })
            .filter((pair): pair is [string, string] => pair[1] !== undefined)
            .map(([key, value]) => [key, escapeXmlAttribute(value)]),
        ),
        _text: xmlJsText(copy.title),
      })) as unknown as Record<string, unknown>,
    });
  }
  return {
    title: entry.title,
    link: entry.link ?? "", // feed omits a falsy link
    guid: xmlJsText(entry.id), // written with isPermaLink="false"
    date: entry.updated,
    published: entry.published, // pubDate prefers it over `date`
    // RSS description is read as HTML; ours is plain text.
    description: entry.summary === "" ? undefined : escapeText(entry.summary),
    content: entry.contentHtml === undefined ? undefined : cdataSafeHtml(entry.contentHtml),
    category: [
      ...entry.tags.map((tag): Category => ({ name: xmlJsText(tag) })),
      ...entry.categories.map(
        (category): Category => ({
          name: xmlJsText(category.title),
          domain: escapeXmlAttribute(view.categoryScheme),
        }),
      ),
    ],
    // Type and length are spread over feed's guesses; the length is required in RSS, 0 = unknown.
    enclosure:
      enclosure === undefined
        ? undefined
        : {
            url: enclosure.url,
            type: escapeXmlAttribute(enclosure.type),
            length: enclosure.length ?? 0,
          },
    extensions,
  };
}

// --------------------------------------------------------------------------------- Atom 1.0

const MARK = "\u0001";
const FEED_MARKER = `${MARK}tributary:feed${MARK}`;
const MARKER_ELEMENT = new RegExp(`( *)<rights>${FEED_MARKER}</rights>`);
/** xml-js indents each level by this much (feed asks for 4 spaces). */
const INDENT = "    ";

export function renderAtom(view: FeedView): string {
  const feed = new Feed({
    id: xmlJsText(view.id),
    title: xmlJsText(view.title),
    description: view.description === "" ? undefined : xmlJsText(view.description),
    link: view.htmlUrl,
    feed: view.selfUrl,
    updated: view.updated,
    generator: GENERATOR,
    copyright: FEED_MARKER,
  });
  // Safe to edit as text: the marker is the last feed-level element feed writes (no feed
  // categories, contributors or entries are given), so the paging links and entries take its
  // place in document order. A function replacement: "$" in partner text stays literal.
  const xml = feed.atom1().replace(MARKER_ELEMENT, (_match, indent: string) => {
    const lines = atomFeedLinks(view);
    for (const entry of view.entries) lines.push(...atomEntry(view, entry));
    return lines.map((line) => indent + line).join("\n");
  });
  return view.language === undefined
    ? xml
    : addRootAttributes(xml, "feed", { "xml:lang": view.language });
}

/**
 * One `<entry>`, laid out as xml-js lays out elements. Titles and summaries are plain text, so
 * they are written as type="text" (readers HTML-decode type="html": python-feedparser would
 * hand on "Fish &amp; Chips"). Required: id, title, updated, and an author (the <source>
 * author stands in for one when the partner named none, RFC 4287 §4.1.2).
 */
function atomEntry(view: FeedView, entry: EntryView): string[] {
  const inner = [
    `<title type="text">${escapeText(entry.title)}</title>`,
    `<id>${escapeText(entry.id)}</id>`,
  ];
  if (entry.link !== undefined) inner.push(element("link", { href: entry.link }));
  inner.push(`<updated>${entry.updated.toISOString()}</updated>`);
  if (entry.summary !== "") {
    inner.push(`<summary type="text">${escapeText(entry.summary)}</summary>`);
  }
  for (const author of entry.authors) {
    inner.push("<author>", `${INDENT}<name>${escapeText(author.name)}</name>`);
    if (author.email !== undefined) {
      inner.push(`${INDENT}<email>${escapeText(author.email)}</email>`);
    }
    if (author.url !== undefined) inner.push(`${INDENT}<uri>${escapeText(author.url)}</uri>`);
    inner.push("</author>");
  }
  inner.push(`<published>${entry.published.toISOString()}</published>`);
  inner.push(...atomEntryExtras(view, entry));
  const open =
    ownLanguage(view, entry) === undefined
      ? "<entry>"
      : `<entry xml:lang="${escapeXmlAttribute(entry.language ?? "")}">`;
  return [open, ...inner.map((line) => INDENT + line), "</entry>"];
}

/**
 * The entry's language when it must be said on the entry: it has one and it is not the feed's
 * (a feed declares one only when filtered by `?lang=`).
 */
function ownLanguage(view: FeedView, entry: EntryView): string | undefined {
  const language = entry.language;
  if (language === undefined || language === view.language) return undefined;
  return language;
}

function atomFeedLinks(view: FeedView): string[] {
  // alternate and self come from feed; the hub and paging links are ours.
  return [...hubLinks(view), ...pagingLinks(view, "application/atom+xml", false)].map((link) =>
    element("link", link),
  );
}

function atomEntryExtras(view: FeedView, entry: EntryView): string[] {
  const lines: string[] = [];
  if (entry.contentHtml !== undefined) {
    lines.push(`<content type="html"><![CDATA[${cdataSafeHtml(entry.contentHtml)}]]></content>`);
  } else if (entry.link === undefined) {
    // An entry needs content or an alternate link (RFC 4287 §4.1.2): the summary as HTML,
    // and that HTML as the element's character data.
    lines.push(`<content type="html">${escapeText(escapeText(entry.summary))}</content>`);
  }
  for (const tag of entry.tags) lines.push(element("category", { term: tag }));
  for (const category of entry.categories) {
    lines.push(
      element("category", {
        term: category.id,
        scheme: view.categoryScheme,
        label: category.title,
      }),
    );
  }
  for (const enclosure of entry.enclosures) {
    // The type the partner declared, not feed's guess from the file extension.
    lines.push(
      element("link", {
        rel: "enclosure",
        href: enclosure.url,
        type: enclosure.type,
        length: enclosure.length === undefined ? undefined : String(enclosure.length),
      }),
    );
  }
  for (const copy of entry.alsoPublishedBy) {
    // Another partner carried the same story (RFC 4287 §4.2.7.2: "via" names where the
    // information came from); the entry's own partner is its <source>.
    if (copy.link !== undefined) {
      lines.push(element("link", { rel: "via", href: copy.link, title: copy.title }));
    }
  }
  lines.push(...atomSource(entry));
  return lines;
}

function atomSource(entry: EntryView): string[] {
  const { source } = entry;
  // The partner's own feed id and updated (RFC 4287 §4.2.11), else its URL, and the entry's
  // own updated: the feed it came from changed at least then.
  const id = source.feedId ?? source.url;
  const updated = source.feedUpdated ?? entry.updated;
  // The author inside <source> also satisfies "every entry has an author" when the partner
  // named none (RFC 4287 §4.1.2).
  const inner = [
    id === undefined ? undefined : `<id>${escapeText(id)}</id>`,
    `<title>${escapeText(source.title)}</title>`,
    `<updated>${updated.toISOString()}</updated>`,
    source.url === undefined ? undefined : element("link", { rel: "self", href: source.url }),
    source.homepage === undefined
      ? undefined
      : element("link", { rel: "alternate", href: source.homepage }),
    `<author><name>${escapeText(source.title)}</name></author>`,
  ].filter((line): line is string => line !== undefined);
  return ["<source>", ...inner.map((line) => `    ${line}`), "</source>"];
}

// ----------------------------------------------------------------------------------- shared

/** WebSub `rel="hub"` links (no type: a hub is not a feed); values not yet escaped. */
function hubLinks(view: FeedView): Record<string, string>[] {
  return view.hubs.map((href) => ({ href, rel: "hub" }));
}

/** Self (when `withSelf`) and RFC 5005 first/next/previous links; values not yet escaped. */
function pagingLinks(view: FeedView, type: string, withSelf: boolean): Record<string, string>[] {
  const links: Record<string, string>[] = [];
  const add = (rel: string, href: string | undefined) => {
    if (href !== undefined) links.push({ href, rel, type });
  };
  if (withSelf) add("self", view.selfUrl);
  add("first", view.links.first);
  add("next", view.links.next);
  add("previous", view.links.previous);
  return links;
}

function element(name: string, attributes: Record<string, string | undefined>): string {
  const written = Object.entries(attributes)
    .filter((pair): pair is [string, string] => pair[1] !== undefined)
    .map(([key, value]) => ` ${key}="${escapeXmlAttribute(value)}"`)
    .join("");
  return `<${name}${written}/>`;
}

/** See the header: cancels xml-js's "&amp;" → "&" step for text nodes. */
function xmlJsText(value: string): string {
  return value.replace(/&/g, "&amp;");
}

/**
 * Adds the attributes missing from the root element's start tag. feed declares the dc and
 * content namespaces only when some item has content, but `dc:creator` needs dc regardless.
 */
function addRootAttributes(xml: string, root: string, attributes: Record<string, string>): string {
  const start = xml.indexOf(`<${root}`);
  const end = xml.indexOf(">", start);
  if (start < 0 || end < 0) throw new Error(`feed output has no <${root}> element`);
  const tag = xml.slice(start, end);
  const missing = Object.entries(attributes)
    .filter(([name]) => !tag.includes(` ${name}=`))
    .map(([name, value]) => ` ${name}="${escapeXmlAttribute(value)}"`)
    .join("");
  return xml.slice(0, end) + missing + xml.slice(end);
}
