// The stale-source rule: no successful fetch for longer than `multiple` schedule intervals.
// Pure, so /api/sources, /metrics and `tributary sources` flag exactly the same sources.
import type { SourceState } from "./source.js";

export interface StalenessInput {
  enabled: boolean;
  state: SourceState | undefined;
  /** The longest gap between two runs of the source's schedule (see schedule/interval.ts). */
  intervalMs: number | undefined;
  /** `polling.staleAfterMultiple`. */
  multiple: number;
  /**
   * Since when this process has been expected to poll the source: the service start, or the
   * reload that added or re-enabled it. Counts for a source that never succeeded.
   */
  since: Date;
  now: Date;
}

/**
 * Disabled and gone sources are never stale: nobody expects them to be fetched, and their
 * status already says why. Without a usable interval there is no expectation to miss.
 */
export function isStale(input: StalenessInput): boolean {
  const { enabled, state, intervalMs, multiple, since, now } = input;
  if (!enabled || state?.status === "gone" || intervalMs === undefined) return false;
  const lastSuccess = state?.lastSuccessAt ? Date.parse(state.lastSuccessAt) : Number.NaN;
  const reference = Number.isNaN(lastSuccess) ? since.getTime() : lastSuccess;
  return now.getTime() - reference > multiple * intervalMs;
}
