// The public URL scheme of the feeds and of the category pages, built in this module only: the
// self and paging links a feed carries, /api/categories, the pages and the OPML list must name
// the same URLs.
import { FEED_FORMATS, type FeedFormat } from "./types.js";

export interface FeedQuery {
  limit?: string;
  source?: string;
  lang?: string;
  cursor?: string;
}

const EXTENSIONS: Record<FeedFormat, string> = { rss: "rss", atom: "atom", json: "json" };

/**
 * `${baseUrl}/feeds/<category>.<ext>` with the query in a fixed order (limit, source, cursor);
 * a trailing slash of `baseUrl` is ignored. Absolute: readers copy these URLs as they are.
 */
export function feedUrl(
  baseUrl: string,
  category: string,
  format: FeedFormat,
  query: FeedQuery = {},
): string {
  const params = new URLSearchParams();
  for (const name of ["limit", "source", "lang", "cursor"] as const) {
    const value = query[name];
    if (value !== undefined) params.set(name, value);
  }
  const search = params.toString();
  const base = baseUrl.replace(/\/+$/, "");
  const path = `${base}/feeds/${encodeURIComponent(category)}.${EXTENSIONS[format]}`;
  return search === "" ? path : `${path}?${search}`;
}

/** A category's feed URL in every format, without a query. */
export function feedUrls(baseUrl: string, category: string): Record<FeedFormat, string> {
  const urls = {} as Record<FeedFormat, string>;
  for (const format of FEED_FORMATS) urls[format] = feedUrl(baseUrl, category, format);
  return urls;
}

/** `${baseUrl}/categories/<category>`: the category's archive page, a feed's `link`. */
export function categoryPageUrl(baseUrl: string, category: string): string {
  return `${baseUrl.replace(/\/+$/, "")}/categories/${encodeURIComponent(category)}`;
}
