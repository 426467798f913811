// JSON Feed 1.1 (https://jsonfeed.org/version/1.1) as a plain object. feed@6's json1() writes
// version 1 (single `author`, no `language`, summary only beside content), hence our own.
import type { EntryView, FeedView } from "./view.js";

export const JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1";

export interface JsonFeedAuthor {
  name: string;
  url?: string;
}

export interface JsonFeedItem {
  id: string;
  url?: string;
  title?: string;
  summary?: string;
  content_html?: string;
  content_text?: string;
  image?: string;
  date_published: string;
  date_modified: string;
  authors?: JsonFeedAuthor[];
  tags?: string[];
  language?: string;
  attachments?: { url: string; mime_type: string; size_in_bytes?: number }[];
  /** Extension (keys starting with "_" are reserved for them by the spec). */
  _tributary: { source: JsonFeedSource; sources?: JsonFeedCopy[] };
}

export interface JsonFeedSource {
  id: string;
  title: string;
  url?: string;
}

/** One partner's copy of the story (provenance); `url` is the partner's feed, `link` its article. */
export interface JsonFeedCopy extends JsonFeedSource {
  link?: string;
  published: string;
}

export interface JsonFeed {
  version: typeof JSON_FEED_VERSION;
  title: string;
  home_page_url: string;
  feed_url: string;
  description?: string;
  next_url?: string;
  /** WebSub hubs (JSON Feed 1.1 `hubs`): `type` names the protocol. */
  hubs?: { type: string; url: string }[];
  language?: string;
  items: JsonFeedItem[];
}

export function renderJsonFeed(view: FeedView): string {
  return JSON.stringify(jsonFeed(view));
}

export function jsonFeed(view: FeedView): JsonFeed {
  return {
    version: JSON_FEED_VERSION,
    title: view.title,
    home_page_url: view.htmlUrl,
    // "serves as the unique identifier for the feed": the first page, as Atom's id; with a hub,
    // the topic URL the hub is pinged with (the same but for a non-default `limit`).
    feed_url: view.hubs.length > 0 ? view.selfUrl : view.id,
    description: view.description === "" ? undefined : view.description,
    next_url: view.links.next,
    hubs: view.hubs.length > 0 ? view.hubs.map((url) => ({ type: "WebSub", url })) : undefined,
    language: view.language,
    items: view.entries.map(jsonItem),
  };
}

function jsonItem(entry: EntryView): JsonFeedItem {
  const tags = [...new Set([...entry.tags, ...entry.categories.map((category) => category.title)])];
  return {
    id: entry.id,
    url: entry.link,
    title: entry.title === "" ? undefined : entry.title,
    summary: entry.summary === "" ? undefined : entry.summary,
    // One of content_html / content_text is required.
    ...(entry.contentHtml === undefined
      ? { content_text: entry.summary }
      : { content_html: entry.contentHtml }),
    image: entry.image?.url,
    date_published: entry.published.toISOString(),
    date_modified: entry.updated.toISOString(),
    authors:
      entry.authors.length === 0
        ? undefined
        : entry.authors.map((author) => ({
            name: author.name,
            // JSON Feed authors have no email; the spec allows a mailto: url.
            url:
              author.url ??
              (author.email === undefined ? undefined : `mailto:${encodeURI(author.email)}`),
          })),
    tags: tags.length === 0 ? undefined : tags,
    language: entry.language,
    attachments:
      entry.enclosures.length === 0
        ? undefined
        : entry.enclosures.map((enclosure) => ({
            url: enclosure.url,
            mime_type: enclosure.type,
            size_in_bytes: enclosure.length,
          })),
    _tributary: {
      source: { id: entry.source.id, title: entry.source.title, url: entry.source.url },
      sources: entry.alsoPublishedBy.length === 0 ? undefined : storySources(entry),
    },
  };
}

/** Every partner that carried the story, this entry's own first (it is the earliest). */
function storySources(entry: EntryView): JsonFeedCopy[] {
  return [
    {
      id: entry.source.id,
      title: entry.source.title,
      url: entry.source.url,
      link: entry.link,
      published: entry.published.toISOString(),
    },
    ...entry.alsoPublishedBy.map((copy) => ({
      id: copy.sourceId,
      title: copy.title,
      url: copy.url,
      link: copy.link,
      published: copy.published.toISOString(),
    })),
  ];
}
