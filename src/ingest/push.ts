// A WebSub content push (the hub POSTed the feed, or the part of it that changed, to our
// callback), stored the way a poll's body is: decode → parse → normalise (the same worker pool,
// limits and sanitising), the source's category rules, then an idempotent upsert. Unlike a poll
// it records no fetch state (no validators, no backoff: nothing was fetched) and applies no
// age-based retention: a push may carry only the newest entries, so what it lists is not what
// the partner's feed lists, and the next poll, which sees the whole feed, applies retention.
import { redactUrl } from "../model/public-url.js";
import type { Source } from "../model/source.js";
import { newestWithinCap } from "../store/plan.js";
import type { RetentionPolicy, Store, UpsertResult } from "../store/store.js";
import type { SourceRules } from "./categorise.js";
import { ingestBytes } from "./ingest.js";
import type { IngestFn } from "./worker/pool.js";

export interface PushDeps {
  store: Store;
  retention: RetentionPolicy;
  /** decode → parse → normalise; the service passes its worker pool (IngestPool.ingest). */
  ingest?: IngestFn;
  rules?: SourceRules;
  now?: () => Date;
}

export interface PushResult extends UpsertResult {
  dropped: number;
}

/**
 * Rejects with the ingest failure (an IngestFailure: parse-error, not-a-feed, parse-timeout)
 * or a store error; the caller logs and counts it, there is nobody to answer by then.
 */
export async function storePushed(
  source: Source,
  body: Buffer,
  contentType: string | undefined,
  /** The topic the hub pushed: relative links in the body resolve against it. */
  topic: string,
  deps: PushDeps,
): Promise<PushResult> {
  const now = (deps.now ?? (() => new Date()))();
  const ingested = await (deps.ingest ?? ingestBytes)(
    body,
    contentType,
    { id: source.id, categories: source.categories, feedUrl: redactUrl(topic) },
    now,
  );
  const categorised = deps.rules?.apply(ingested.updates) ?? {
    kept: ingested.updates,
    dropped: [],
  };
  const written = await deps.store.upsert(newestWithinCap(categorised.kept, deps.retention), {
    fallbackDated: ingested.fallbackDated,
  });
  return { ...written, dropped: ingested.dropped.length + categorised.dropped.length };
}
