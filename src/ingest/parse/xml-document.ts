// The element tree of a repaired XML feed, and where its channel and entries are. The tree is
// xml2js's shape (xml-nodes.ts reads it); the fast reader (xml-tree.ts) builds it for the
// documents it fully understands and xml2js itself for the rest, so what sax rejects is still
// rejected with sax's message. Which channel and items an RSS document has is decided as
// rss-parser decided it when it parsed our RSS, so feeds read as they did then.
import { Parser as XmlParser } from "xml2js";
import { FeedParseError } from "./errors.js";
import type { Node } from "./xml-nodes.js";
import { readXmlDocument, UNREAD } from "./xml-tree.js";

/** `{ [root element name]: its value }`, as xml2js's parseString gives it; null for no root. */
export async function readDocument(
  text: string,
  rename: (name: string) => string,
): Promise<Record<string, Node> | null> {
  const fast = readXmlDocument(text, rename);
  if (fast !== UNREAD) return fast;
  // A parser per document: xml2js parsers keep state, and after an error they are not reusable.
  const parser = new XmlParser({ tagNameProcessors: [rename] });
  return ((await parser.parseStringPromise(text)) as Record<string, Node> | null) ?? null;
}

export interface RssParts {
  channel: Node;
  items: Node[];
}

const field = (node: Node, name: string): unknown =>
  typeof node === "object" && node !== null ? (node as Record<string, unknown>)[name] : undefined;

/**
 * The channel and items of an RSS (`rss`: the channel's items) or RSS 1.0 (`rdf:RDF`: the
 * root's items) document. A root that is empty is not recognised as a feed; one without a
 * channel cannot be read.
 */
export function rssPartsOf(doc: Record<string, Node> | null, format: "rss" | "rdf"): RssParts {
  if (doc === null) throw new FeedParseError("parse-error", "Unable to parse XML.");
  const what = format === "rss" ? "the RSS feed" : "the RSS 1.0 feed";
  const unreadable = () =>
    new FeedParseError("parse-error", `could not read ${what}: malformed element`);
  const rss = doc.rss;
  const rdf = doc["rdf:RDF"];
  // Truthiness as rss-parser tested it: an empty root element is "".
  const root = rss ? rss : rdf;
  if (!root) throw new FeedParseError("not-a-feed", "Feed not recognized as RSS 1 or 2.");
  const channels = field(root, "channel");
  if (!Array.isArray(channels)) throw unreadable();
  const channel: Node = channels[0];
  const items = field(rss ? channel : root, "item");
  return { channel, items: Array.isArray(items) ? items : [] };
}
