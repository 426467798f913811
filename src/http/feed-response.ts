// Turns a published Representation into the status, headers and bytes of one feed response.
// Pure: negotiation and freshness are decided here, the route only copies the result to Koa.
import type { FeedFormat, Representation, Variant } from "../publish/types.js";
import { CONTENT_TYPES } from "../publish/types.js";
import { httpDate, isNotModified } from "./conditional.js";
import { type Coding, negotiateEncoding } from "./encoding.js";

export interface FeedRequestHeaders {
  acceptEncoding?: string | undefined;
  ifNoneMatch?: string | undefined;
  ifModifiedSince?: string | undefined;
}

export interface FeedResponse {
  status: 200 | 304;
  headers: Record<string, string>;
  /** The selected variant's bytes, exactly as published; absent for 304. */
  body?: Buffer;
}

export function buildFeedResponse(
  representation: Representation,
  format: FeedFormat,
  request: FeedRequestHeaders,
  maxAgeSeconds: number,
  now: Date = new Date(),
): FeedResponse {
  const coding = negotiateEncoding(request.acceptEncoding);
  const variant = representation[coding];
  const headers = headersOf(representation, variant, coding, format, maxAgeSeconds);
  const conditions = { ifNoneMatch: request.ifNoneMatch, ifModifiedSince: request.ifModifiedSince };
  const current = { etag: variant.etag, lastModified: representation.lastModified };
  const stale = representation.stale ? staleHeaders(representation.stale.since, now) : undefined;
  if (isNotModified(conditions, current, now)) {
    return {
      status: 304,
      headers: stale ? { ...headers.notModified, ...stale } : headers.notModified,
    };
  }
  return {
    status: 200,
    headers: stale ? { ...headers.ok, ...stale } : headers.ok,
    body: variant.body,
  };
}

/** RFC 7234 §5.5.1 warn-code 110: the response is stale (the store could not revalidate it). */
export const STALE_WARNING = '110 - "Response is Stale"';

/**
 * Headers of bytes the store could not confirm since `since` (see Representation.stale). On a
 * 304 too: it tells a cache that its copy is as stale as ours. Age counts from `since`, so a
 * shared cache stops reusing the copy once Age passes max-age and revalidates with us instead.
 */
export function staleHeaders(since: Date, now: Date): Record<string, string> {
  return {
    Warning: STALE_WARNING,
    Age: String(Math.max(0, Math.floor((now.getTime() - since.getTime()) / 1000))),
    "X-Tributary-Stale": since.toISOString(),
  };
}

interface VariantHeaders {
  maxAgeSeconds: number;
  ok: Readonly<Record<string, string>>;
  notModified: Readonly<Record<string, string>>;
}

// Header records are computed once per published variant (and max-age), not per request:
// this is the hot path of every feed reader's poll.
const headerCache = new WeakMap<Variant, VariantHeaders>();

function headersOf(
  representation: Representation,
  variant: Variant,
  coding: Coding,
  format: FeedFormat,
  maxAgeSeconds: number,
): VariantHeaders {
  const cached = headerCache.get(variant);
  if (cached?.maxAgeSeconds === maxAgeSeconds) return cached;
  // What a cache needs to revalidate: a 304 carries these too (RFC 9110 §15.4.5).
  const notModified = {
    ETag: variant.etag,
    "Last-Modified": httpDate(representation.lastModified),
    "Cache-Control": `public, max-age=${maxAgeSeconds}`,
    Vary: "Accept-Encoding",
  };
  const ok: Record<string, string> = {
    ...notModified,
    "Content-Type": CONTENT_TYPES[format],
    "Content-Length": String(variant.body.length),
  };
  if (coding !== "identity") ok["Content-Encoding"] = coding;
  const headers = { maxAgeSeconds, ok, notModified };
  headerCache.set(variant, headers);
  return headers;
}
