// RSS 0.9x / 2.0 items and RSS 1.0 (RDF) items → ParsedItem, from the raw element arrays
// rss-parser kept for us. RSS text elements carry HTML by custom (escaped or in CDATA).
import type { ParsedAuthor, ParsedEnclosure, ParsedItem, ParsedLink } from "./types.js";
import {
  attrOf,
  categoryOf,
  enclosureOf,
  firstText,
  imageOf,
  type Node,
  nonEmptyText,
  ownAttr,
  raw,
  rssPersonOf,
  textConstruct,
} from "./xml-nodes.js";

function linksOf(item: Node): ParsedLink[] {
  const links: ParsedLink[] = [];
  for (const node of raw(item, "link")) {
    const href = nonEmptyText(node) ?? attrOf(node, "href");
    if (href !== undefined) links.push({ href, base: attrOf(node, "xml:base") });
  }
  // Some RSS feeds carry only an atom:link for the entry.
  for (const node of raw(item, "atom:link")) {
    const href = attrOf(node, "href");
    const rel = attrOf(node, "rel") ?? "alternate";
    if (href !== undefined && rel === "alternate") links.push({ href, rel });
  }
  return links;
}

function authorsOf(item: Node): ParsedAuthor[] {
  const authors: ParsedAuthor[] = [];
  for (const node of raw(item, "author")) {
    const text = nonEmptyText(node);
    if (text !== undefined) authors.push(rssPersonOf(text));
  }
  // Dublin Core names may carry an address too ("Jane Doe (jane@example.org)").
  for (const name of ["dc:creator", "dc:author"]) {
    for (const node of raw(item, name)) {
      const text = nonEmptyText(node);
      if (text !== undefined) authors.push(rssPersonOf(text));
    }
  }
  for (const node of raw(item, "itunes:author")) {
    const text = nonEmptyText(node);
    if (text !== undefined) authors.push({ name: text });
  }
  return authors;
}

export function rssItemOf(item: Node): ParsedItem {
  const guidNode = raw(item, "guid")[0];
  const enclosures = raw(item, "enclosure")
    .map((node) => enclosureOf(node, "url"))
    .filter((e): e is ParsedEnclosure => e !== undefined);
  const parsed: ParsedItem = {
    guid: nonEmptyText(guidNode) ?? ownAttr(item, "rdf:about"),
    guidIsPermaLink:
      guidNode === undefined
        ? undefined
        : attrOf(guidNode, "isPermaLink")?.toLowerCase() !== "false",
    title: textConstruct(raw(item, "title")[0] ?? raw(item, "dc:title")[0], "html"),
    links: linksOf(item),
    base: ownAttr(item, "xml:base"),
    published:
      firstText(raw(item, "pubDate")) ??
      firstText(raw(item, "dc:date")) ??
      firstText(raw(item, "dcterms:issued")) ??
      firstText(raw(item, "dcterms:created")) ??
      firstText(raw(item, "atom:published")),
    updated: firstText(raw(item, "dcterms:modified")) ?? firstText(raw(item, "atom:updated")),
    summary: textConstruct(raw(item, "description")[0] ?? raw(item, "dc:description")[0], "html"),
    // content:encoded, else an XHTML <body> (RSS 2.0's documented way to carry XHTML).
    content: textConstruct(
      raw(item, "content:encoded")[0] ?? raw(item, "xhtml:body")[0] ?? raw(item, "body")[0],
      "html",
    ),
    authors: authorsOf(item),
    categories: [...raw(item, "category"), ...raw(item, "dc:subject")]
      .map(categoryOf)
      .filter((c): c is string => c !== undefined),
    enclosures,
    image: imageOf(item, enclosures),
    language: ownAttr(item, "xml:lang") ?? firstText(raw(item, "dc:language")),
  };
  // rdf:about doubles as the permalink of RSS 1.0 items; a plain guid is not a permalink then.
  if (parsed.guid !== undefined && guidNode === undefined) parsed.guidIsPermaLink = false;
  return parsed;
}
