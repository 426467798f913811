// XML feeds: RSS 0.9x/1.0/2.0 through rss-parser's parseString, Atom through xml2js (the parser
// under rss-parser) alone. For RSS, rss-parser runs sax and finds the channel and items; the
// mapping to ParsedItem is ours, from raw element arrays it keeps for us (customFields with
// keepArray), because its own mapping keeps only the first enclosure and author, drops
// xml:base and attributes, and has traps:
//   • description/content:encoded get a `contentSnippet` whose regex is quadratic on hostile
//     input, and element content is rebuilt recursively (stack overflow on deep XML).
// Renaming those elements as sax reports them (xml2js tagNameProcessors) keeps rss-parser's
// own code away from them while we still read them raw. Its Atom mapping has more traps than
// it has use: one `<link/>` without `href` or one empty `<entry/>` throws a TypeError that
// rejects the whole feed, and one bad <published> date a RangeError. So Atom documents never
// reach it: xml2js gives the element tree, and atom.ts reads it with the same accessors.
import Parser from "rss-parser";
import { Parser as XmlParser } from "xml2js";
import type { FeedPollHints } from "../../model/source.js";
import { applyBase, parseUrl } from "../../model/urls.js";
import { atomEntryOf, atomFeedAuthorsOf, atomLinksOf } from "./atom.js";
import { asParseError, FeedParseError, MALFORMED_ENTRY } from "./errors.js";
import {
  closeRootEndTag,
  ensureChannel,
  escapeEmbeddedMarkup,
  expandInternalEntities,
  inspectProlog,
  repairEscapes,
} from "./repair.js";
import { rssItemOf } from "./rss.js";
import type { ParsedFeed, ParsedItem } from "./types.js";
import { asRawItem, firstText, type Node, ownAttr, RAW, raw, textConstruct } from "./xml-nodes.js";

/** Elements rss-parser must not process itself (see above); we read them under their own name. */
const HIDDEN = new Set([
  "published",
  "updated",
  "description",
  "content:encoded",
  "content",
  "summary",
]);
const hiddenName = (name: string): string => `tributary-hidden:${name}`;

const ITEM_ELEMENTS = [
  "$",
  "title",
  "dc:title",
  "link",
  "atom:link",
  "guid",
  "id",
  "description",
  "dc:description",
  "content:encoded",
  "xhtml:body",
  "body",
  "content",
  "summary",
  "pubDate",
  "published",
  "updated",
  "issued",
  "modified",
  "created",
  "dc:date",
  "dcterms:issued",
  "dcterms:created",
  "dcterms:modified",
  "atom:published",
  "atom:updated",
  "author",
  "dc:creator",
  "dc:author",
  "itunes:author",
  "category",
  "dc:subject",
  "enclosure",
  "media:content",
  "media:thumbnail",
  "media:group",
  "itunes:image",
  "dc:language",
];

const FEED_ELEMENTS = [
  "$",
  "title",
  "dc:title",
  "link",
  "language",
  "dc:language",
  "author",
  "lastBuildDate",
  "pubDate",
  "dc:date",
  // Polling hints (poll-hints.ts): RSS 2.0's ttl, the syndication module of RSS 1.0 and 2.0
  // under its usual `sy` prefix.
  "ttl",
  "sy:updatePeriod",
  "sy:updateFrequency",
];

type KeepArray = [string, string, { keepArray: boolean }];
const keepRaw = (name: string): KeepArray => [
  HIDDEN.has(name) ? hiddenName(name) : name,
  RAW + name,
  { keepArray: true },
];

type RawOutput = { items: Node[] } & Record<string, unknown>;

/**
 * RSS's own namespaces. Some feeds bind one to a prefix instead of the default namespace
 * (`<r:rss xmlns:r="http://backend.userland.com/rss2">`, `<rss:item>` in RSS 1.0); rss-parser
 * only knows unprefixed names, so those prefixes are dropped while sax reads the document.
 */
const RSS_NAMESPACES: ReadonlySet<string> = new Set([
  "http://purl.org/rss/1.0/",
  "http://my.netscape.com/rdf/simple/0.9/",
  "http://backend.userland.com/rss2",
  "http://backend.userland.com/rss",
  "http://blogs.law.harvard.edu/tech/rss",
]);

/** Atom 1.0 and 0.3. A feed may bind one to a prefix too: `<a:feed xmlns:a="…/2005/Atom">`. */
const ATOM_NAMESPACES: ReadonlySet<string> = new Set([
  "http://www.w3.org/2005/Atom",
  "http://purl.org/atom/ns#",
]);

/** Prefixes the root element binds to one of `namespaces`. */
function prefixesOf(rootAttrs: Record<string, string>, namespaces: ReadonlySet<string>) {
  const prefixes = new Set<string>();
  for (const [name, value] of Object.entries(rootAttrs)) {
    if (name.startsWith("xmlns:") && namespaces.has(value.trim())) prefixes.add(name.slice(6));
  }
  return prefixes;
}

/**
 * The prefixes dropped from element names while sax reads the document: those of RSS's own
 * namespaces, and in an Atom document those of Atom's. Only there: in RSS, `atom:link` is an
 * extension element, not RSS's own `link`.
 */
function feedPrefixes(rootAttrs: Record<string, string>, rootName: string): Set<string> {
  const rss = prefixesOf(rootAttrs, RSS_NAMESPACES);
  const atom = prefixesOf(rootAttrs, ATOM_NAMESPACES);
  return localName(rootName, atom) === "feed" ? new Set([...rss, ...atom]) : rss;
}

/** `r:item` → `item` when `r` is one of `prefixes`; other names as they are. */
function localName(name: string, prefixes: ReadonlySet<string>): string {
  const colon = name.indexOf(":");
  return colon > 0 && prefixes.has(name.slice(0, colon)) ? name.slice(colon + 1) : name;
}

function newParser(prefixes: ReadonlySet<string>): Parser<RawOutput, Record<string, unknown>> {
  // A parser per document: xml2js parsers keep state, and after an error they are not reusable.
  return new Parser<RawOutput, Record<string, unknown>>({
    // RSS without a `version` attribute (or with an odd one) is otherwise "not recognized".
    defaultRSS: 2,
    xml2js: {
      tagNameProcessors: [
        (qualified: string) => {
          const name = prefixes.size === 0 ? qualified : localName(qualified, prefixes);
          return HIDDEN.has(name) ? hiddenName(name) : name;
        },
      ],
    },
    customFields: {
      // rss-parser's typings only allow plain names at feed level; its code takes tuples there too.
      feed: FEED_ELEMENTS.map(keepRaw) as unknown as (keyof RawOutput)[],
      item: ITEM_ELEMENTS.map(keepRaw),
    },
  });
}

function formatOf(root: string): Exclude<ParsedFeed["format"], "json"> | undefined {
  if (root === "rss") return "rss";
  if (root === "feed") return "atom";
  if (/^(?:[\w.-]+:)?RDF$/.test(root)) return "rdf";
  return undefined;
}

/** xml:base on the root and, in RSS, on the channel: the channel's is resolved against the root's. */
function feedBase(
  rootBase: string | undefined,
  channelBase: string | undefined,
): string | undefined {
  if (channelBase === undefined) return rootBase;
  if (rootBase === undefined || parseUrl(channelBase) !== undefined) return channelBase;
  return applyBase(rootBase, channelBase);
}

/**
 * Maps each entry on its own: an entry we cannot read is skipped with a reason, not fatal. What
 * was thrown is a shape our mapping did not expect; its text names our code, not the feed.
 */
function itemsOf(nodes: Node[], mapItem: (node: Node) => ParsedItem): ParsedItem[] {
  return nodes.map((node) => {
    try {
      return mapItem(node);
    } catch {
      return { links: [], authors: [], categories: [], enclosures: [], problem: MALFORMED_ENTRY };
    }
  });
}

/** The Atom element tree: xml2js with the same prefix handling as the RSS parser. */
async function readAtom(text: string, prefixes: ReadonlySet<string>): Promise<Node> {
  const parser = new XmlParser({
    tagNameProcessors: [(name: string) => localName(name, prefixes)],
  });
  const doc = (await parser.parseStringPromise(text)) as Record<string, unknown> | null;
  if (doc === null || doc === undefined) {
    throw new FeedParseError("parse-error", "no root element found: the XML is malformed");
  }
  return doc.feed;
}

function atomFeedOf(root: Node, rootAttrs: Record<string, string>): ParsedFeed {
  const feed = asRawItem(root);
  const title = textConstruct(raw(feed, "title")[0], "text");
  return {
    format: "atom",
    title: title?.value,
    titleType: title?.type,
    link: atomLinksOf(raw(feed, "link"))[0]?.href,
    base: rootAttrs["xml:base"],
    language: rootAttrs["xml:lang"],
    authors: atomFeedAuthorsOf(feed),
    id: firstText(raw(feed, "id")),
    // Atom 0.3 called it modified.
    updated: firstText(raw(feed, "updated")) ?? firstText(raw(feed, "modified")),
    items: itemsOf(
      raw(feed, "entry").map((entry) => asRawItem(entry)),
      atomEntryOf,
    ),
  };
}

/** The channel's polling hints as written; absent when it declares none. */
function pollHintsOf(channel: Node): Pick<ParsedFeed, "pollHints"> {
  const hints: FeedPollHints = {};
  const ttl = firstText(raw(channel, "ttl"));
  const updatePeriod = firstText(raw(channel, "sy:updatePeriod"));
  const updateFrequency = firstText(raw(channel, "sy:updateFrequency"));
  if (ttl !== undefined) hints.ttl = ttl;
  if (updatePeriod !== undefined) hints.updatePeriod = updatePeriod;
  if (updateFrequency !== undefined) hints.updateFrequency = updateFrequency;
  return Object.keys(hints).length === 0 ? {} : { pollHints: hints };
}

export async function parseXmlFeed(text: string): Promise<ParsedFeed> {
  const prolog = inspectProlog(text);
  if (prolog.unsafeEntities) {
    // External entities (XXE) and entities built from entities (billion laughs) are never
    // expanded; a feed that needs them is one we cannot read safely.
    throw new FeedParseError(
      "parse-error",
      "the DOCTYPE declares external or nested entities, which are never expanded",
    );
  }
  const expanded = expandInternalEntities(text, prolog);
  if (expanded === undefined) {
    throw new FeedParseError("parse-error", "the DOCTYPE's entities expand too far");
  }
  const prefixes = feedPrefixes(prolog.root?.attrs ?? {}, prolog.root?.name ?? "");
  const rootName = prolog.root === undefined ? undefined : localName(prolog.root.name, prefixes);
  // The root decides: feeds with a stray XHTML DOCTYPE exist, and are feeds.
  const html = rootName === undefined ? prolog.doctype : rootName;
  if (html?.toLowerCase() === "html") {
    throw new FeedParseError("not-a-feed", "the document is an HTML page, not a feed");
  }
  if (rootName === undefined) {
    throw new FeedParseError("parse-error", "no root element found: the XML is malformed");
  }
  const format = formatOf(rootName);
  if (format === undefined) {
    throw new FeedParseError(
      "not-a-feed",
      `root element <${rootName}> is not rss, rdf:RDF or feed`,
    );
  }

  const rootAttrs = prolog.root?.attrs ?? {};
  const closed = closeRootEndTag(expanded, prolog.root?.name ?? rootName);
  const repaired = escapeEmbeddedMarkup(repairEscapes(closed), prefixes);
  if (format === "atom") {
    let root: Node;
    try {
      root = await readAtom(repaired, prefixes);
    } catch (error) {
      throw asParseError(error, "the Atom feed");
    }
    return atomFeedOf(root, rootAttrs);
  }

  let output: RawOutput;
  try {
    output = await newParser(prefixes).parseString(
      ensureChannel(repaired, prolog.root?.name ?? rootName, format),
    );
  } catch (error) {
    // rss-parser indexing into an element the document lacks (namespaced RSS 1.0…) throws a
    // TypeError, which asParseError reports without its text.
    const parseError = asParseError(error, `the ${format === "rss" ? "RSS" : "RSS 1.0"} feed`);
    if (/Feed not recognized/i.test(parseError.message)) {
      throw new FeedParseError("not-a-feed", parseError.message, { cause: error });
    }
    throw parseError;
  }

  const items = Array.isArray(output.items) ? output.items : [];
  return {
    format,
    title: firstText(raw(output, "title")) ?? firstText(raw(output, "dc:title")),
    titleType: "html",
    link: firstText(raw(output, "link")),
    base: feedBase(rootAttrs["xml:base"], ownAttr(output, "xml:base")),
    language:
      firstText(raw(output, "language")) ??
      firstText(raw(output, "dc:language")) ??
      ownAttr(output, "xml:lang") ??
      rootAttrs["xml:lang"],
    updated:
      firstText(raw(output, "lastBuildDate")) ??
      firstText(raw(output, "pubDate")) ??
      firstText(raw(output, "dc:date")),
    ...pollHintsOf(output),
    items: itemsOf(items, rssItemOf),
  };
}
