// How often a cron expression fires, for the stale-source rule. Here because only src/schedule/
// imports node-cron.
import { createTask } from "node-cron";

/** Enough runs to cover a week of a daily schedule, so weekday-only schedules show their weekend gap. */
const SAMPLE_RUNS = 50;

/**
 * The longest gap, in ms, between consecutive runs of `expression` among its next runs (UTC).
 * The longest rather than the usual one: a source polled "0 9 * * 1-5" is not late on Monday
 * morning just because Saturday and Sunday had no poll. Undefined when the expression does not
 * fire at least twice (e.g. a date that never comes).
 */
export function scheduleIntervalMs(expression: string, timezone = "UTC"): number | undefined {
  // A task that is never started computes runs without timers; destroy() unregisters it.
  const task = createTask(expression, () => {}, { timezone });
  try {
    const runs = task.getNextRuns(SAMPLE_RUNS);
    let longest: number | undefined;
    for (let i = 1; i < runs.length; i++) {
      const gap = (runs[i] as Date).getTime() - (runs[i - 1] as Date).getTime();
      if (longest === undefined || gap > longest) longest = gap;
    }
    return longest;
  } finally {
    void task.destroy();
  }
}
