import type { ErrorKind } from "./poll.js";

/**
 * A partner source as one poll sees it: what refresh reads, and nothing of how the operator
 * configures or lists it (title, schedule, enabled…), so ingest does not depend on the config.
 * A `SourceConfig` is one.
 */
export interface Source {
  id: string;
  /** Fetched as written; a user:password in it is sent as Basic auth. Never published as is. */
  url: string;
  /** Tributary category ids every entry of the source is filed under. */
  categories: string[];
  /** Extra request headers, sent only to `url`'s origin (secrets: never logged or published). */
  headers?: Record<string, string>;
  /** Published instead of `url`; see public-url.ts. */
  publicUrl?: string;
}

/**
 * Why a source's next poll is when it is (`nextPollReason` in /api/sources): its schedule, or a
 * floor under it — backoff after failures, the partner's Retry-After or caching hints — or no
 * next poll at all (`gone`, `disabled`).
 */
/** `websub`: the partner's hub pushes, so scheduled polls wait (model/websub.ts). */
export type NextPollReason = "schedule" | FloorReason | "websub" | "gone" | "disabled";

/** What can set a source's `notBefore`: the reasons a scheduled poll waits. */
export type FloorReason =
  | "backoff"
  | "retry-after"
  | "cache-control"
  | "expires"
  | "ttl"
  | "sy:updatePeriod"
  | "adaptive";

/** The polling hints a feed document declares, raw (parse/ reads them, poll-hints.ts judges). */
export interface FeedPollHints {
  /** RSS 2.0 `<ttl>`: minutes. */
  ttl?: string;
  /** Syndication module (RSS 1.0/2.0): `hourly`, `daily`, `weekly`, `monthly`, `yearly`. */
  updatePeriod?: string;
  /** Syndication module: polls per `updatePeriod`. */
  updateFrequency?: string;
  /**
   * How often the feed's newest entries were published (the median gap between them, seconds):
   * with `polling.adaptive`, half of it is a floor under the next poll.
   */
  publishedEverySeconds?: number;
}

/** What Tributary remembers about one partner source between polls. */
export type SourceStatus = "pending" | "ok" | "not-modified" | "error" | "gone" | "disabled";

export interface SourceState {
  status: SourceStatus;
  /** The URL this state was recorded for: validators and `gone` only apply while it is unchanged. */
  url?: string;
  /** Names the last failure: `timeout`, `too-large`, `parse-error`, `not-a-feed`, `http-503`… */
  errorKind?: ErrorKind;
  lastError?: string;
  /** ISO 8601 times. */
  lastFetchAt?: string;
  lastSuccessAt?: string;
  /** Validators for the next conditional GET. */
  etag?: string;
  lastModified?: string;
  consecutiveFailures: number;
  /** When the current run of failures began (ISO 8601); absent while the source succeeds. */
  failingSince?: string;
  /**
   * Earliest time a scheduled poll may run again: backoff and Retry-After after a failure, the
   * partner's caching hints (Cache-Control, Expires, `<ttl>`, `sy:*`) after a success or a 304.
   */
  notBefore?: string;
  /** What set `notBefore` (absent without one, and in states stored before it was recorded). */
  nextPollReason?: FloorReason;
  /**
   * The feed-level hints of the last document fetched (`<ttl>`, `sy:*`, as written): a 304
   * says that document is still current, so its hints still hold.
   */
  feedHints?: FeedPollHints;
  lastDurationMs?: number;
  /** Title and site link the partner's feed declares, for `<source>` elements. */
  feedTitle?: string;
  feedLink?: string;
  /** Where a permanent redirect (301/308) pointed on the last poll, proposed to the operator. */
  movedTo?: string;
  /** Consecutive polls that saw the permanent redirect to `movedTo` (see poll-state.ts). */
  movedToCount?: number;
}

export const initialSourceState = (): SourceState => ({
  status: "pending",
  consecutiveFailures: 0,
});

/**
 * Consecutive polls that must see the same permanent redirect before the new URL is proposed
 * to the operator: one 301 can be a misconfigured CDN or a partner's maintenance page.
 */
export const PROPOSE_MOVE_AFTER = 3;

/** The URL to propose to the operator, once the move has been seen often enough in a row. */
export function proposedUrl(state: SourceState | undefined): string | undefined {
  if (state?.movedTo === undefined) return undefined;
  return (state.movedToCount ?? 0) >= PROPOSE_MOVE_AFTER ? state.movedTo : undefined;
}
