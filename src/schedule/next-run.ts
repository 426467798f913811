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
    // The next run is what nearly every poll asks for; the lookahead (a thousand runs, tens of
    // ms) only when a backoff or a hint puts notBefore past it. (getNextRun() answers only for
    // a started task, hence getNextRuns(1).)
    const next = task.getNextRuns(1)[0];
    if (next === undefined || notBefore === undefined || next >= notBefore) return next;
    return task.getNextRuns(LOOKAHEAD_RUNS).find((run) => run >= notBefore) ?? notBefore;
  } finally {
    void task.destroy();
  }
}
