// ParsedFeed → Update[]: the pure mapping every format goes through (ids, dates, absolute
// URLs, plain-text titles and summaries, sanitised content, categories). No IO and no clock:
// `now` is passed in, so the same input always gives the same output.

import { escapeDoubleQuoted } from "../../model/escape.js";
import { canonicalLanguage } from "../../model/language.js";
import type { Author, Enclosure, Update } from "../../model/update.js";
import { applyBase, isAbsoluteWebUrl, resolveWebUrl } from "../../model/urls.js";
import { MALFORMED_ENTRY } from "../parse/errors.js";
import type { ParsedAuthor, ParsedFeed, ParsedItem, ParsedText } from "../parse/types.js";
import { parseDate } from "./dates.js";
import { detectLanguage } from "./detect-language.js";
import { entryId } from "./ids.js";
import { sanitiseHtml } from "./sanitise.js";
import {
  cleanTitle,
  htmlToText,
  singleLineText,
  summarise,
  TEXT_LIMIT,
  titleFromText,
  toPlainText,
} from "./text.js";

export interface NormaliseSource {
  id: string;
  /** Tributary category ids from the source's config. */
  categories: string[];
  /** The URL the feed was fetched from, after redirects: the base of last resort. */
  feedUrl: string;
  /**
   * The response's HTTP Content-Language. Only a single tag says what the entries are in: a
   * list (`en, fr`) names the audiences of the whole document, so it is ignored.
   */
  contentLanguage?: string;
}

export interface NormaliseResult {
  updates: Update[];
  /** Ids whose dates are first-seen fallbacks (the store keeps the first one it saw). */
  fallbackDated: Set<string>;
  /** Entries left out, by position in the parsed feed, with why. */
  dropped: { index: number; reason: string }[];
  feedTitle?: string;
  feedLink?: string;
}

/** Dates further ahead than this are clock or timezone bugs, not scheduled posts. */
const FUTURE_TOLERANCE_MS = 24 * 3_600_000;

/** Where relative URLs in the feed resolve, per DESIGN.md "The public contract". */
interface FeedContext {
  source: NormaliseSource;
  now: Date;
  /** The feed element's xml:base resolved against the feed URL, when it has one. */
  xmlBase?: string;
  /** Base for entries without any xml:base: the RSS channel's absolute link, else the feed URL. */
  fallbackBase: string;
  language?: string;
  authors: ParsedAuthor[];
  sourceFeed?: Update["sourceFeed"];
}

type ItemOutcome = { update: Update; fallbackDated: boolean } | { dropped: string };

// --- field mappers (undefined for unusable input) -----------------------------------------

function baseOf(item: ParsedItem, ctx: FeedContext): string {
  if (item.base === undefined) return ctx.xmlBase ?? ctx.fallbackBase;
  return applyBase(ctx.xmlBase ?? ctx.source.feedUrl, item.base) ?? ctx.fallbackBase;
}

/** The first link that resolves to http(s); an RSS permalink guid counts as one. */
function linkOf(item: ParsedItem, base: string): string | undefined {
  for (const link of item.links) {
    const url = resolveWebUrl(link.href, applyBase(base, link.base));
    if (url !== undefined) return url;
  }
  // RSS 2.0: a guid with isPermaLink (the default) is the entry's URL. Only an absolute one:
  // a relative guid is an identifier, not a link.
  if (item.guidIsPermaLink && item.guid !== undefined) return resolveWebUrl(item.guid);
  return undefined;
}

function usableDate(raw: string | undefined, now: Date): Date | undefined {
  const date = parseDate(raw);
  return date !== undefined && date.getTime() <= now.getTime() + FUTURE_TOLERANCE_MS
    ? date
    : undefined;
}

function datesOf(item: ParsedItem, now: Date): { published?: Date; updated?: Date } {
  const published = usableDate(item.published, now);
  const updated = usableDate(item.updated, now);
  // Each stands in for the other when missing.
  return { published: published ?? updated, updated: updated ?? published };
}

const textOf = (text: ParsedText | undefined): string =>
  text === undefined ? "" : toPlainText(text.value, text.type, TEXT_LIMIT);

/** Plain-text content (JSON Feed content_text, Atom type="text") as paragraphs of HTML. */
const textToHtml = (text: string): string =>
  text
    .split(/\r?\n\s*\r?\n/)
    .map((p) => p.trim())
    .filter((p) => p !== "")
    .map((p) => `<p>${escapeDoubleQuoted(p).replace(/\r?\n/g, "<br>")}</p>`)
    .join("");

function contentHtmlOf(item: ParsedItem, base: string): string | undefined {
  const content = item.content;
  if (content === undefined) return undefined;
  const html = content.type === "html" ? content.value : textToHtml(content.value);
  return sanitiseHtml(html, applyBase(base, content.base));
}

function authorsOf(parsed: ParsedAuthor[], base: string): Author[] {
  const authors: Author[] = [];
  const seen = new Set<string>();
  for (const a of parsed) {
    const email = a.email?.trim().replace(/^mailto:/i, "");
    const validEmail =
      email !== undefined && /^[^\s@<>]+@[^\s@<>]+$/.test(email) ? email : undefined;
    const name = htmlToText(a.name ?? "", 1000) || validEmail;
    if (!name) continue;
    const key = `${name.toLowerCase()}\n${validEmail ?? ""}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const author: Author = { name };
    if (validEmail !== undefined) author.email = validEmail;
    const url = resolveWebUrl(a.url, base);
    if (url !== undefined) author.url = url;
    authors.push(author);
  }
  return authors;
}

function tagsOf(categories: string[]): string[] {
  const tags: string[] = [];
  const seen = new Set<string>();
  for (const category of categories) {
    const tag = htmlToText(category, 1000);
    const key = tag.toLowerCase();
    if (tag === "" || seen.has(key)) continue;
    seen.add(key);
    tags.push(tag);
  }
  return tags;
}

/** Common media types by extension, for enclosures that declare none. */
const TYPES_BY_EXTENSION: Record<string, string> = {
  mp3: "audio/mpeg",
  m4a: "audio/mp4",
  aac: "audio/aac",
  ogg: "audio/ogg",
  oga: "audio/ogg",
  opus: "audio/opus",
  wav: "audio/wav",
  mp4: "video/mp4",
  m4v: "video/mp4",
  webm: "video/webm",
  mov: "video/quicktime",
  pdf: "application/pdf",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  png: "image/png",
  gif: "image/gif",
  webp: "image/webp",
};

function typeFor(url: string, declared: string | undefined): string {
  const type = declared?.trim().toLowerCase();
  if (type && /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(type)) return type;
  const extension = /\.([a-z0-9]{2,5})$/i.exec(new URL(url).pathname)?.[1]?.toLowerCase();
  return (extension && TYPES_BY_EXTENSION[extension]) || "application/octet-stream";
}

function enclosuresOf(item: ParsedItem, base: string): Enclosure[] {
  const enclosures: Enclosure[] = [];
  const seen = new Set<string>();
  for (const e of item.enclosures) {
    const url = resolveWebUrl(e.url, base);
    if (url === undefined || seen.has(url)) continue;
    seen.add(url);
    const enclosure: Enclosure = { url, type: typeFor(url, e.type) };
    const length = e.length?.trim();
    if (length !== undefined && /^\d{1,15}$/.test(length)) enclosure.length = Number(length);
    enclosures.push(enclosure);
  }
  return enclosures;
}

function imageOf(item: ParsedItem, base: string): Update["image"] {
  const url = resolveWebUrl(item.image?.url, base);
  if (url === undefined) return undefined;
  const type = item.image?.type?.trim().toLowerCase();
  return type?.startsWith("image/") ? { url, type } : { url };
}

/** An Atom id is an absolute IRI (RFC 4287 §4.2.6); anything else cannot be republished as one. */
function feedIdOf(value: string | undefined): string | undefined {
  const id = value === undefined ? "" : singleLineText(value);
  return id.length <= 2048 && /^[a-z][a-z0-9+.-]*:[^\s<>"]+$/i.test(id) ? id : undefined;
}

/** What the partner's feed says about itself, for every entry read from it (Update.sourceFeed). */
function sourceFeedOf(feed: ParsedFeed, now: Date): Update["sourceFeed"] {
  const id = feedIdOf(feed.id);
  const updated = usableDate(feed.updated, now)?.toISOString();
  if (id === undefined && updated === undefined) return undefined;
  return { ...(id === undefined ? {} : { id }), ...(updated === undefined ? {} : { updated }) };
}

// --- one entry ------------------------------------------------------------------------------

function normaliseItem(item: ParsedItem, ctx: FeedContext): ItemOutcome {
  if (item.problem !== undefined) return { dropped: item.problem };
  const base = baseOf(item, ctx);
  const summaryText = textOf(item.summary);
  const contentText = summaryText === "" ? textOf(item.content) : "";
  const text = summaryText || contentText;
  const ownTitle = item.title === undefined ? "" : cleanTitle(item.title.value, item.title.type);
  if (ownTitle === "" && text === "") return { dropped: "entry has neither a title nor any text" };
  const title = ownTitle || titleFromText(text);

  const link = linkOf(item, base);
  const dates = datesOf(item, ctx.now);
  const id = entryId(ctx.source.id, {
    guid: item.guid,
    link,
    title,
    date: (dates.published ?? dates.updated)?.toISOString(),
  });
  if (id === undefined) return { dropped: "entry has nothing to identify it by" };

  const fallback = ctx.now.toISOString();
  const update: Update = {
    id,
    sourceId: ctx.source.id,
    title,
    summary: summarise(text),
    published: dates.published?.toISOString() ?? fallback,
    updated: dates.updated?.toISOString() ?? fallback,
    authors: authorsOf(item.authors.length > 0 ? item.authors : ctx.authors, base),
    categories: [...ctx.source.categories],
    tags: tagsOf(item.categories),
    enclosures: enclosuresOf(item, base),
  };
  if (link !== undefined) update.link = link;
  const guid = item.guid?.trim();
  if (guid) update.guid = guid;
  const contentHtml = contentHtmlOf(item, base);
  if (contentHtml !== undefined) update.contentHtml = contentHtml;
  const image = imageOf(item, base);
  if (image !== undefined) update.image = image;
  // Declared (the entry's own, else its feed's, else the response's), else detected.
  const language =
    canonicalLanguage(item.language) ??
    ctx.language ??
    detectLanguage(`${update.title}\n${update.summary}`);
  if (language !== undefined) update.language = language;
  if (ctx.sourceFeed !== undefined) update.sourceFeed = { ...ctx.sourceFeed };
  return { update, fallbackDated: dates.published === undefined };
}

// --- the feed -------------------------------------------------------------------------------

function contextOf(feed: ParsedFeed, source: NormaliseSource, now: Date): FeedContext {
  const xmlBase = feed.base === undefined ? undefined : applyBase(source.feedUrl, feed.base);
  const siteLink =
    (feed.format === "rss" || feed.format === "rdf") && isAbsoluteWebUrl(feed.link)
      ? resolveWebUrl(feed.link)
      : undefined;
  const ctx: FeedContext = {
    source,
    now,
    fallbackBase: siteLink ?? source.feedUrl,
    authors: feed.authors ?? [],
  };
  if (xmlBase !== undefined) ctx.xmlBase = xmlBase;
  // The partner's declaration beats the HTTP Content-Language of the response it came in.
  const language = canonicalLanguage(feed.language) ?? canonicalLanguage(source.contentLanguage);
  if (language !== undefined) ctx.language = language;
  const sourceFeed = sourceFeedOf(feed, now);
  if (sourceFeed !== undefined) ctx.sourceFeed = sourceFeed;
  return ctx;
}

export function normalise(feed: ParsedFeed, source: NormaliseSource, now: Date): NormaliseResult {
  const ctx = contextOf(feed, source, now);
  const result: NormaliseResult = { updates: [], fallbackDated: new Set(), dropped: [] };
  const title = feed.title === undefined ? "" : cleanTitle(feed.title, feed.titleType ?? "html");
  if (title !== "") result.feedTitle = title;
  const feedLink = resolveWebUrl(feed.link, ctx.xmlBase ?? source.feedUrl);
  if (feedLink !== undefined) result.feedLink = feedLink;

  const seen = new Set<string>();
  feed.items.forEach((item, index) => {
    let outcome: ItemOutcome;
    try {
      outcome = normaliseItem(item, ctx);
    } catch {
      // One entry that trips a bug costs that entry, not the feed; what was thrown names our
      // code, not the partner's entry, so it is not the reason.
      outcome = { dropped: MALFORMED_ENTRY };
    }
    if ("dropped" in outcome) {
      result.dropped.push({ index, reason: outcome.dropped });
    } else if (seen.has(outcome.update.id)) {
      result.dropped.push({
        index,
        reason: `duplicate of an earlier entry (id ${outcome.update.id})`,
      });
    } else {
      seen.add(outcome.update.id);
      result.updates.push(outcome.update);
      if (outcome.fallbackDated) result.fallbackDated.add(outcome.update.id);
    }
  });
  return result;
}
