// Polite polling: how long a partner asks us to leave its feed alone after a successful poll.
// Pure, so the rules are one table of tests: the response's caching headers and the feed's own
// hints in, the floor under the next scheduled poll out.
//
// The longest hint wins (capped), not the first present: each hint is the partner saying "not
// before then", and honouring only a shorter one would still poll earlier than it asked. The
// HTTP rules apply between the headers themselves (RFC 9111 §5.3: `max-age` overrides
// `Expires`; `no-cache`/`no-store` mean the response may not be reused without asking, so they
// set no floor at all, Expires included). `s-maxage` is for shared caches and is ignored.
// A value that cannot be read (`max-age=soon`, `Expires: 0`, `<ttl>an hour</ttl>`) is ignored:
// a broken header never stops polling, and the cap bounds what a valid one can do.
import type { FeedPollHints, FloorReason } from "../model/source.js";
import type { CachingHeaders } from "./fetch/fetch.js";

/** The config default of `polling.maxHintSeconds`: no partner hint delays a source over a day. */
export const DEFAULT_MAX_HINT_SECONDS = 86_400;

export interface PollFloor {
  /** Absent: nothing asks to wait, the schedule decides. */
  notBefore?: Date;
  reason: FloorReason | "schedule";
}

const SYNDICATION_PERIODS: Readonly<Record<string, number>> = {
  hourly: 3_600,
  daily: 86_400,
  weekly: 7 * 86_400,
  // The module does not define a month or a year; these are its common reading.
  monthly: 30 * 86_400,
  yearly: 365 * 86_400,
};

/**
 * The floor the partner's hints put under the next scheduled poll, at most `maxSeconds` from
 * `now`. Ties go to the first of Cache-Control, Expires, `<ttl>`, `sy:updatePeriod`.
 */
export function pollFloor(
  headers: CachingHeaders | undefined,
  feed: FeedPollHints | undefined,
  now: Date,
  maxSeconds: number,
  /** `polling.adaptive`: how often the feed really publishes is a hint too. */
  adaptive = false,
): PollFloor {
  const candidates: [FloorReason, number | undefined][] = [
    ...httpHints(headers ?? {}, now),
    ["ttl", ttlSeconds(feed?.ttl)],
    ["sy:updatePeriod", syndicationSeconds(feed)],
    ["adaptive", adaptive ? adaptiveSeconds(feed?.publishedEverySeconds) : undefined],
  ];
  let best: [FloorReason, number] | undefined;
  for (const [reason, seconds] of candidates) {
    if (seconds === undefined || seconds <= 0) continue;
    if (best === undefined || seconds > best[1]) best = [reason, seconds];
  }
  if (best === undefined || maxSeconds <= 0) return { reason: "schedule" };
  const seconds = Math.min(best[1], maxSeconds);
  return { notBefore: new Date(now.getTime() + seconds * 1000), reason: best[0] };
}

/** Entries looked at to tell how often a feed publishes: its newest ones. */
const PUBLISHING_SAMPLE = 10;

/**
 * The median gap, in seconds, between the publication dates of the newest PUBLISHING_SAMPLE
 * entries (ISO strings), or undefined with fewer than three dated entries. The median, so one
 * burst of posts or one long holiday does not swing the interval.
 */
export function publishingIntervalSeconds(published: readonly string[]): number | undefined {
  const times = published
    .map((iso) => Date.parse(iso))
    .filter((ms) => Number.isFinite(ms))
    .sort((a, b) => b - a)
    .slice(0, PUBLISHING_SAMPLE);
  if (times.length < 3) return undefined;
  const gaps = times
    .slice(1)
    .map((ms, i) => ((times[i] ?? ms) - ms) / 1000)
    .sort((a, b) => a - b);
  const middle = gaps.length >> 1;
  const median =
    gaps.length % 2 === 1 ? gaps[middle] : ((gaps[middle - 1] ?? 0) + (gaps[middle] ?? 0)) / 2;
  return median === undefined ? undefined : Math.round(median);
}

/**
 * Half the publishing interval: polled twice per typical gap, a new entry waits at most about
 * half a gap. Bounded below by the schedule (a floor never makes polls more frequent) and above
 * by `polling.maxHintSeconds`, like every hint.
 */
function adaptiveSeconds(publishedEverySeconds: number | undefined): number | undefined {
  return publishedEverySeconds === undefined ? undefined : Math.floor(publishedEverySeconds / 2);
}

/** Cache-Control max-age, else Expires (relative to Date when the server sent one). */
function httpHints(headers: CachingHeaders, now: Date): [FloorReason, number | undefined][] {
  const directives = cacheControlDirectives(headers.cacheControl);
  if (directives.has("no-store") || directives.has("no-cache")) return [];
  if (directives.has("max-age")) {
    // A max-age that cannot be read still overrides Expires: RFC 9111 says treat it as stale.
    return [["cache-control", nonNegativeInteger(directives.get("max-age"))]];
  }
  return [["expires", expiresSeconds(headers, now)]];
}

/** Directive names lower-cased, values unquoted; a repeated directive keeps its first value. */
function cacheControlDirectives(value: string | undefined): Map<string, string | undefined> {
  const directives = new Map<string, string | undefined>();
  for (const part of (value ?? "").split(",")) {
    const [rawName, ...rest] = part.split("=");
    const name = rawName?.trim().toLowerCase();
    if (!name || directives.has(name)) continue;
    const raw = rest.length === 0 ? undefined : rest.join("=").trim();
    directives.set(name, raw?.replace(/^"(.*)"$/, "$1"));
  }
  return directives;
}

function expiresSeconds(headers: CachingHeaders, now: Date): number | undefined {
  const expires = httpDate(headers.expires);
  if (expires === undefined) return undefined;
  // Relative to the server's own clock when it says what that is, so a skewed clock on either
  // side does not stretch or cancel the wait.
  const origin = httpDate(headers.date) ?? now.getTime();
  return Math.floor((expires - origin) / 1000);
}

/** Milliseconds of an HTTP date; undefined for anything else (`0`, `-1`, garbage). */
function httpDate(value: string | undefined): number | undefined {
  // Date.parse reads plain numbers as years: an HTTP date always names a weekday or month.
  if (value === undefined || !/[a-z]/i.test(value)) return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : time;
}

function ttlSeconds(ttl: string | undefined): number | undefined {
  const minutes = nonNegativeInteger(ttl);
  return minutes === undefined ? undefined : minutes * 60;
}

/** `sy:updatePeriod` ÷ `sy:updateFrequency`; the module's defaults are daily and 1. */
function syndicationSeconds(feed: FeedPollHints | undefined): number | undefined {
  if (feed?.updatePeriod === undefined && feed?.updateFrequency === undefined) return undefined;
  const period = SYNDICATION_PERIODS[(feed.updatePeriod ?? "daily").trim().toLowerCase()];
  const frequency =
    feed.updateFrequency === undefined ? 1 : nonNegativeInteger(feed.updateFrequency);
  if (period === undefined || frequency === undefined || frequency === 0) return undefined;
  return Math.floor(period / frequency);
}

function nonNegativeInteger(value: string | undefined): number | undefined {
  const text = value?.trim();
  if (text === undefined || !/^\d{1,12}$/.test(text)) return undefined;
  return Number(text);
}
