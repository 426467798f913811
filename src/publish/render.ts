// Update[] + context → the text of one feed page. This module cleans the inputs once into a
// FeedView (safe strings, valid URLs, parsed dates) and dispatches on the format; the format
// modules only lay the view out. Nothing here reads a clock, so identical inputs give
// identical bytes.
import { ALL } from "../model/category.js";
import { publicSourceUrl } from "../model/public-url.js";
import type { StoryCopy, Update } from "../model/update.js";
import { httpUrl, xmlSafeText } from "./clean.js";
import { renderJsonFeed } from "./json-feed.js";
import type { CopyView, EntryView, FeedContext, FeedView } from "./view.js";
import { renderAtom, renderRss } from "./xml-feeds.js";

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
    title: xmlSafeText(`${ctx.category.title} — ${ctx.service.title}`),
    description: xmlSafeText(ctx.category.description),
    language: optionalText(ctx.language),
    selfUrl: requiredUrl(ctx.selfUrl, "selfUrl"),
    htmlUrl: requiredUrl(ctx.htmlUrl, "htmlUrl"),
    hubs: (ctx.hubs ?? []).flatMap((hub) => httpUrl(hub) ?? []),
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
  return storedDate(update.updated) ?? storedDate(update.published) ?? EMPTY_FEED_DATE;
}

function entryView(ctx: FeedContext, update: Update): EntryView {
  const updated = entryUpdated(update);
  const published = storedDate(update.published) ?? updated;
  const source = ctx.sources.get(update.sourceId);
  const contentHtml = optionalText(update.contentHtml);
  const imageUrl = httpUrl(update.image?.url);
  return {
    id: publishedEntryId(update),
    title: xmlSafeText(update.title),
    link: httpUrl(update.link),
    summary: xmlSafeText(update.summary),
    contentHtml,
    published,
    updated,
    authors: update.authors.flatMap((author) => {
      const name = xmlSafeText(author.name).trim();
      if (name === "") return [];
      return [{ name, email: optionalText(author.email), url: httpUrl(author.url) }];
    }),
    tags: unique(update.tags.map((tag) => xmlSafeText(tag).trim()).filter((tag) => tag !== "")),
    categories: unique(update.categories)
      .filter((id) => id !== ALL)
      .map((id) => ({
        id: xmlSafeText(id),
        title: xmlSafeText(ctx.categories?.get(id)?.title ?? id),
      })),
    image: imageUrl ? { url: imageUrl, type: optionalText(update.image?.type) } : undefined,
    enclosures: update.enclosures.flatMap((enclosure) => {
      const url = httpUrl(enclosure.url);
      if (url === undefined) return [];
      const type = xmlSafeText(enclosure.type).trim() || "application/octet-stream";
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
      id: xmlSafeText(update.sourceId),
      title: xmlSafeText(source?.title ?? update.sourceId),
      // The one place every format takes a source's URL from: RSS <source url>, Atom <source>,
      // JSON Feed `_tributary`.
      url: httpUrl(source === undefined ? undefined : publicSourceUrl(source)),
      homepage: httpUrl(source?.homepage),
      feedId: optionalText(update.sourceFeed?.id),
      feedUpdated: storedDate(update.sourceFeed?.updated),
    },
    alsoPublishedBy: otherCopies(ctx, update),
  };
}

/**
 * The id an entry is published under: its story's (the first stored copy's id, kept when other
 * partners join, so readers do not see the story again as new), else its own.
 */
export function publishedEntryId(update: Update): string {
  return `${ENTRY_ID_PREFIX}${encodeURIComponent(update.story?.id ?? update.id)}`;
}

/** The story's copies other than this entry, for partners still configured (a partner that left takes its provenance with it). */
function otherCopies(ctx: FeedContext, update: Update): CopyView[] {
  const copies = update.story?.copies ?? [];
  return copies
    .filter((copy) => copy.id !== update.id)
    .flatMap((copy): CopyView[] => {
      const view = copyView(ctx, copy);
      return view === undefined ? [] : [view];
    })
    .sort((a, b) => a.published.getTime() - b.published.getTime());
}

function copyView(ctx: FeedContext, copy: StoryCopy): CopyView | undefined {
  const source = ctx.sources.get(copy.sourceId);
  if (source === undefined) return undefined;
  return {
    sourceId: xmlSafeText(copy.sourceId),
    title: xmlSafeText(source.title),
    url: httpUrl(publicSourceUrl(source)),
    homepage: httpUrl(source.homepage),
    link: httpUrl(copy.link),
    published: storedDate(copy.published) ?? EMPTY_FEED_DATE,
  };
}

function storedDate(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function optionalText(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const text = xmlSafeText(value).trim();
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
