/** What the publish layer hands to HTTP: bytes per content-coding, computed once per content change. */
export type FeedFormat = "rss" | "atom" | "json";

export const FEED_FORMATS: readonly FeedFormat[] = ["rss", "atom", "json"];

export const CONTENT_TYPES: Record<FeedFormat, string> = {
  rss: "application/rss+xml; charset=utf-8",
  atom: "application/atom+xml; charset=utf-8",
  json: "application/feed+json; charset=utf-8",
};

export interface Variant {
  body: Buffer;
  /** Strong, quoted, content-hash ETag; differs per content-coding. */
  etag: string;
}

export interface Representation {
  contentType: string;
  /** Newest `updated` of the entries (or the category's creation when empty). */
  lastModified: Date;
  identity: Variant;
  gzip: Variant;
  br: Variant;
  /**
   * Set when the store could not confirm these bytes are current (it is unreachable, or it lost
   * its data and no poll has written since): they are the last bytes rendered for the page, and
   * `since` is the last time the store confirmed them. HTTP adds Warning and Age headers.
   */
  stale?: { since: Date };
}

export interface FeedRequest {
  /** A category id or "all". */
  category: string;
  format: FeedFormat;
  limit: number;
  source?: string;
  /** Opaque paging cursor (from a previous page's next link). */
  cursor?: string;
}

export interface FeedPublisher {
  /**
   * Bytes of one feed page. Rejects with InvalidCursorError for a bad cursor and with
   * StoreUnavailableError when the store cannot be read and nothing is cached; when something
   * is cached, resolves with those bytes marked `stale`.
   */
  get(request: FeedRequest): Promise<Representation>;
}
