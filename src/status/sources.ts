// The status of every configured source as /api/sources and `tributary sources` show it: one
// read model, so the API, the CLI's table and its --json print the same fields from the same
// rules (a disabled source is `disabled`, a moved feed's new URL is redacted).
import type { Config, SourceConfig } from "../config/types.js";
import type { ErrorKind } from "../model/poll.js";
import { publicSourceUrl, redactUrl } from "../model/public-url.js";
import {
  type NextPollReason,
  proposedUrl,
  type SourceState,
  type SourceStatus,
} from "../model/source.js";
import { pushesHoldPollsUntil, pushHoldOf, pushStateOf } from "../model/websub.js";
import { ALL, type Store } from "../store/store.js";

export interface SourceView {
  id: string;
  title: string;
  /** The source's public URL (its `publicUrl`, else `url` without credentials). */
  url: string;
  enabled: boolean;
  categories: string[];
  status: SourceStatus;
  errorKind: ErrorKind | null;
  lastError: string | null;
  lastFetchAt: string | null;
  lastSuccessAt: string | null;
  /** When the current run of failures began; null while the source succeeds. */
  failingSince: string | null;
  entries: number;
  nextPollAt: string | null;
  /**
   * Why `nextPollAt` is what it is: `schedule`, a floor under it (`backoff`, `retry-after`,
   * `cache-control`, `expires`, `ttl`, `sy:updatePeriod`), or no next poll (`gone`, `disabled`).
   * Always set here; optional because `tributary sources --url` may read an older server.
   */
  nextPollReason?: NextPollReason;
  /** Where the feed moved to, once polls in a row saw the same 301/308; the config is not rewritten. */
  proposedUrl: string | null;
  /** No successful fetch for `polling.staleAfterMultiple` schedule intervals. */
  stale: boolean;
  /**
   * WebSub: `none`, `pending`, `active until <ISO time>` or `failed: <why>`. Always set here;
   * optional because `tributary sources --url` may read an older server.
   */
  push?: string;
}

/** Config order; a source never polled is `pending`, a disabled one `disabled` whatever it last did. */
export async function describeSources(
  config: Config,
  store: Store,
  nextPollAt: (sourceId: string, state: SourceState | undefined) => Date | undefined,
  isStale: (source: SourceConfig, state: SourceState | undefined) => boolean = () => false,
  /** The source's schedule interval (the polling stretch depends on it); absent: unknown. */
  scheduleIntervalMs: (source: SourceConfig) => number | undefined = () => undefined,
): Promise<SourceView[]> {
  const nowMs = Date.now();
  return Promise.all(
    config.sources.map(async (source): Promise<SourceView> => {
      const [state, entries, subscription] = await Promise.all([
        store.getSourceState(source.id),
        store.count(ALL, source.id),
        store.subscriptions.get(source.id),
      ]);
      // While the hub pushes, scheduled polls wait until the hold ends (or a push extends it).
      const heldUntil = config.websub.subscribe
        ? pushesHoldPollsUntil(
            pushHoldOf(subscription, state, {
              nowMs,
              scheduleIntervalMs: scheduleIntervalMs(source),
              safetyPollMs: config.websub.safetyPollSeconds * 1000,
            }),
          )
        : undefined;
      // Held back implies a fetch, hence a state.
      const next =
        heldUntil === undefined || state === undefined
          ? undefined
          : nextPollHeldBack(state, heldUntil);
      const nextPoll = (id: string, s: SourceState | undefined) =>
        nextPollAt(id, next === undefined ? s : next);
      return {
        id: source.id,
        title: source.title,
        url: publicSourceUrl(source),
        enabled: source.enabled,
        categories: source.categories,
        status: source.enabled ? (state?.status ?? "pending") : "disabled",
        errorKind: state?.errorKind ?? null,
        lastError: state?.lastError ?? null,
        lastFetchAt: state?.lastFetchAt ?? null,
        lastSuccessAt: state?.lastSuccessAt ?? null,
        failingSince: state?.failingSince ?? null,
        entries,
        nextPollAt: source.enabled ? (nextPoll(source.id, state)?.toISOString() ?? null) : null,
        nextPollReason:
          next !== undefined && source.enabled && state?.status !== "gone"
            ? heldReasonOf(source, state, next, nextPollAt)
            : nextPollReasonOf(source, state, nextPollAt),
        proposedUrl: redactedOrNull(proposedUrl(state)),
        stale: isStale(source, state),
        push: pushStateOf(subscription, nowMs),
      };
    }),
  );
}

/** The state as the schedule sees it while pushes hold polls back until `heldUntil`. */
function nextPollHeldBack(state: SourceState, heldUntil: number): SourceState {
  const floor = state.notBefore === undefined ? 0 : Date.parse(state.notBefore);
  return { ...state, notBefore: new Date(Math.max(floor, heldUntil)).toISOString() };
}

/** `websub` when the hold moved the next poll, else what would have named it. */
function heldReasonOf(
  source: SourceConfig,
  state: SourceState | undefined,
  held: SourceState,
  nextPollAt: (sourceId: string, state: SourceState | undefined) => Date | undefined,
): NextPollReason {
  const heldAt = nextPollAt(source.id, held)?.getTime();
  return heldAt === nextPollAt(source.id, state)?.getTime()
    ? nextPollReasonOf(source, state, nextPollAt)
    : "websub";
}

/** A moved feed's new URL is where the partner redirected us, credentials and all: redacted. */
function redactedOrNull(url: string | undefined): string | null {
  return url === undefined ? null : redactUrl(url);
}

/**
 * A floor names the next poll only when it moved it: a floor that ends before the next tick of
 * the schedule (or has passed) leaves the schedule as the reason.
 */
function nextPollReasonOf(
  source: SourceConfig,
  state: SourceState | undefined,
  nextPollAt: (sourceId: string, state: SourceState | undefined) => Date | undefined,
): NextPollReason {
  if (!source.enabled) return "disabled";
  if (state?.status === "gone" && (state.url === undefined || state.url === source.url)) {
    return "gone";
  }
  if (state?.notBefore === undefined) return "schedule";
  const floored = nextPollAt(source.id, state)?.getTime();
  const unfloored = nextPollAt(source.id, { ...state, notBefore: undefined })?.getTime();
  if (floored === unfloored) return "schedule";
  // States stored before the reason was recorded had a floor only after failures.
  return state.nextPollReason ?? "backoff";
}
