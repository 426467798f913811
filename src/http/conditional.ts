// Conditional request evaluation (RFC 9110 §13) for the feed routes, kept pure so every
// precedence rule is unit-tested without a server. Koa's `ctx.fresh` is not used: it is
// false while the status is still the default 404 and it does not ignore future dates.

export interface Validators {
  /** Strong, quoted ETag of the selected representation, e.g. `"abc"`. */
  etag: string;
  /** Undefined when the representation has none: If-Modified-Since then never matches. */
  lastModified: Date | undefined;
}

export interface ConditionalHeaders {
  ifNoneMatch?: string | undefined;
  ifModifiedSince?: string | undefined;
}

/**
 * True when a GET/HEAD should be answered 304. If-None-Match, when present, decides alone
 * (If-Modified-Since is then ignored, §13.2.2); it uses the weak comparison, so `W/"x"`
 * matches `"x"`. If-Modified-Since is ignored when unparsable or later than `now`.
 */
export function isNotModified(
  headers: ConditionalHeaders,
  validators: Validators,
  /** Read only for If-Modified-Since (the clock is not read for the other requests). */
  now?: Date,
): boolean {
  if (headers.ifNoneMatch !== undefined && headers.ifNoneMatch.trim() !== "") {
    return noneMatchFails(headers.ifNoneMatch, validators.etag);
  }
  if (headers.ifModifiedSince !== undefined) {
    const since = parseHttpDate(headers.ifModifiedSince);
    if (since === undefined || since > (now?.getTime() ?? Date.now())) return false;
    if (validators.lastModified === undefined) return false;
    return wholeSeconds(validators.lastModified.getTime()) <= since;
  }
  return false;
}

/** True when the If-None-Match list names the current ETag (or is `*`: the feed always exists). */
function noneMatchFails(ifNoneMatch: string, etag: string): boolean {
  const tags = opaqueTagsOf(ifNoneMatch);
  return tags === ANY_TAG || tags.has(opaqueTag(etag));
}

// A client revalidates with the ETag it was sent, so the values seen are about as many as the
// pages × codings: each is parsed once, not per request (a 304 is the most frequent answer).
const OPAQUE_TAGS_MAX = 1024;
const ANY_TAG = "*";
const opaqueTags = new Map<string, ReadonlySet<string> | typeof ANY_TAG>();

function opaqueTagsOf(ifNoneMatch: string): ReadonlySet<string> | typeof ANY_TAG {
  let tags = opaqueTags.get(ifNoneMatch);
  if (tags === undefined) {
    tags =
      ifNoneMatch.trim() === ANY_TAG
        ? ANY_TAG
        : new Set(parseEntityTags(ifNoneMatch).map(opaqueTag));
    if (opaqueTags.size >= OPAQUE_TAGS_MAX) opaqueTags.clear();
    opaqueTags.set(ifNoneMatch, tags);
  }
  return tags;
}

/**
 * Splits an entity-tag list. Commas may appear inside quoted tags, so a plain split is wrong;
 * empty list elements are allowed (RFC 9110 §5.6.1) and unquoted tokens (sent by some broken
 * clients) are kept as they are.
 */
export function parseEntityTags(list: string): string[] {
  const tags: string[] = [];
  const pattern = /[\s,]*((?:W\/)?"[^"]*"|[^,\s]+)\s*(?:,|$)/gy;
  let match: RegExpExecArray | null = pattern.exec(list);
  while (match !== null && match[0] !== "") {
    if (match[1] !== undefined) tags.push(match[1]);
    match = pattern.exec(list);
  }
  return tags;
}

/** The weak comparison ignores the `W/` prefix. */
function opaqueTag(tag: string): string {
  return tag.startsWith("W/") ? tag.slice(2) : tag;
}

/** Milliseconds since the epoch of an HTTP date, or undefined when it is not a date at all. */
export function parseHttpDate(value: string): number | undefined {
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : time;
}

/** IMF-fixdate, the only format a server may send (e.g. `Sun, 06 Nov 1994 08:49:37 GMT`). */
export function httpDate(date: Date): string {
  return date.toUTCString();
}

// HTTP dates have one-second resolution; without truncation a Last-Modified with milliseconds
// would always look newer than the If-Modified-Since the client copied from it.
function wholeSeconds(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}
