// XML feeds: RSS 0.9x/1.0/2.0, RDF and Atom. After the repairs (repair.ts) the document becomes
// an element tree (xml-document.ts: a fast reader for well-formed feeds, xml2js for the rest),
// and the mappings (rss.ts, atom.ts) read it through the accessors of xml-nodes.ts. rss-parser
// used to sit in the middle for RSS; its mapping keeps only the first enclosure and author,
// drops xml:base and attributes, has traps (a quadratic `contentSnippet` regex, recursive
// rebuilding of element content, a TypeError for one `<link/>` without `href` in Atom), and
// walked a tree built only to be walked again, so only its choice of channel and items is kept.
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
import { readDocument, rssPartsOf } from "./xml-document.js";
import {
  asRawItem,
  attrOf,
  firstText,
  type Node,
  ownAttr,
  raw,
  textConstruct,
} from "./xml-nodes.js";

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
    ...webSubLinksOf(raw(feed, "link")),
    items: itemsOf(
      raw(feed, "entry").map((entry) => asRawItem(entry)),
      atomEntryOf,
    ),
  };
}

/** Hubs are few; a document listing thousands is not worth reading them all from. */
const MAX_HUB_LINKS = 8;

/**
 * `<link rel="hub">` / `rel="self"` among `links` (Atom's own links, or RSS's `atom:link`);
 * absent when the document names no hub.
 */
function webSubLinksOf(links: Node[]): Pick<ParsedFeed, "websub"> {
  const hubs: string[] = [];
  let self: string | undefined;
  for (const node of links) {
    const href = attrOf(node, "href");
    const rels = (attrOf(node, "rel") ?? "").toLowerCase().split(/\s+/);
    if (href === undefined) continue;
    if (rels.includes("hub") && hubs.length < MAX_HUB_LINKS) hubs.push(href);
    if (rels.includes("self")) self ??= href;
  }
  if (hubs.length === 0) return {};
  return { websub: self === undefined ? { hubs } : { hubs, self } };
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
  const rename = (name: string): string => localName(name, prefixes);
  if (format === "atom") {
    let doc: Record<string, Node> | null;
    try {
      doc = await readDocument(repaired, rename);
    } catch (error) {
      throw asParseError(error, "the Atom feed");
    }
    if (doc === null) {
      throw new FeedParseError("parse-error", "no root element found: the XML is malformed");
    }
    return atomFeedOf(doc.feed, rootAttrs);
  }

  let doc: Record<string, Node> | null;
  try {
    doc = await readDocument(
      ensureChannel(repaired, prolog.root?.name ?? rootName, format),
      rename,
    );
  } catch (error) {
    throw asParseError(error, `the ${format === "rss" ? "RSS" : "RSS 1.0"} feed`);
  }
  const { channel: channelNode, items } = rssPartsOf(doc, format);
  // The channel in the raw-item shape the accessors read (asRawItem in xml-nodes.ts).
  const channel = asRawItem(channelNode);
  return {
    format,
    title: firstText(raw(channel, "title")) ?? firstText(raw(channel, "dc:title")),
    titleType: "html",
    link: firstText(raw(channel, "link")),
    base: feedBase(rootAttrs["xml:base"], ownAttr(channel, "xml:base")),
    language:
      firstText(raw(channel, "language")) ??
      firstText(raw(channel, "dc:language")) ??
      ownAttr(channel, "xml:lang") ??
      rootAttrs["xml:lang"],
    updated:
      firstText(raw(channel, "lastBuildDate")) ??
      firstText(raw(channel, "pubDate")) ??
      firstText(raw(channel, "dc:date")),
    ...pollHintsOf(channel),
    ...webSubLinksOf([...raw(channel, "atom:link"), ...raw(channel, "link")]),
    items: itemsOf(items, (item) => rssItemOf(asRawItem(item))),
  };
}
