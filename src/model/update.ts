/** The one normalised entry model that every partner format is mapped to (see DESIGN.md). */
export interface Author {
  name: string;
  email?: string;
  url?: string;
}

export interface Enclosure {
  url: string;
  type: string;
  length?: number;
}

export interface Update {
  /** Stable across polls and instances: hash of source id + guid, else canonical link, else title+date. */
  id: string;
  sourceId: string;
  /** Plain text, entities decoded, whitespace collapsed. */
  title: string;
  /** Absolute http(s) URL; absent when the partner gave none (never invented). */
  link?: string;
  /** Plain text, at most ~300 characters, cut at a word boundary with "…". */
  summary: string;
  /** Sanitised HTML (allow-list), relative URLs made absolute. */
  contentHtml?: string;
  /** ISO 8601 UTC. */
  published: string;
  /** ISO 8601 UTC. */
  updated: string;
  authors: Author[];
  /** Tributary category ids, from the source's config. */
  categories: string[];
  /** The partner's own categories, as text. */
  tags: string[];
  image?: { url: string; type?: string };
  enclosures: Enclosure[];
  language?: string;
  /**
   * The partner's feed as it described itself when this entry was read (republished in Atom
   * `<source>`, RFC 4287 §4.2.11): its own id (an absolute IRI) and when it last changed
   * (ISO 8601 UTC). Absent when the feed declared neither.
   */
  sourceFeed?: { id?: string; updated?: string };
}
