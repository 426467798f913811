// Pure transitions of a source's fetch state after each kind of poll outcome.
// Kept apart from refresh.ts so backoff and validator rules are tested without IO.
import type { ErrorKind } from "../model/poll.js";
import { type FeedPollHints, initialSourceState, type SourceState } from "../model/source.js";
import type { PollFloor } from "./poll-hints.js";

/** Exponential backoff after consecutive failures: 1 min doubling, capped at 6 h, ±20 % jitter. */
export const BACKOFF = { baseMs: 60_000, capMs: 6 * 3_600_000, jitter: 0.2 } as const;

export function backoffDelayMs(consecutiveFailures: number, random: number): number {
  const exponent = Math.max(0, consecutiveFailures - 1);
  const raw = Math.min(BACKOFF.capMs, BACKOFF.baseMs * 2 ** Math.min(exponent, 30));
  const factor = 1 - BACKOFF.jitter + 2 * BACKOFF.jitter * random;
  return Math.round(raw * factor);
}

/** The state to start a poll from: validators and `gone` only hold for the URL they were seen on. */
export function stateForUrl(previous: SourceState | undefined, url: string): SourceState {
  if (!previous) return { ...initialSourceState(), url };
  if (previous.url !== undefined && previous.url !== url) {
    const { feedTitle, feedLink, lastSuccessAt } = previous;
    return { ...initialSourceState(), url, feedTitle, feedLink, lastSuccessAt };
  }
  return { ...previous, url };
}

export interface FailureInfo {
  kind: ErrorKind;
  message: string;
  retryAfter?: Date;
}

export function afterFailure(
  previous: SourceState,
  failure: FailureInfo,
  now: Date,
  durationMs: number,
  random: number = Math.random(),
): SourceState {
  const consecutiveFailures = previous.consecutiveFailures + 1;
  const backoffUntil = now.getTime() + backoffDelayMs(consecutiveFailures, random);
  // Retry-After is the partner's explicit wish; never poll earlier than it.
  const retryAfter = failure.retryAfter?.getTime() ?? 0;
  const notBefore = Math.max(backoffUntil, retryAfter);
  return {
    ...previous,
    status: failure.kind === "gone" ? "gone" : "error",
    errorKind: failure.kind,
    lastError: failure.message,
    lastFetchAt: now.toISOString(),
    // The first failure of a run: what "failing since…" on the partners page shows.
    failingSince:
      previous.consecutiveFailures > 0 && previous.failingSince !== undefined
        ? previous.failingSince
        : now.toISOString(),
    consecutiveFailures,
    notBefore: new Date(notBefore).toISOString(),
    nextPollReason: retryAfter > backoffUntil ? "retry-after" : "backoff",
    lastDurationMs: durationMs,
  };
}

/**
 * The state fields of the floor the partner's hints put under the next poll (poll-hints.ts);
 * none when nothing asks to wait, so the schedule decides.
 */
function floorFields(
  floor: PollFloor | undefined,
): Pick<SourceState, "notBefore" | "nextPollReason"> {
  if (floor?.notBefore === undefined || floor.reason === "schedule") return {};
  return { notBefore: floor.notBefore.toISOString(), nextPollReason: floor.reason };
}

export function afterNotModified(
  previous: SourceState,
  validators: { etag?: string; lastModified?: string },
  now: Date,
  durationMs: number,
  redirect?: RedirectSeen,
  /** From the 304's Cache-Control/Expires and the feed hints of the document it confirms. */
  floor?: PollFloor,
): SourceState {
  return {
    ...withoutFailure(previous),
    ...floorFields(floor),
    ...(redirect === undefined ? {} : trackMove(previous, redirect)),
    status: "not-modified",
    etag: validators.etag ?? previous.etag,
    lastModified: validators.lastModified ?? previous.lastModified,
    lastFetchAt: now.toISOString(),
    lastSuccessAt: now.toISOString(),
    lastDurationMs: durationMs,
  };
}

export interface SuccessInfo {
  validators: { etag?: string; lastModified?: string };
  feedTitle?: string;
  feedLink?: string;
  /** Target of this poll's permanent redirect (every hop 301/308), if any. */
  movedTo?: string;
  /** Whether this poll followed any redirect at all (a 302/307 one included). */
  redirected?: boolean;
  /** The partner's caching hints on this response and document (poll-hints.ts). */
  floor?: PollFloor;
  /** The document's own polling hints, kept for the 304s that confirm it. */
  feedHints?: FeedPollHints;
}

export function afterSuccess(
  previous: SourceState,
  info: SuccessInfo,
  now: Date,
  durationMs: number,
): SourceState {
  const { feedHints: _previousHints, ...rest } = withoutFailure(previous);
  return {
    ...rest,
    ...floorFields(info.floor),
    ...(info.feedHints === undefined ? {} : { feedHints: info.feedHints }),
    status: "ok",
    // A 200 without validators means the old ones no longer apply.
    etag: info.validators.etag,
    lastModified: info.validators.lastModified,
    lastFetchAt: now.toISOString(),
    lastSuccessAt: now.toISOString(),
    lastDurationMs: durationMs,
    feedTitle: info.feedTitle ?? previous.feedTitle,
    feedLink: info.feedLink ?? previous.feedLink,
    ...trackMove(previous, { permanentTarget: info.movedTo, redirected: info.redirected ?? false }),
  };
}

/** What one successful (200 or 304) poll saw of redirects. */
export interface RedirectSeen {
  /** Set when every hop was permanent (301/308): where the feed now lives. */
  permanentTarget?: string | undefined;
  redirected: boolean;
}

/**
 * The permanent-redirect count after one successful poll. The same target again counts up; a
 * new target starts over at 1; a poll with no redirect at all ends the move (the partner
 * went back). A temporary redirect (302/307, or a chain with one in it) says nothing about
 * where the feed lives, so it leaves the count as it was: it neither proposes nor resets.
 * Failed polls do not come here at all and leave it as it was too.
 */
export function trackMove(
  previous: SourceState,
  seen: RedirectSeen,
): Pick<SourceState, "movedTo" | "movedToCount"> {
  const { permanentTarget } = seen;
  if (permanentTarget !== undefined) {
    const count = permanentTarget === previous.movedTo ? (previous.movedToCount ?? 0) + 1 : 1;
    return { movedTo: permanentTarget, movedToCount: count };
  }
  if (seen.redirected) return { movedTo: previous.movedTo, movedToCount: previous.movedToCount };
  return { movedTo: undefined, movedToCount: undefined };
}

function withoutFailure(state: SourceState): SourceState {
  const {
    errorKind: _kind,
    lastError: _error,
    notBefore: _notBefore,
    nextPollReason: _reason,
    failingSince: _failingSince,
    ...rest
  } = state;
  return { ...rest, consecutiveFailures: 0 };
}

/**
 * Whether a scheduled poll may run now. One floor, whatever set it: backoff, Retry-After and the
 * partner's caching hints differ only in `nextPollReason`. Forced polls (an operator's) never
 * ask, so they ignore every floor.
 */
export function mayPoll(state: SourceState | undefined, url: string, now: Date): boolean {
  if (!state) return true;
  // Gone, backoff and Retry-After were said about the old URL; a new one starts afresh.
  if (state.url !== undefined && state.url !== url) return true;
  if (state.status === "gone") return false;
  return state.notBefore === undefined || Date.parse(state.notBefore) <= now.getTime();
}
