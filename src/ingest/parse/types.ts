// The format-neutral parsed feed every format's mapping produces and normalise reads: values
// raw-ish (markup, entities, relative URLs, date strings). In a module of its own so the
// format modules and the parser that dispatches to them do not import each other.
import type { FeedPollHints } from "../../model/source.js";
import type { WebSubLinks } from "../../model/websub.js";

/** Text as the partner wrote it: `html` is markup (escaped or not), `text` is literal. */
export interface ParsedText {
  value: string;
  type: "text" | "html";
  /** `xml:base` on the element itself, if any (resolved against the entry's base later). */
  base?: string;
}

export interface ParsedLink {
  href: string;
  rel?: string;
  type?: string;
  /** `xml:base` on the link element itself. */
  base?: string;
}

export interface ParsedAuthor {
  name?: string;
  email?: string;
  url?: string;
}

export interface ParsedEnclosure {
  url: string;
  type?: string;
  /** As written; normalise keeps it only when numeric. */
  length?: string;
}

export interface ParsedImage {
  url: string;
  type?: string;
}

export interface ParsedItem {
  /** RSS guid, Atom id, JSON Feed id, RDF rdf:about. */
  guid?: string;
  /** RSS `isPermaLink` (default true): the guid is also the entry's URL. */
  guidIsPermaLink?: boolean;
  title?: ParsedText;
  /** Page links, best first (Atom alternates before other rels). */
  links: ParsedLink[];
  /** The entry element's own `xml:base`; the base in effect is this resolved against the feed's. */
  base?: string;
  published?: string;
  updated?: string;
  /** RSS description, Atom summary, JSON Feed summary. */
  summary?: ParsedText;
  /** content:encoded, Atom content, JSON Feed content_html / content_text. */
  content?: ParsedText;
  /** Every author/creator the entry names, in document order. */
  authors: ParsedAuthor[];
  /** Every category, as text (RSS category, dc:subject, Atom label or term, JSON tags). */
  categories: string[];
  /** Every enclosure (rss-parser keeps only the first; we read them all). */
  enclosures: ParsedEnclosure[];
  /** The best image: media:thumbnail, media:content image, enclosure image, itunes:image, JSON image. */
  image?: ParsedImage;
  language?: string;
  /** Set when the entry could not be read at all; normalise drops it with this reason. */
  problem?: string;
}

export interface ParsedFeed {
  format: "rss" | "rdf" | "atom" | "json";
  /** Raw title (markup possible in RSS and Atom `type="html"`). */
  title?: string;
  titleType?: "text" | "html";
  /** The site link the feed declares (RSS channel link, Atom alternate, JSON home_page_url). */
  link?: string;
  /** `xml:base` of the feed element (root, then RSS channel). */
  base?: string;
  language?: string;
  /** Feed-level authors, which Atom and JSON Feed entries inherit when they name none. */
  authors?: ParsedAuthor[];
  /** The feed's own identifier (Atom `id`), as written. */
  id?: string;
  /** When the feed says it last changed (Atom `updated`, RSS `lastBuildDate`/`pubDate`), raw. */
  updated?: string;
  /** How often the feed asks to be polled (RSS `<ttl>`, `sy:updatePeriod`/`sy:updateFrequency`). */
  pollHints?: FeedPollHints;
  /** The WebSub hub and self links the document declares (`atom:link`, JSON Feed `hubs`). */
  websub?: WebSubLinks;
  items: ParsedItem[];
}
