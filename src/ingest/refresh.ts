// One source, top to bottom: state → fetch → ingest → store → state. Each step is one named call;
// the rules of each step live in its own module (fetch.ts, ingest.ts, poll-state.ts, the store).
import {
  type ErrorKind,
  LEASE_LOST,
  type PollOutcome,
  STORE_UNAVAILABLE,
  type WebSubAdvertised,
} from "../model/poll.js";
import { redactUrl } from "../model/public-url.js";
import { type FeedPollHints, proposedUrl, type Source, type SourceState } from "../model/source.js";
import type { WebSubLinks } from "../model/websub.js";
import { LeaseLostError, type PollLease } from "../store/leases.js";
import { newestWithinCap } from "../store/plan.js";
import { type RetentionPolicy, type Store, StoreUnavailableError } from "../store/store.js";
import type { SourceRules } from "./categorise.js";
import { type FetchFn, type FetchOptions, fetchFeed } from "./fetch/fetch.js";
import { ingestBytes } from "./ingest.js";
import { DEFAULT_MAX_HINT_SECONDS, pollFloor, publishingIntervalSeconds } from "./poll-hints.js";
import { afterFailure, afterNotModified, afterSuccess, stateForUrl } from "./poll-state.js";
import { type IngestFn, isIngestFailure } from "./worker/pool.js";

export interface RefreshDeps {
  store: Store;
  fetchOptions: FetchOptions;
  retention: RetentionPolicy;
  now?: () => Date;
  /** The fetcher (default `fetchFeed`), injected like `ingest` so tests need no sockets. */
  fetch?: FetchFn;
  /** decode → parse → normalise; the service passes its worker pool (IngestPool.ingest). */
  ingest?: IngestFn;
  /**
   * `polling.maxHintSeconds`: the longest a partner's hint (caching headers, `<ttl>`, `sy:*`,
   * Retry-After) may hold back its next scheduled poll. Default DEFAULT_MAX_HINT_SECONDS.
   */
  maxHintSeconds?: number;
  /** `polling.adaptive`: the next poll also waits for half the feed's publishing interval. */
  adaptive?: boolean;
  /** The category rules of a source (global and its own), when the config has any. */
  rulesFor?: (sourceId: string) => SourceRules | undefined;
}

const counts = { added: 0, updated: 0, unchanged: 0, dropped: 0, expired: 0 };

/**
 * The source's state as the caller already read it from the store this poll (`state` undefined:
 * none stored), so a poll reads it once: the poller reads it first to check backoff.
 */
export interface KnownState {
  state: SourceState | undefined;
  /** Fetch without the stored validators: the whole feed, never a 304. */
  unconditional?: boolean;
}

/**
 * Without `known` the state is read from the store. With `lease` (the poller's claim of the
 * source), every write carries it and the store refuses them once a newer poll claimed the source.
 */
export async function refreshSource(
  source: Source,
  deps: RefreshDeps,
  known?: KnownState,
  lease?: PollLease,
): Promise<PollOutcome> {
  const now = deps.now ?? (() => new Date());
  const started = now();
  const stored = known === undefined ? await deps.store.getSourceState(source.id) : known.state;
  const previous = stateForUrl(stored, source.url);
  const validators = known?.unconditional ? {} : validatorsOf(previous);
  const fetched = await (deps.fetch ?? fetchFeed)(source.url, validators, {
    ...deps.fetchOptions,
    headers: source.headers,
    publicUrl: source.publicUrl,
  });
  const maxHintSeconds = deps.maxHintSeconds ?? DEFAULT_MAX_HINT_SECONDS;
  const fail = (kind: ErrorKind, message: string, retryAfter?: Date) =>
    recordFailure(
      source,
      previous,
      { kind, message, retryAfter: capped(retryAfter, started, maxHintSeconds) },
      started,
      fetched.durationMs,
      deps,
      lease,
    );

  if (fetched.kind === "failed") {
    const { error } = fetched;
    return fail(error.kind, error.message, error.retryAfter);
  }
  if (fetched.kind === "not-modified") {
    // A 304 costs no parse and no entry write: only the fetch state moves. Retention waits too:
    // without the body we do not know what the feed lists, and what it lists is exempt from
    // age. An entry that left it ages out at the next poll that fetches the feed.
    // The document a 304 confirms still declares the <ttl>/sy:* of its last full fetch.
    const floor = pollFloor(
      fetched.caching,
      previous.feedHints,
      started,
      maxHintSeconds,
      deps.adaptive,
    );
    const state = afterNotModified(
      previous,
      fetched.validators,
      started,
      fetched.durationMs,
      { permanentTarget: fetched.permanentRedirect, redirected: fetched.redirects > 0 },
      floor,
    );
    await deps.store.setSourceState(source.id, state, lease);
    return {
      sourceId: source.id,
      status: "not-modified",
      ...counts,
      durationMs: fetched.durationMs,
      ...moveOf(state, fetched.permanentRedirect),
      ...notBeforeOf(state),
    };
  }

  let ingested: Awaited<ReturnType<typeof ingestBytes>>;
  try {
    ingested = await (deps.ingest ?? ingestBytes)(
      fetched.body,
      fetched.contentType,
      // Relative links are resolved against it and published: `#frag` would keep an ?apikey=.
      {
        id: source.id,
        categories: source.categories,
        feedUrl: redactUrl(fetched.finalUrl),
        ...(fetched.contentLanguage === undefined
          ? {}
          : { contentLanguage: fetched.contentLanguage }),
      },
      started,
    );
  } catch (error) {
    if (isIngestFailure(error)) {
      return { ...(await fail(error.kind, error.message)), bytes: fetched.body.length };
    }
    throw error;
  }

  // Rules add categories to entries, or drop them (they are then neither stored nor listed).
  const rules = deps.rulesFor?.(source.id);
  const categorised = rules?.apply(ingested.updates) ?? { kept: ingested.updates, dropped: [] };
  // What the partner lists now is kept whatever its age (up to the cap), so an unchanged feed
  // writes nothing, however old its entries are.
  const written = await deps.store.upsert(newestWithinCap(categorised.kept, deps.retention), {
    fallbackDated: ingested.fallbackDated,
    lease,
  });
  const listed = new Set(categorised.kept.map((update) => update.id));
  const feedHints = withPublishingInterval(ingested.pollHints, ingested.updates);
  const expired = await deps.store.applyRetention(
    source.id,
    deps.retention,
    started,
    listed,
    lease,
  );
  const state = afterSuccess(
    previous,
    {
      validators: fetched.validators,
      feedTitle: ingested.feedTitle,
      feedLink: ingested.feedLink,
      movedTo: fetched.permanentRedirect,
      redirected: fetched.redirects > 0,
      floor: pollFloor(fetched.caching, feedHints, started, maxHintSeconds, deps.adaptive),
      feedHints,
    },
    started,
    fetched.durationMs,
  );
  await deps.store.setSourceState(source.id, state, lease);
  return {
    sourceId: source.id,
    status: "ok",
    ...written,
    dropped: ingested.dropped.length + categorised.dropped.length,
    expired,
    durationMs: fetched.durationMs,
    bytes: fetched.body.length,
    ...moveOf(state, fetched.permanentRedirect),
    ...notBeforeOf(state),
    ...advertisedOf(fetched.link, ingested.websub, fetched.finalUrl),
  };
}

/** The WebSub links of a fetch, passed on only when a hub is named at all. */
function advertisedOf(
  linkHeader: string | undefined,
  body: WebSubLinks | undefined,
  feedUrl: string,
): { advertised?: WebSubAdvertised } {
  const headerNamesHub = linkHeader !== undefined && /\bhub\b/i.test(linkHeader);
  if (!headerNamesHub && body === undefined) return {};
  return {
    advertised: {
      ...(linkHeader === undefined ? {} : { linkHeader }),
      ...(body === undefined ? {} : { body }),
      feedUrl,
    },
  };
}

/** The feed's own hints, with how often it published (kept in the state, so a 304 keeps it). */
function withPublishingInterval(
  hints: FeedPollHints | undefined,
  updates: readonly { published: string }[],
): FeedPollHints | undefined {
  const publishedEverySeconds = publishingIntervalSeconds(updates.map((u) => u.published));
  if (publishedEverySeconds === undefined) return hints;
  return { ...hints, publishedEverySeconds };
}

/** The floor the written state puts under the next scheduled poll (the poller's next due time). */
function notBeforeOf(state: SourceState): { notBefore?: string } {
  return state.notBefore === undefined ? {} : { notBefore: state.notBefore };
}

/**
 * The permanent redirect this poll saw, and the URL to propose once it has been seen enough;
 * redacted, since outcomes are logged and printed (the state keeps the URL as fetched).
 */
function moveOf(state: SourceState, movedTo: string | undefined) {
  const proposed = proposedUrl(state);
  return {
    ...(movedTo === undefined ? {} : { movedTo: redactUrl(movedTo) }),
    ...(proposed === undefined ? {} : { proposedUrl: redactUrl(proposed) }),
  };
}

/** A Retry-After is a partner's hint like the others: bounded by `polling.maxHintSeconds`. */
function capped(retryAfter: Date | undefined, now: Date, maxSeconds: number): Date | undefined {
  if (retryAfter === undefined) return undefined;
  return new Date(Math.min(retryAfter.getTime(), now.getTime() + maxSeconds * 1000));
}

function validatorsOf(state: SourceState) {
  return { etag: state.etag, lastModified: state.lastModified };
}

async function recordFailure(
  source: Source,
  previous: SourceState,
  failure: { kind: ErrorKind; message: string; retryAfter?: Date },
  started: Date,
  durationMs: number,
  deps: RefreshDeps,
  lease: PollLease | undefined,
): Promise<PollOutcome> {
  const next = afterFailure(previous, failure, started, durationMs);
  await deps.store.setSourceState(source.id, next, lease);
  return {
    sourceId: source.id,
    status: next.status === "gone" ? "gone" : "error",
    errorKind: failure.kind,
    error: failure.message,
    ...counts,
    durationMs,
    ...notBeforeOf(next),
  };
}

/** A poll that could not even record its outcome (store down, bug): reported, never thrown. */
export function crashedOutcome(sourceId: string, error: unknown, durationMs: number): PollOutcome {
  const kind: ErrorKind =
    error instanceof StoreUnavailableError
      ? STORE_UNAVAILABLE
      : error instanceof LeaseLostError
        ? LEASE_LOST
        : "internal-error";
  const message = error instanceof Error ? error.message : String(error);
  return { sourceId, status: "error", errorKind: kind, error: message, ...counts, durationMs };
}
