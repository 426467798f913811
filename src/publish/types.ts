/** What the publish layer hands to HTTP: bytes per content-coding, computed once per content change. */
export type FeedFormat = "rss" | "atom" | "json";

export const FEED_FORMATS: readonly FeedFormat[] = ["rss", "atom", "json"];

export const CONTENT_TYPES: Record<FeedFormat, string> = {
  rss: "application/rss+xml; charset=utf-8",
  atom: "application/atom+xml; charset=utf-8",
  json: "application/feed+json; charset=utf-8",
};

/** The content-codings a feed is published in. */
export type Coding = "br" | "gzip" | "identity";

export interface Variant {
  body: Buffer;
  /** Strong, quoted, content-hash ETag; differs per content-coding. */
  etag: string;
}

export interface Representation {
  contentType: string;
  /**
   * When the category's content last changed (recorded by the store with its version, so the
   * same on every instance); undefined when it never changed: no Last-Modified is sent.
   */
  lastModified: Date | undefined;
  identity: Variant;
  /**
   * The `Link` header value of the page's WebSub hub and self links (websub/hub-links.ts), sent
   * on 200 and 304 alike; absent when it advertises no hub.
   */
  links?: string;
  /** The ETag of `coding`, known without compressing (a 304 needs nothing more). */
  etag(coding: Coding): string;
  /** The bytes in `coding`; gzip and br are compressed on the first call and kept. */
  variant(coding: Coding): Variant;
  /**
   * Set when the store could not confirm these bytes are current (it is unreachable, or it lost
   * its data and the re-poll refilling it has not finished): `since` is the last time the store
   * confirmed them. HTTP adds Warning and Age headers.
   */
  stale?: {
    since: Date;
    /**
     * The bytes were rendered from a store still being refilled after it lost its data (no
     * copy from before the loss exists): possibly empty or partial, so no cache may keep them
     * (`Cache-Control: no-store`). `since` is when the loss was noticed.
     */
    partial?: boolean;
  };
}

export interface FeedRequest {
  /** A category id or "all". */
  category: string;
  format: FeedFormat;
  limit: number;
  source?: string;
  /** Only entries in this language (a canonical BCP 47 range); the feed then declares it. */
  language?: string;
  /** Opaque paging cursor (from a previous page's next link). */
  cursor?: string;
}

export interface FeedPublisher {
  /**
   * Bytes of one feed page. Rejects with InvalidCursorError for a bad cursor, with
   * StoreUnavailableError when the store cannot be read and nothing is cached (when something
   * is cached, resolves with those bytes marked `stale`), and with RenderBusyError when the
   * page must be rendered and the renders allowed at once are all running.
   */
  get(request: FeedRequest): Promise<Representation>;
}
