// Stored entries and statuses → the plain values the page templates print. Pure: no store, no
// clock (dates are formatted from the values given), so the same inputs give the same page
// and the same ETag. Every string here is plain text; the template engine escapes it. The
// only URLs handed out are http(s) ones, so no template can produce a `javascript:` link.

import { isRightToLeft } from "../model/language.js";
import type { Update } from "../model/update.js";
import { httpUrl, xmlSafeText } from "../publish/clean.js";

/** What every page knows about the service itself. */
export interface SiteView {
  title: string;
  /** `<html lang>`: the language of the service's own words. */
  language: string;
  /** Absolute, no trailing slash: snippets and feed links are built from it. */
  baseUrl: string;
  /** Root-relative links to the service's pages (the path of baseUrl, then the page). */
  links: { home: string; sources: string; opml: string; opmlSources: string };
}

export interface DateView {
  /** ISO 8601, for `<time datetime>`. */
  iso: string;
  /** In the site's language, UTC: "2 December 2026". */
  text: string;
}

export interface EntryView {
  id: string;
  title: string;
  /** The partner's article; absent when the entry has no usable http(s) link. */
  url?: string;
  date: DateView;
  partner: { name: string; url?: string };
  summary: string;
  /** The summary was shortened here: it ends in "…". */
  cut: boolean;
  /** The entry's language, when the partner declared a valid one. */
  lang?: string;
  /**
   * The other partners that carried the same story (Update.story), earliest first: "Also
   * published by …". Partners no longer configured are left out.
   */
  alsoPublishedBy: { name: string; url?: string }[];
  /** "rtl" for an entry in a right-to-left script (Arabic, Hebrew, Persian, Urdu…). */
  dir?: "rtl";
}

export interface SummaryOptions {
  /** Characters kept before the cut (`pages.summaryLength`). */
  maxLength: number;
}

/** Trailing "read more" markers partners put in their own summaries (WordPress's `[…]`). */
const TRAILING_ELLIPSIS = /\s*(?:\[(?:…|\.\.\.)\]|…|\.\.\.)\s*$/u;

/**
 * Whitespace collapsed, and cut at a word boundary before `maxLength` with "…" when longer.
 * A partner's own trailing `[…]` or `...` counts as a cut, shown as "…".
 */
export function cutSummary(text: string, maxLength: number): { text: string; cut: boolean } {
  const plain = xmlSafeText(text).replace(/\s+/gu, " ").trim();
  const partnerCut = TRAILING_ELLIPSIS.test(plain);
  const body = plain.replace(TRAILING_ELLIPSIS, "");
  const chars = [...body];
  if (chars.length <= maxLength) {
    return partnerCut ? { text: `${body}…`, cut: true } : { text: body, cut: false };
  }
  const head = chars.slice(0, maxLength).join("");
  const space = head.lastIndexOf(" ");
  // Cut at the last word boundary unless that would lose most of the text (one long word).
  const kept = space > maxLength * 0.6 ? head.slice(0, space) : head;
  return { text: `${kept.replace(/[\s,;:.–—-]+$/u, "")}…`, cut: true };
}

export function dateView(date: Date, language: string): DateView {
  return { iso: date.toISOString(), text: dateFormat(language).format(date) };
}

const formats = new Map<string, Intl.DateTimeFormat>();

function dateFormat(language: string): Intl.DateTimeFormat {
  let format = formats.get(language);
  if (format === undefined) {
    format = new Intl.DateTimeFormat(language, { dateStyle: "long", timeZone: "UTC" });
    formats.set(language, format);
  }
  return format;
}

export interface PartnerInfo {
  title: string;
  homepage?: string;
}

export function entryView(
  update: Update,
  partners: ReadonlyMap<string, PartnerInfo>,
  site: Pick<SiteView, "language">,
  options: SummaryOptions,
): EntryView {
  const partner = partners.get(update.sourceId);
  const summary = cutSummary(update.summary, options.maxLength);
  const title = xmlSafeText(update.title).replace(/\s+/gu, " ").trim();
  const url = httpUrl(update.link);
  const homepage = httpUrl(partner?.homepage);
  const lang = languageOf(update.language);
  return {
    // The id merged feeds publish the entry under (see publish/render.ts publishedEntryId).
    id: update.story?.id ?? update.id,
    title: title === "" ? "(untitled)" : title,
    ...(url === undefined ? {} : { url }),
    date: dateView(entryDate(update), site.language),
    partner: {
      name: partner?.title ?? update.sourceId,
      ...(homepage === undefined ? {} : { url: homepage }),
    },
    summary: summary.text,
    cut: summary.cut,
    ...(lang === undefined ? {} : { lang }),
    alsoPublishedBy: otherCopies(update, partners),
    ...(lang !== undefined && isRightToLeft(lang) ? { dir: "rtl" as const } : {}),
  };
}

/** Links to the other partners' copies of the story: the article when usable, else nothing. */
function otherCopies(
  update: Update,
  partners: ReadonlyMap<string, PartnerInfo>,
): EntryView["alsoPublishedBy"] {
  const copies = (update.story?.copies ?? []).filter((copy) => copy.id !== update.id);
  return copies.flatMap((copy) => {
    const partner = partners.get(copy.sourceId);
    if (partner === undefined) return [];
    const url = httpUrl(copy.link);
    return [url === undefined ? { name: partner.title } : { name: partner.title, url }];
  });
}

function entryDate(update: Update): Date {
  for (const value of [update.published, update.updated]) {
    const date = value === undefined ? undefined : new Date(value);
    if (date !== undefined && !Number.isNaN(date.getTime())) return date;
  }
  return new Date(0);
}

/** A partner's language as a valid BCP 47 tag, or undefined ("en_US" becomes "en-US"). */
export function languageOf(value: string | undefined): string | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  try {
    return Intl.getCanonicalLocales(value.trim().replace(/_/g, "-"))[0];
  } catch {
    return undefined;
  }
}

/** `baseUrl`'s path, so links keep working behind a proxy that serves the service under one. */
export function sitePath(baseUrl: string): (path: string) => string {
  const prefix = new URL(baseUrl).pathname.replace(/\/+$/, "");
  return (path) => `${prefix}${path}`;
}
