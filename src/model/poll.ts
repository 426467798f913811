// The outcome of one poll, and the closed vocabulary that names a failure. `errorKind` is a
// public contract: /api/sources, `tributary poll --json`, the `poll failed` log line and the
// `outcome` label of tributary_fetch_total all carry it, so every producer (fetch, parse, the
// worker pool, refresh) and every reader types it as ErrorKind: a misspelt kind does not compile.

import type { WebSubLinks } from "./websub.js";

/** The fetch layer's failures; a status the others do not name is `http-<status>`. */
export const FETCH_ERROR_KINDS = [
  "timeout",
  "too-large",
  "too-many-redirects",
  "blocked-address",
  "bad-url",
  "bad-encoding",
  "gone",
  "dns",
  "connection",
  "aborted",
] as const;
export type FetchErrorKind = (typeof FETCH_ERROR_KINDS)[number] | `http-${number}`;

/** What reading the body can fail with: not a feed at all, unreadable, or too slow to read. */
export const PARSE_ERROR_KINDS = ["parse-error", "not-a-feed", "parse-timeout"] as const;
export type ParseErrorKind = (typeof PARSE_ERROR_KINDS)[number];

/**
 * A poll that could not record its outcome: the store was unreachable, a newer poll of the
 * source (another worker's, after this one's lease expired) had claimed it, or a bug.
 */
export const POLL_ERROR_KINDS = ["store-unavailable", "lease-lost", "internal-error"] as const;
export type PollErrorKind = (typeof POLL_ERROR_KINDS)[number];

export type ErrorKind = FetchErrorKind | ParseErrorKind | PollErrorKind;

const NAMED_KINDS: ReadonlySet<string> = new Set([
  ...FETCH_ERROR_KINDS,
  ...PARSE_ERROR_KINDS,
  ...POLL_ERROR_KINDS,
]);

/** For values read back from storage (the type system cannot vouch for JSON). */
export function isErrorKind(value: unknown): value is ErrorKind {
  if (typeof value !== "string") return false;
  return NAMED_KINDS.has(value) || /^http-[1-5]\d\d$/.test(value);
}

/** `errorKind` of a poll that failed because the store was unreachable (nothing was recorded). */
export const STORE_UNAVAILABLE: PollErrorKind = "store-unavailable";

/** `errorKind` of a poll whose writes were refused: a newer poll had claimed the source. */
export const LEASE_LOST: PollErrorKind = "lease-lost";

export type PollStatus = "ok" | "not-modified" | "error" | "gone";

export interface PollOutcome {
  sourceId: string;
  status: PollStatus;
  errorKind?: ErrorKind;
  error?: string;
  added: number;
  updated: number;
  unchanged: number;
  /** Entries of this poll that were unusable and skipped. */
  dropped: number;
  /** Entries removed by retention after this poll. */
  expired: number;
  durationMs: number;
  /** Size of the fetched body (absent when no body was fetched: 304, fetch failures). */
  bytes?: number;
  /** Target of a permanent redirect, proposed to the operator (the config is never rewritten). */
  movedTo?: string;
  /** Set once the same permanent redirect was seen on PROPOSE_MOVE_AFTER polls in a row. */
  proposedUrl?: string;
  /**
   * The earliest a scheduled poll may follow (backoff, Retry-After, the partner's caching
   * hints), as recorded in the source's state; absent when nothing holds the next poll back.
   */
  notBefore?: string;
  /**
   * What the fetched feed advertises for WebSub (its Link header and the document's hub/self
   * links), when it names a hub: the subscriber discovers the hub from it (websub/discovery.ts).
   */
  advertised?: WebSubAdvertised;
}

export interface WebSubAdvertised {
  linkHeader?: string;
  body?: WebSubLinks;
  /** Where the feed was fetched from after redirects. */
  feedUrl: string;
}

/** An operator's poll: the sources it covers, and their outcomes once all have finished. */
export interface OperatorPoll {
  sources: string[];
  done: Promise<PollOutcome[]>;
}
