// What a feed page is rendered from (`FeedContext`) and what the format writers lay out
// (`FeedView`, `EntryView`): shared by render and the RSS, Atom and JSON writers, in a module of
// its own so the writers and the renderer that dispatches to them do not import each other.
import type { FeedFormat } from "./types.js";

export interface SourceInfo {
  title: string;
  /** As configured (it may carry credentials); entries show its public form, never this. */
  url: string;
  /** The source's configured `publicUrl`, shown instead of `url` when set. */
  publicUrl?: string;
  homepage?: string;
}

export interface FeedContext {
  format: FeedFormat;
  category: { id: string; title: string; description: string };
  /** `baseUrl` is absolute, without a trailing slash. */
  service: { title: string; baseUrl: string };
  /** Absolute URL of this page of this feed. */
  selfUrl: string;
  /** The HTML page the feed is an alternate of. */
  htmlUrl: string;
  /** WebSub hubs the feed names (`rel="hub"`, JSON Feed `hubs`); empty: none. */
  hubs?: readonly string[];
  /** RFC 5005 paging links, absolute. */
  links: { first: string; next?: string; previous?: string };
  /** The partner each entry came from, by `Update.sourceId`. */
  sources: ReadonlyMap<string, SourceInfo>;
  /** Titles for the Tributary category ids on entries; ids without one are shown as the id. */
  categories?: ReadonlyMap<string, { title: string }>;
  language?: string;
}

/** One entry with every string cleaned and every URL checked. */
export interface EntryView {
  /**
   * `urn:tributary:<id>`: the same id in every format, absolute as Atom requires. The id is
   * `Update.story.id` when the entry stands for a story (merged feeds), else `Update.id`, so the
   * id stays when a second partner joins the story.
   */
  id: string;
  title: string;
  link?: string;
  /** Plain text. */
  summary: string;
  contentHtml?: string;
  published: Date;
  updated: Date;
  authors: { name: string; email?: string; url?: string }[];
  /** The partner's own categories, deduplicated, non-empty. */
  tags: string[];
  /** Tributary categories (the pseudo-category "all" excluded). */
  categories: { id: string; title: string }[];
  image?: { url: string; type?: string };
  enclosures: { url: string; type: string; length?: number }[];
  language?: string;
  source: {
    id: string;
    title: string;
    url?: string;
    homepage?: string;
    /** The partner feed's own id and last change, as read with this entry (Update.sourceFeed). */
    feedId?: string;
    feedUpdated?: Date;
  };
  /**
   * The other partners' copies of the same story (`Update.story`), earliest first, this entry's
   * own copy excluded; copies whose partner is no longer configured are left out. Empty when the
   * entry has no story or no other copy.
   */
  alsoPublishedBy: CopyView[];
}

/** One other partner's copy of a story, cleaned like the entry itself. */
export interface CopyView {
  /** The partner (`StoryCopy.sourceId`). */
  sourceId: string;
  /** The partner's configured title. */
  title: string;
  /** The partner feed's public URL, as `EntryView.source.url`. */
  url?: string;
  homepage?: string;
  /** The partner's article. */
  link?: string;
  published: Date;
}

export interface FeedView {
  /** Identity of the feed across its pages: the `first` link (no cursor). */
  id: string;
  title: string;
  description: string;
  language?: string;
  selfUrl: string;
  htmlUrl: string;
  /** WebSub hubs, absolute http(s) URLs; empty when the feed names none. */
  hubs: string[];
  links: { first: string; next?: string; previous?: string };
  /** Newest `updated` of the entries; epoch 0 for an empty page, so its bytes never change. */
  updated: Date;
  /** Identifies the Tributary category taxonomy (RSS `domain`, Atom `scheme`). */
  categoryScheme: string;
  entries: EntryView[];
}
