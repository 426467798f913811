// One source, top to bottom: state → fetch → ingest → store → state. Each step is one named call;
// the rules of each step live in its own module (fetch.ts, ingest.ts, poll-state.ts, the store).
import type { SourceConfig } from "../config/types.js";
import type { SourceState } from "../model/source.js";
import { type RetentionPolicy, type Store, StoreUnavailableError } from "../store/store.js";
import { type FetchOptions, fetchFeed } from "./fetch.js";
import { ingestBytes } from "./ingest.js";
import { FeedParseError } from "./parse-errors.js";
import { afterFailure, afterNotModified, afterSuccess, stateForUrl } from "./poll-state.js";

export type PollStatus = "ok" | "not-modified" | "error" | "gone";

export interface PollOutcome {
  sourceId: string;
  status: PollStatus;
  errorKind?: string;
  error?: string;
  added: number;
  updated: number;
  unchanged: number;
  /** Entries of this poll that were unusable and skipped. */
  dropped: number;
  /** Entries removed by retention after this poll. */
  expired: number;
  durationMs: number;
  /** Target of a permanent redirect, proposed to the operator (the config is never rewritten). */
  movedTo?: string;
}

export interface RefreshDeps {
  store: Store;
  fetchOptions: FetchOptions;
  retention: RetentionPolicy;
  now?: () => Date;
}

const counts = { added: 0, updated: 0, unchanged: 0, dropped: 0, expired: 0 };

export async function refreshSource(source: SourceConfig, deps: RefreshDeps): Promise<PollOutcome> {
  const now = deps.now ?? (() => new Date());
  const started = now();
  const previous = stateForUrl(await deps.store.getSourceState(source.id), source.url);
  const fetched = await fetchFeed(source.url, validatorsOf(previous), deps.fetchOptions);
  const fail = (kind: string, message: string, retryAfter?: Date) =>
    recordFailure(
      source,
      previous,
      { kind, message, retryAfter },
      started,
      fetched.durationMs,
      deps,
    );

  if (fetched.kind === "failed") {
    const { error } = fetched;
    return fail(error.kind, error.message, error.retryAfter);
  }
  if (fetched.kind === "not-modified") {
    // A 304 costs no parse and no entry write: only the fetch state moves.
    await deps.store.setSourceState(
      source.id,
      afterNotModified(previous, fetched.validators, started, fetched.durationMs),
    );
    return {
      sourceId: source.id,
      status: "not-modified",
      ...counts,
      durationMs: fetched.durationMs,
    };
  }

  let ingested: Awaited<ReturnType<typeof ingestBytes>>;
  try {
    ingested = await ingestBytes(
      fetched.body,
      fetched.contentType,
      { id: source.id, categories: source.categories, feedUrl: fetched.finalUrl },
      started,
    );
  } catch (error) {
    if (error instanceof FeedParseError) return fail(error.kind, error.message);
    throw error;
  }

  const written = await deps.store.upsert(ingested.updates, {
    fallbackDated: ingested.fallbackDated,
  });
  const expired = await deps.store.applyRetention(source.id, deps.retention, started);
  await deps.store.setSourceState(
    source.id,
    afterSuccess(
      previous,
      {
        validators: fetched.validators,
        feedTitle: ingested.feedTitle,
        feedLink: ingested.feedLink,
        movedTo: fetched.permanentRedirect,
      },
      started,
      fetched.durationMs,
    ),
  );
  return {
    sourceId: source.id,
    status: "ok",
    ...written,
    dropped: ingested.dropped.length,
    expired,
    durationMs: fetched.durationMs,
    movedTo: fetched.permanentRedirect,
  };
}

function validatorsOf(state: SourceState) {
  return { etag: state.etag, lastModified: state.lastModified };
}

async function recordFailure(
  source: SourceConfig,
  previous: SourceState,
  failure: { kind: string; message: string; retryAfter?: Date },
  started: Date,
  durationMs: number,
  deps: RefreshDeps,
): Promise<PollOutcome> {
  const next = afterFailure(previous, failure, started, durationMs);
  await deps.store.setSourceState(source.id, next);
  return {
    sourceId: source.id,
    status: next.status === "gone" ? "gone" : "error",
    errorKind: failure.kind,
    error: failure.message,
    ...counts,
    durationMs,
  };
}

/** A poll that could not even record its outcome (store down, bug): reported, never thrown. */
export function crashedOutcome(sourceId: string, error: unknown, durationMs: number): PollOutcome {
  const kind = error instanceof StoreUnavailableError ? "store-unavailable" : "internal-error";
  const message = error instanceof Error ? error.message : String(error);
  return { sourceId, status: "error", errorKind: kind, error: message, ...counts, durationMs };
}
