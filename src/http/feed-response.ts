// Turns a published Representation (a feed, a page, the embed script) into the status, headers
// and bytes of one response. Pure: negotiation and freshness are decided here, the route only
// copies the result to Koa.
import type { Coding, Representation, Variant } from "../publish/types.js";
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

/** `public, max-age=N`: what feeds and pages send. */
export const publicMaxAge = (seconds: number): string => `public, max-age=${seconds}`;

export function buildResponse(
  representation: Representation,
  request: FeedRequestHeaders,
  /** The Cache-Control value (see publicMaxAge); stale partial bytes send no-store instead. */
  cacheControl: string,
  /** Default: the clock when it is needed (If-Modified-Since, stale copies), never otherwise. */
  now?: Date,
): FeedResponse {
  const coding = negotiateEncoding(request.acceptEncoding);
  const headers = headersOf(representation, coding, cacheControl);
  const conditions = { ifNoneMatch: request.ifNoneMatch, ifModifiedSince: request.ifModifiedSince };
  const current = { etag: representation.etag(coding), lastModified: representation.lastModified };
  const stale = representation.stale
    ? staleness(representation.stale, now ?? new Date())
    : undefined;
  // A 304 needs only the ETag: the coding is compressed when its bytes are sent, not before.
  if (isNotModified(conditions, current, now)) {
    return {
      status: 304,
      headers: stale ? { ...headers.notModified, ...stale } : headers.notModified,
    };
  }
  const variant = representation.variant(coding);
  const ok = okHeaders(headers, variant, coding, representation.contentType);
  return { status: 200, headers: stale ? { ...ok, ...stale } : ok, body: variant.body };
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

/**
 * Bytes rendered from a store that is still being refilled after it lost its data may be
 * empty or partial: `no-store`, so no cache keeps them past the refill (max-age would let a
 * CDN serve an empty feed for minutes).
 */
function staleness(stale: NonNullable<Representation["stale"]>, now: Date): Record<string, string> {
  const headers = staleHeaders(stale.since, now);
  return stale.partial ? { ...headers, "Cache-Control": "no-store" } : headers;
}

interface CodingHeaders {
  cacheControl: string;
  notModified: Readonly<Record<string, string>>;
  /** With the entity headers, once the coding's bytes exist. */
  ok?: Readonly<Record<string, string>>;
}

// Header records are computed once per published page, coding (and Cache-Control), not per request:
// this is the hot path of every feed reader's poll. Keyed by the identity variant, which the
// stale copies of a page share with it.
const headerCache = new WeakMap<Variant, Map<Coding, CodingHeaders>>();

function headersOf(
  representation: Representation,
  coding: Coding,
  cacheControl: string,
): CodingHeaders {
  let codings = headerCache.get(representation.identity);
  if (codings === undefined) {
    codings = new Map();
    headerCache.set(representation.identity, codings);
  }
  const cached = codings.get(coding);
  if (cached?.cacheControl === cacheControl) return cached;
  // What a cache needs to revalidate: a 304 carries these too (RFC 9110 §15.4.5).
  const notModified: Record<string, string> = { ETag: representation.etag(coding) };
  // A page whose category never changed has no modification date to give (not 1970).
  if (representation.lastModified !== undefined) {
    notModified["Last-Modified"] = httpDate(representation.lastModified);
  }
  notModified["Cache-Control"] = cacheControl;
  notModified.Vary = "Accept-Encoding";
  // WebSub discovery (websub/hub-links.ts); on a 304 too, so a conditional poll finds the hub.
  if (representation.links !== undefined) notModified.Link = representation.links;
  const headers = { cacheControl, notModified };
  codings.set(coding, headers);
  return headers;
}

function okHeaders(
  headers: CodingHeaders,
  variant: Variant,
  coding: Coding,
  contentType: string,
): Readonly<Record<string, string>> {
  if (headers.ok) return headers.ok;
  const ok: Record<string, string> = {
    ...headers.notModified,
    "Content-Type": contentType,
    "Content-Length": String(variant.body.length),
  };
  if (coding !== "identity") ok["Content-Encoding"] = coding;
  headers.ok = ok;
  return ok;
}
