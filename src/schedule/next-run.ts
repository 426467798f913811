// When a cron expression next fires, for commands that report schedules without running them
// (`tributary sources` reading a shared store). Here because only src/schedule/ imports node-cron.
import { createTask } from "node-cron";

/** Far enough ahead for any schedule to reach an hours-long backoff (as the scheduler does). */
const LOOKAHEAD_RUNS = 1_000;

/** The first run of `expression` at or after `notBefore` (from now when absent). */
export function nextRunAt(
  expression: string,
  notBefore: Date | undefined,
  timezone = "UTC",
): Date | undefined {
  // A task that is never started computes runs without timers; destroy() unregisters it.
  const task = createTask(expression, () => undefined, { timezone });
  try {
    const runs = task.getNextRuns(LOOKAHEAD_RUNS);
    if (notBefore === undefined) return runs[0];
    return runs.find((run) => run >= notBefore) ?? notBefore;
  } finally {
    void task.destroy();
  }
}
