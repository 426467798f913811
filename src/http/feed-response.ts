// Turns a published Representation into the status, headers and bytes of one feed response.
// Pure: negotiation and freshness are decided here, the route only copies the result to Koa.
import type { FeedFormat, Representation } from "../publish/types.js";
import { CONTENT_TYPES } from "../publish/types.js";
import { httpDate, isNotModified } from "./conditional.js";
import { negotiateEncoding } from "./encoding.js";

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
  // What a cache needs to revalidate: a 304 carries these too (RFC 9110 §15.4.5).
  const validators = {
    ETag: variant.etag,
    "Last-Modified": httpDate(representation.lastModified),
    "Cache-Control": `public, max-age=${maxAgeSeconds}`,
    Vary: "Accept-Encoding",
  };
  const conditions = { ifNoneMatch: request.ifNoneMatch, ifModifiedSince: request.ifModifiedSince };
  const current = { etag: variant.etag, lastModified: representation.lastModified };
  if (isNotModified(conditions, current, now)) {
    return { status: 304, headers: validators };
  }
  const headers: Record<string, string> = {
    ...validators,
    "Content-Type": CONTENT_TYPES[format],
    "Content-Length": String(variant.body.length),
  };
  if (coding !== "identity") headers["Content-Encoding"] = coding;
  return { status: 200, headers, body: variant.body };
}
