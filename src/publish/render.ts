// Update[] + context → the text of one feed page. This module cleans the inputs once into a
// FeedView (safe strings, valid URLs, parsed dates) and dispatches on the format; the format
// modules only lay the view out. Nothing here reads a clock, so identical inputs give
// identical bytes.
import { publicSourceUrl } from "../model/public-url.js";
import type { Update } from "../model/update.js";
import { cleanText, httpUrl } from "./clean.js";
import { renderJsonFeed } from "./json-feed.js";
import type { FeedFormat } from "./types.js";
import { renderAtom, renderRss } from "./xml-feeds.js";

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
  /** `urn:tributary:<Update.id>`: the same id in every format, absolute as Atom requires. */
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
}

export interface FeedView {
  /** Identity of the feed across its pages: the `first` link (no cursor). */
  id: string;
  title: string;
  description: string;
  language?: string;
  selfUrl: string;
  htmlUrl: string;
  links: { first: string; next?: string; previous?: string };
  /** Newest `updated` of the entries; epoch 0 for an empty page, so its bytes never change. */
  updated: Date;
  /** Identifies the Tributary category taxonomy (RSS `domain`, Atom `scheme`). */
  categoryScheme: string;
  entries: EntryView[];
}

export const EMPTY_FEED_DATE = new Date(0);

/** Prefix of every published entry id. */
export const ENTRY_ID_PREFIX = "urn:tributary:";

export function renderFeed(ctx: FeedContext, updates: Update[]): string {
  const view = buildView(ctx, updates);
  switch (ctx.format) {
    case "rss":
      return renderRss(view);
    case "atom":
      return renderAtom(view);
    case "json":
      return renderJsonFeed(view);
  }
}

export function buildView(ctx: FeedContext, updates: Update[]): FeedView {
  const entries = updates.map((update) => entryView(ctx, update));
  return {
    id: requiredUrl(ctx.links.first, "links.first"),
    title: cleanText(`${ctx.category.title} — ${ctx.service.title}`),
    description: cleanText(ctx.category.description),
    language: optionalText(ctx.language),
    selfUrl: requiredUrl(ctx.selfUrl, "selfUrl"),
    htmlUrl: requiredUrl(ctx.htmlUrl, "htmlUrl"),
    links: {
      first: requiredUrl(ctx.links.first, "links.first"),
      next: httpUrl(ctx.links.next),
      previous: httpUrl(ctx.links.previous),
    },
    updated: newest(entries.map((entry) => entry.updated)),
    categoryScheme: `${requiredUrl(ctx.service.baseUrl, "service.baseUrl").replace(/\/$/, "")}/api/categories`,
    entries,
  };
}

/** Newest of the dates, or epoch 0 when there are none (never "now": bytes must be stable). */
export function newest(dates: Date[]): Date {
  let max = EMPTY_FEED_DATE.getTime();
  for (const date of dates) max = Math.max(max, date.getTime());
  return new Date(max);
}

/** The feed's `updated` for these entries (what the publisher uses as Last-Modified). */
export function lastUpdated(updates: Update[]): Date {
  return newest(updates.map(entryUpdated));
}

function entryUpdated(update: Update): Date {
  return parseDate(update.updated) ?? parseDate(update.published) ?? EMPTY_FEED_DATE;
}

function entryView(ctx: FeedContext, update: Update): EntryView {
  const updated = entryUpdated(update);
  const published = parseDate(update.published) ?? updated;
  const source = ctx.sources.get(update.sourceId);
  const contentHtml = optionalText(update.contentHtml);
  const imageUrl = httpUrl(update.image?.url);
  return {
    id: `${ENTRY_ID_PREFIX}${encodeURIComponent(update.id)}`,
    title: cleanText(update.title),
    link: httpUrl(update.link),
    summary: cleanText(update.summary),
    contentHtml,
    published,
    updated,
    authors: update.authors.flatMap((author) => {
      const name = cleanText(author.name).trim();
      if (name === "") return [];
      return [{ name, email: optionalText(author.email), url: httpUrl(author.url) }];
    }),
    tags: unique(update.tags.map((tag) => cleanText(tag).trim()).filter((tag) => tag !== "")),
    categories: unique(update.categories)
      .filter((id) => id !== "all")
      .map((id) => ({ id: cleanText(id), title: cleanText(ctx.categories?.get(id)?.title ?? id) })),
    image: imageUrl ? { url: imageUrl, type: optionalText(update.image?.type) } : undefined,
    enclosures: update.enclosures.flatMap((enclosure) => {
      const url = httpUrl(enclosure.url);
      if (url === undefined) return [];
      const type = cleanText(enclosure.type).trim() || "application/octet-stream";
      const length =
        enclosure.length !== undefined &&
        Number.isSafeInteger(enclosure.length) &&
        enclosure.length >= 0
          ? enclosure.length
          : undefined;
      return [{ url, type, length }];
    }),
    language: optionalText(update.language),
    source: {
      id: cleanText(update.sourceId),
      title: cleanText(source?.title ?? update.sourceId),
      // The one place every format takes a source's URL from: RSS <source url>, Atom <source>,
      // JSON Feed `_tributary`.
      url: httpUrl(source === undefined ? undefined : publicSourceUrl(source)),
      homepage: httpUrl(source?.homepage),
      feedId: optionalText(update.sourceFeed?.id),
      feedUpdated: parseDate(update.sourceFeed?.updated),
    },
  };
}

function parseDate(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function optionalText(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const text = cleanText(value).trim();
  return text === "" ? undefined : text;
}

function requiredUrl(value: string, name: string): string {
  const url = httpUrl(value);
  if (url === undefined)
    throw new TypeError(`FeedContext.${name} is not an absolute http(s) URL: ${value}`);
  return url;
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}
