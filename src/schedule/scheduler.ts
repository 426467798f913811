// The only module that imports node-cron. One cron task per distinct schedule expression;
// each tick hands the enabled sources on that schedule to `onDue` (the poller dedupes overlaps).
import { createTask, type ScheduledTask } from "node-cron";
import type { SourceConfig } from "../config/types.js";

export interface SchedulerOptions {
  sources: SourceConfig[];
  defaultSchedule: string;
  onDue(sources: SourceConfig[]): void;
  timezone?: string;
}

export interface Scheduler {
  /** The first scheduled tick at or after `notBefore` (backoff, Retry-After), if any. */
  nextPollAt(sourceId: string, notBefore?: Date): Date | undefined;
  stop(): Promise<void>;
}

const LOOKAHEAD_RUNS = 1_000;

export function startScheduler(options: SchedulerOptions): Scheduler {
  const bySchedule = new Map<string, SourceConfig[]>();
  for (const source of options.sources) {
    if (!source.enabled) continue;
    const expression = source.schedule ?? options.defaultSchedule;
    bySchedule.set(expression, [...(bySchedule.get(expression) ?? []), source]);
  }
  const tasks = new Map<string, ScheduledTask>();
  const taskOfSource = new Map<string, ScheduledTask>();
  for (const [expression, sources] of bySchedule) {
    const task = createTask(expression, () => options.onDue(sources), {
      name: `poll ${expression}`,
      timezone: options.timezone ?? "UTC",
      noOverlap: true,
    });
    task.start();
    tasks.set(expression, task);
    for (const source of sources) taskOfSource.set(source.id, task);
  }
  return {
    nextPollAt(sourceId, notBefore) {
      const task = taskOfSource.get(sourceId);
      if (!task) return undefined;
      const next = task.getNextRun() ?? undefined;
      if (!next || !notBefore || next >= notBefore) return next;
      // Backoff can reach hours; look far enough ahead for any schedule, else report notBefore.
      return task.getNextRuns(LOOKAHEAD_RUNS).find((run) => run >= notBefore) ?? notBefore;
    },
    async stop() {
      // destroy(), not stop(): a stopped node-cron task still keeps the process alive.
      await Promise.all([...tasks.values()].map((task) => task.destroy()));
      tasks.clear();
      taskOfSource.clear();
    },
  };
}
