// Atom 1.0 (and 0.3) entries → ParsedItem, from xml2js elements in the raw-array shape the RSS
// mapping reads too (asRawItem in xml-nodes.ts).
import type { ParsedEnclosure, ParsedItem, ParsedLink } from "./types.js";
import {
  attrOf,
  categoryOf,
  enclosureOf,
  firstText,
  imageOf,
  type Node,
  nonEmptyText,
  ownAttr,
  personOf,
  raw,
  textConstruct,
} from "./xml-nodes.js";

/** Alternate links first (text/html before other types), then links without a known rel. */
export function atomLinksOf(links: Node[]): ParsedLink[] {
  const alternates: ParsedLink[] = [];
  for (const node of links) {
    // Some generators write the URL as the element's text instead of in `href`.
    const href = attrOf(node, "href") ?? nonEmptyText(node);
    const rel = attrOf(node, "rel") ?? "alternate";
    if (href === undefined || rel !== "alternate") continue;
    const type = attrOf(node, "type");
    alternates.push({ href, rel, type, base: attrOf(node, "xml:base") });
  }
  const html = (l: ParsedLink): number => (l.type === undefined || /html/i.test(l.type) ? 0 : 1);
  return alternates.sort((a, b) => html(a) - html(b));
}

export function atomEntryOf(entry: Node): ParsedItem {
  const summary = textConstruct(raw(entry, "summary")[0], "text");
  const links = raw(entry, "link");
  const enclosures = links
    .filter((node) => attrOf(node, "rel") === "enclosure")
    .map((node) => enclosureOf(node, "href"))
    .filter((e): e is ParsedEnclosure => e !== undefined);
  return {
    guid: firstText(raw(entry, "id")),
    title: textConstruct(raw(entry, "title")[0], "text"),
    links: atomLinksOf(links),
    base: ownAttr(entry, "xml:base"),
    // Atom 0.3 called them issued/created and modified.
    published:
      firstText(raw(entry, "published")) ??
      firstText(raw(entry, "issued")) ??
      firstText(raw(entry, "created")),
    updated: firstText(raw(entry, "updated")) ?? firstText(raw(entry, "modified")),
    summary,
    // Without content (or with only out-of-line content), an HTML summary is the entry's body as
    // the partner marked it up: its links and emphasis are kept rather than flattened to text.
    content:
      textConstruct(raw(entry, "content")[0], "text") ??
      (summary?.type === "html" ? summary : undefined),
    authors: [...raw(entry, "author"), ...raw(entry, "dc:creator")].map((node) =>
      typeof node === "string" ? { name: node } : personOf(node),
    ),
    categories: [...raw(entry, "category"), ...raw(entry, "dc:subject")]
      .map(categoryOf)
      .filter((c): c is string => c !== undefined),
    enclosures,
    image: imageOf(entry, enclosures),
    language: ownAttr(entry, "xml:lang"),
  };
}

/** Atom feed-level authors (entries without their own inherit them, RFC 4287 §4.2.1). */
export const atomFeedAuthorsOf = (feed: Node): ReturnType<typeof personOf>[] =>
  raw(feed, "author").map(personOf);
