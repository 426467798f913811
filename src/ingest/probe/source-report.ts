// What `tributary check-source` tells an operator about a candidate feed: whether Tributary can
// use it, what it would publish, and which partner habits will cost readers (no dates, no GUIDs,
// relative links, markup in titles, a legacy charset, no HTTP caching). Pure: it looks at what
// fetch, parse and normalise already produced, so every warning is tested with plain values.
import type { ErrorKind } from "../../model/poll.js";
import type { Update } from "../../model/update.js";
import { isAbsoluteWebUrl } from "../../model/urls.js";
import { compareNewestFirst, indexKeyOf } from "../../store/compare.js";
import type { Validators } from "../fetch/fetch.js";
import type { NormaliseResult } from "../normalise/normalise.js";
import type { ParsedFeed, ParsedItem } from "../parse/types.js";

export type WarningCode =
  | "missing-dates"
  | "relative-links"
  | "missing-guids"
  | "charset"
  | "html-in-titles"
  | "no-caching"
  | "conditional-ignored"
  | "dropped-entries"
  | "moved-permanently";

export interface SourceWarning {
  code: WarningCode;
  message: string;
}

export interface SampleEntry {
  title: string;
  /** ISO 8601, or null when the feed gave no usable date (the first-seen time is used). */
  published: string | null;
  link: string | null;
}

/** What a conditional GET with the validators of the first response returned. */
export type ConditionalCheck = "not-modified" | "full-body" | "failed" | "not-checked";

/** Why check-source finds a URL unusable: a source's error kind, or a feed with no entries. */
export type ProbeProblemKind = ErrorKind | "no-entries";

export interface SourceReport {
  url: string;
  /** After redirects; equal to `url` when there were none. */
  finalUrl: string;
  usable: boolean;
  /** Why the URL cannot be used as a source: a fetch error kind, parse-error, not-a-feed, no-entries. */
  problem?: { kind: ProbeProblemKind; message: string };
  http?: { status: number; contentType: string | null; bytes: number; durationMs: number };
  format?: ParsedFeed["format"];
  charset?: string;
  title?: string;
  link?: string;
  /** Entries Tributary would store. */
  entries: number;
  /** Entries it would skip, with why. */
  dropped: { index: number; reason: string }[];
  /** The first entries as the published feeds would list them: newest first. */
  sample: SampleEntry[];
  caching: { etag: string | null; lastModified: string | null; conditional: ConditionalCheck };
  warnings: SourceWarning[];
  /** With `check-source --rules`: what the category rules do to the entries. */
  rules?: RulesReport;
}

export interface RulesReport {
  kept: number;
  dropped: number;
  /** Every entry, newest first: the categories it would be filed under, or null if dropped. */
  entries: { title: string; categories: string[] | null }[];
}

export interface FetchedFeed {
  url: string;
  finalUrl: string;
  status: number;
  contentType?: string;
  bytes: number;
  durationMs: number;
  validators: Validators;
  permanentRedirect?: string;
}

export interface SourceAnalysis {
  fetched: FetchedFeed;
  charset: string;
  parsed: ParsedFeed;
  normalised: NormaliseResult;
  conditional: ConditionalCheck;
}

export const SAMPLE_SIZE = 5;

/** A report for a URL that failed before there was a feed to look at. */
export function failedReport(
  url: string,
  problem: { kind: ProbeProblemKind; message: string },
  fetched?: FetchedFeed,
): SourceReport {
  return {
    url,
    finalUrl: fetched?.finalUrl ?? url,
    usable: false,
    problem,
    ...(fetched ? { http: httpOf(fetched) } : {}),
    entries: 0,
    dropped: [],
    sample: [],
    caching: cachingOf(fetched?.validators ?? {}, "not-checked"),
    warnings: [],
  };
}

export function describeSource(analysis: SourceAnalysis, sampleSize = SAMPLE_SIZE): SourceReport {
  const { fetched, charset, parsed, normalised, conditional } = analysis;
  const { updates, fallbackDated, dropped } = normalised;
  const report: SourceReport = {
    url: fetched.url,
    finalUrl: fetched.finalUrl,
    usable: updates.length > 0,
    http: httpOf(fetched),
    format: parsed.format,
    charset,
    entries: updates.length,
    dropped,
    sample: newestFirst(updates)
      .slice(0, sampleSize)
      .map((update) => ({
        title: update.title,
        published: fallbackDated.has(update.id) ? null : update.published,
        link: update.link ?? null,
      })),
    caching: cachingOf(fetched.validators, conditional),
    warnings: warningsOf(analysis),
  };
  if (normalised.feedTitle !== undefined) report.title = normalised.feedTitle;
  if (normalised.feedLink !== undefined) report.link = normalised.feedLink;
  if (updates.length === 0) {
    report.problem = {
      kind: "no-entries",
      message:
        parsed.items.length === 0
          ? "the feed has no entries"
          : `none of the feed's ${parsed.items.length} entries is usable`,
    };
  }
  return report;
}

/**
 * In the order the published feeds list them (store/compare.ts): newest first, whatever order
 * the partner wrote them in. Undated entries are dated when first seen, so they come first.
 */
function newestFirst(updates: Update[]): Update[] {
  return [...updates].sort((a, b) => compareNewestFirst(indexKeyOf(a), indexKeyOf(b)));
}

function httpOf(fetched: FetchedFeed): NonNullable<SourceReport["http"]> {
  return {
    status: fetched.status,
    contentType: fetched.contentType ?? null,
    bytes: fetched.bytes,
    durationMs: fetched.durationMs,
  };
}

function cachingOf(validators: Validators, conditional: ConditionalCheck): SourceReport["caching"] {
  return {
    etag: validators.etag ?? null,
    lastModified: validators.lastModified ?? null,
    conditional,
  };
}

const of = (n: number, total: number, what: string) => `${n} of ${total} ${what}`;

/** Every warning, in the order an operator should read them (data loss first). */
export function warningsOf(analysis: SourceAnalysis): SourceWarning[] {
  const { fetched, charset, parsed, normalised, conditional } = analysis;
  const warnings: SourceWarning[] = [];
  const items = parsed.items.filter((item) => item.problem === undefined);
  const total = items.length;
  const add = (code: WarningCode, message: string) => warnings.push({ code, message });

  if (fetched.permanentRedirect !== undefined) {
    add(
      "moved-permanently",
      `the URL redirects permanently to ${fetched.permanentRedirect}: configure that URL instead`,
    );
  }
  if (normalised.dropped.length > 0) {
    add(
      "dropped-entries",
      `${of(normalised.dropped.length, parsed.items.length, "entries")} would be skipped: ${reasonsOf(normalised.dropped)}`,
    );
  }
  const undated = normalised.fallbackDated.size;
  if (undated > 0) {
    add(
      "missing-dates",
      `${of(undated, normalised.updates.length, "entries")} have no usable date (missing, unreadable or more than a day ahead): they are dated when Tributary first sees them`,
    );
  }
  const missingGuids = items.filter((item) => !item.guid?.trim()).length;
  if (missingGuids > 0) {
    add(
      "missing-guids",
      `${of(missingGuids, total, "entries")} have no GUID/id: their identity comes from the link (or the title and date), so a changed link or title shows up as a new entry`,
    );
  }
  const relative = items.filter((item) => hasUnanchoredRelativeLink(item, parsed)).length;
  if (relative > 0) {
    add(
      "relative-links",
      `${of(relative, total, "entries")} have relative links and the feed declares no xml:base${parsed.format === "rss" || parsed.format === "rdf" ? " or absolute channel link" : ""}: they are resolved against the feed URL ${fetched.finalUrl}, which may not be where the pages live`,
    );
  }
  const marked = items.filter((item) => MARKUP.test(item.title?.value ?? "")).length;
  if (marked > 0) {
    add(
      "html-in-titles",
      `${of(marked, total, "titles")} contain HTML markup: Tributary publishes them as plain text`,
    );
  }
  if (charset !== "utf-8") {
    add(
      "charset",
      `the feed is encoded in ${charset}, not UTF-8: Tributary converts it, but a wrongly declared charset garbles accented letters and quotes — check the sample titles`,
    );
  }
  const { etag, lastModified } = fetched.validators;
  if (etag === undefined && lastModified === undefined) {
    add(
      "no-caching",
      "the server sends neither ETag nor Last-Modified: every poll downloads the whole feed",
    );
  } else if (conditional === "full-body") {
    add(
      "conditional-ignored",
      "the server sends validators but answered a conditional request with the whole feed again instead of 304 Not Modified",
    );
  }
  return warnings;
}

/** A tag-like `<b>`, `</em>`, `<br/>` or `<!--`: markup, not a literal "<" in a headline. */
const MARKUP = /<(?:[a-z][a-z0-9]*(?:\s[^<>]*)?\/?|\/[a-z][a-z0-9]*\s*|!--)>/i;

/**
 * True when one of the entry's links is relative and nothing in the feed anchors it, so
 * normalise falls back to the fetched URL (DESIGN.md: xml:base, then the RSS channel's absolute
 * link, then the feed URL).
 */
function hasUnanchoredRelativeLink(item: ParsedItem, feed: ParsedFeed): boolean {
  if (feed.base !== undefined || item.base !== undefined) return false;
  const channelAnchors =
    (feed.format === "rss" || feed.format === "rdf") && isAbsoluteWebUrl(feed.link);
  if (channelAnchors) return false;
  return item.links.some(
    (link) => link.base === undefined && link.href.trim() !== "" && !hasScheme(link.href),
  );
}

/** `mailto:`, `https:`, `tag:`… are absolute; only scheme-less references are relative. */
const hasScheme = (href: string): boolean => /^\s*[a-z][a-z0-9+.-]*:/i.test(href);

/** "no title or text (×2); duplicate of an earlier entry (×1)", ids and details trimmed. */
function reasonsOf(dropped: { reason: string }[]): string {
  const counts = new Map<string, number>();
  for (const { reason } of dropped) {
    const key = reason.replace(/\s*\(id [^)]*\)$/, "");
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([reason, n]) => `${reason} (×${n})`).join("; ");
}
