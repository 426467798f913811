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
  /**
   * The partner's own id for the entry (RSS `<guid>`, Atom `<id>`, JSON Feed `id`), as given:
   * two partners carrying one story under the same globally unique id (a URL, `tag:`, `urn:`)
   * are matched by it (story-keys.ts).
   */
  guid?: string;
  /**
   * Set by the store on entries of a merged listing (a category or `all`, not `?source=`) that
   * belong to a story carried by several partners, or whose story was first published under
   * another entry's id. Never stored with the entry.
   */
  story?: StoryInfo;
}

/** One partner's copy of a story, as a merged feed names it (provenance). */
export interface StoryCopy {
  /** The copy's own entry id (its id in that partner's `?source=` feed). */
  id: string;
  sourceId: string;
  link?: string;
  /** ISO 8601 UTC. */
  published: string;
  title: string;
}

/** A story several partners published (issue: one entry per story). */
export interface StoryInfo {
  /**
   * The id merged feeds publish the story under: its first stored copy's id, kept when other
   * partners join it later or that copy goes, so readers never see the story again as new.
   */
  id: string;
  /**
   * Every copy, the listed entry's included, earliest publication first: the listed entry is
   * the first of them (the story is shown under its earliest publication).
   */
  copies: StoryCopy[];
}
