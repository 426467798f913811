// The floor a partner's hints put under its next scheduled poll (poll-hints.ts), as one table:
// each hint alone, the cap, the caching directives that cancel a floor, values that cannot be
// read, and the rule between hints (the longest wins, capped).
import test from "ava";
import type { CachingHeaders } from "../../src/ingest/fetch/fetch.js";
import {
  DEFAULT_MAX_HINT_SECONDS,
  type PollFloor,
  pollFloor,
  publishingIntervalSeconds,
} from "../../src/ingest/poll-hints.js";
import type { FeedPollHints } from "../../src/model/source.js";

const NOW = new Date("2026-03-01T12:00:00.000Z");
const DAY = 86_400;
const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000).toISOString();

interface Row {
  name: string;
  headers?: CachingHeaders;
  feed?: FeedPollHints;
  max?: number;
  /** Seconds after NOW, or undefined for no floor. */
  after: number | undefined;
  reason: PollFloor["reason"];
}

const ROWS: Row[] = [
  { name: "nothing at all", after: undefined, reason: "schedule" },
  {
    name: "max-age",
    headers: { cacheControl: "public, max-age=3600" },
    after: 3600,
    reason: "cache-control",
  },
  {
    name: "max-age quoted, directive names in any case",
    headers: { cacheControl: 'Public, Max-Age="1800"' },
    after: 1800,
    reason: "cache-control",
  },
  {
    name: "s-maxage is for shared caches: ignored",
    headers: { cacheControl: "s-maxage=7200" },
    after: undefined,
    reason: "schedule",
  },
  {
    name: "max-age=0: no floor",
    headers: { cacheControl: "max-age=0" },
    after: undefined,
    reason: "schedule",
  },
  {
    name: "no-cache: no floor, whatever else is said",
    headers: { cacheControl: "no-cache, max-age=3600", expires: "Sun, 01 Mar 2026 14:00:00 GMT" },
    after: undefined,
    reason: "schedule",
  },
  {
    name: "no-store: no floor",
    headers: { cacheControl: "no-store" },
    feed: {},
    after: undefined,
    reason: "schedule",
  },
  {
    name: "no-store cancels the HTTP floor, not the feed's own ttl",
    headers: { cacheControl: "no-store" },
    feed: { ttl: "60" },
    after: 3600,
    reason: "ttl",
  },
  {
    name: "max-age that cannot be read: ignored (and it still overrides Expires)",
    headers: { cacheControl: "max-age=soon", expires: "Sun, 01 Mar 2026 14:00:00 GMT" },
    after: undefined,
    reason: "schedule",
  },
  {
    name: "negative max-age: ignored",
    headers: { cacheControl: "max-age=-5" },
    after: undefined,
    reason: "schedule",
  },
  {
    name: "max-age overrides a longer Expires (RFC 9111)",
    headers: { cacheControl: "max-age=600", expires: "Mon, 02 Mar 2026 12:00:00 GMT" },
    after: 600,
    reason: "cache-control",
  },
  {
    name: "Expires without Date: against our clock",
    headers: { expires: "Sun, 01 Mar 2026 14:00:00 GMT" },
    after: 2 * 3600,
    reason: "expires",
  },
  {
    name: "Expires relative to the server's Date (its clock is an hour behind ours)",
    headers: { expires: "Sun, 01 Mar 2026 11:30:00 GMT", date: "Sun, 01 Mar 2026 11:00:00 GMT" },
    after: 1800,
    reason: "expires",
  },
  {
    name: "Expires in the past: no floor",
    headers: { expires: "Sun, 01 Mar 2026 11:00:00 GMT" },
    after: undefined,
    reason: "schedule",
  },
  {
    name: "Expires: 0 (already expired) and garbage: ignored",
    headers: { expires: "0" },
    feed: { ttl: "soon" },
    after: undefined,
    reason: "schedule",
  },
  { name: "RSS ttl, in minutes", feed: { ttl: "90" }, after: 90 * 60, reason: "ttl" },
  {
    name: "ttl that is not a whole number: ignored",
    feed: { ttl: "1.5" },
    after: undefined,
    reason: "schedule",
  },
  {
    name: "sy hourly × 2: every half hour",
    feed: { updatePeriod: "hourly", updateFrequency: "2" },
    after: 1800,
    reason: "sy:updatePeriod",
  },
  {
    name: "sy weekly, frequency defaults to 1",
    feed: { updatePeriod: "Weekly" },
    after: 7 * DAY,
    max: 30 * DAY,
    reason: "sy:updatePeriod",
  },
  {
    name: "sy frequency alone: the period defaults to daily",
    feed: { updateFrequency: "4" },
    after: DAY / 4,
    reason: "sy:updatePeriod",
  },
  {
    name: "sy unknown period: ignored",
    feed: { updatePeriod: "fortnightly" },
    after: undefined,
    reason: "schedule",
  },
  {
    name: "sy frequency 0 or garbage: ignored",
    feed: { updatePeriod: "hourly", updateFrequency: "0" },
    after: undefined,
    reason: "schedule",
  },
  {
    name: "the longest hint wins: ttl over a shorter max-age",
    headers: { cacheControl: "max-age=600" },
    feed: { ttl: "60", updatePeriod: "hourly", updateFrequency: "4" },
    after: 3600,
    reason: "ttl",
  },
  {
    name: "the longest hint wins: max-age over a shorter sy period",
    headers: { cacheControl: "max-age=7200" },
    feed: { updatePeriod: "hourly" },
    after: 7200,
    reason: "cache-control",
  },
  {
    name: "ties go to the first of Cache-Control, Expires, ttl, sy",
    headers: { cacheControl: "max-age=3600" },
    feed: { ttl: "60", updatePeriod: "hourly" },
    after: 3600,
    reason: "cache-control",
  },
  {
    name: "capped at polling.maxHintSeconds (default a day)",
    feed: { updatePeriod: "yearly" },
    after: DEFAULT_MAX_HINT_SECONDS,
    reason: "sy:updatePeriod",
  },
  {
    name: "capped at a configured maximum",
    headers: { cacheControl: "max-age=31536000" },
    max: 600,
    after: 600,
    reason: "cache-control",
  },
  {
    name: "maxHintSeconds 0: no hint delays a poll",
    headers: { cacheControl: "max-age=3600" },
    max: 0,
    after: undefined,
    reason: "schedule",
  },
];

for (const row of ROWS) {
  test(`pollFloor: ${row.name}`, (t) => {
    const floor = pollFloor(row.headers, row.feed, NOW, row.max ?? DEFAULT_MAX_HINT_SECONDS);
    t.is(floor.notBefore?.toISOString(), row.after === undefined ? undefined : at(row.after));
    t.is(floor.reason, row.reason);
  });
}

test("publishingIntervalSeconds: the median gap between the newest ten entries, in any order", (t) => {
  const hours = (list: number[]) =>
    list.map((h) => new Date(NOW.getTime() - h * 3_600_000).toISOString());
  // Every 6 hours, with one burst of two posts a minute apart and one 3-day holiday.
  const dated = hours([0, 6, 12, 12.02, 18, 24, 96, 102, 108, 114]).reverse();
  t.is(publishingIntervalSeconds(dated), 6 * 3600);
  // Only the newest ten count: an old weekly archive behind them changes nothing.
  t.is(publishingIntervalSeconds([...dated, ...hours([300, 468, 636])]), 6 * 3600);
  // Fewer than three dated entries say nothing; undated ones are ignored.
  t.is(publishingIntervalSeconds(hours([0, 6])), undefined);
  t.is(publishingIntervalSeconds([...hours([0, 6]), "not a date"]), undefined);
  t.is(publishingIntervalSeconds(hours([0, 2, 4, 10])), 2 * 3600, "even count: mean of the two");
});

test("pollFloor with adaptive: half the publishing interval, capped, longest hint still wins", (t) => {
  const daily: FeedPollHints = { publishedEverySeconds: DAY };
  t.like(pollFloor(undefined, daily, NOW, DEFAULT_MAX_HINT_SECONDS, true), {
    notBefore: new Date(at(DAY / 2)),
    reason: "adaptive",
  });
  t.deepEqual(pollFloor(undefined, daily, NOW, DEFAULT_MAX_HINT_SECONDS), { reason: "schedule" });
  const monthly: FeedPollHints = { publishedEverySeconds: 30 * DAY };
  t.like(pollFloor(undefined, monthly, NOW, DAY, true), { notBefore: new Date(at(DAY)) });
  t.like(
    pollFloor({ cacheControl: "max-age=86400" }, daily, NOW, 7 * DAY, true),
    { notBefore: new Date(at(DAY)), reason: "cache-control" },
    "a longer hint from the partner wins",
  );
});
