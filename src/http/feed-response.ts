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
  if (isNotModified(conditions, current, now)) {
    return { status: 304, headers: headers.notModified };
  }
  return { status: 200, headers: headers.ok, body: variant.body };
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
