// The only module that imports node-cron (with interval.ts). One cron task per distinct schedule
// expression; each tick hands the enabled sources on that schedule to `onDue` (the poller dedupes
// overlaps). A reload updates the tasks in place.
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
  /**
   * Reschedules for a reloaded source list. Tasks of expressions still in use keep running (a
   * tick due right now is not lost) and take the new list; tasks of expressions no longer in use
   * are destroyed before new expressions get theirs. Each source is on exactly one task.
   */
  update(sources: SourceConfig[], defaultSchedule: string): Promise<void>;
  stop(): Promise<void>;
}

const LOOKAHEAD_RUNS = 1_000;

/** Enabled sources grouped by their effective cron expression. */
function groupBySchedule(
  sources: SourceConfig[],
  defaultSchedule: string,
): Map<string, SourceConfig[]> {
  const bySchedule = new Map<string, SourceConfig[]>();
  for (const source of sources) {
    if (!source.enabled) continue;
    const expression = source.schedule ?? defaultSchedule;
    bySchedule.set(expression, [...(bySchedule.get(expression) ?? []), source]);
  }
  return bySchedule;
}

export function startScheduler(options: SchedulerOptions): Scheduler {
  // Replaced as a whole on update, so a tick always reads one consistent plan.
  let plan = groupBySchedule(options.sources, options.defaultSchedule);
  let expressionOf = new Map<string, string>();
  const tasks = new Map<string, ScheduledTask>();
  /**
   * Each expression's next run, until it passes: every poll asks when its source is next due,
   * and node-cron computes a run in tens of µs — a thousand polls of one tick ask the same.
   */
  const nextRuns = new Map<string, Date>();
  const nextRunOf = (expression: string, task: ScheduledTask): Date | undefined => {
    const cached = nextRuns.get(expression);
    if (cached !== undefined && cached.getTime() > Date.now()) return cached;
    const next = task.getNextRun() ?? undefined;
    if (next === undefined) nextRuns.delete(expression);
    else nextRuns.set(expression, next);
    return next;
  };
  let stopped = false;

  /** Brings the tasks in line with `plan`; inline node-cron tasks start and stop synchronously. */
  const sync = (): Promise<unknown> => {
    expressionOf = new Map(
      [...plan].flatMap(([expression, sources]) => sources.map((s) => [s.id, expression] as const)),
    );
    const destroyed: unknown[] = [];
    for (const [expression, task] of [...tasks]) {
      if (plan.has(expression)) continue;
      tasks.delete(expression);
      nextRuns.delete(expression);
      destroyed.push(task.destroy());
    }
    for (const expression of plan.keys()) {
      if (tasks.has(expression)) continue;
      const task = createTask(expression, () => options.onDue(plan.get(expression) ?? []), {
        name: `poll ${expression}`,
        timezone: options.timezone ?? "UTC",
        noOverlap: true,
      });
      task.start();
      tasks.set(expression, task);
    }
    return Promise.all(destroyed);
  };
  void sync();

  return {
    nextPollAt(sourceId, notBefore) {
      const expression = expressionOf.get(sourceId);
      const task = expression === undefined ? undefined : tasks.get(expression);
      if (!task || expression === undefined) return undefined;
      const next = nextRunOf(expression, task);
      if (!next || !notBefore || next >= notBefore) return next;
      // Backoff can reach hours; look far enough ahead for any schedule, else report notBefore.
      return task.getNextRuns(LOOKAHEAD_RUNS).find((run) => run >= notBefore) ?? notBefore;
    },
    async update(sources, defaultSchedule) {
      if (stopped) return;
      plan = groupBySchedule(sources, defaultSchedule);
      await sync();
    },
    async stop() {
      stopped = true;
      plan = new Map();
      // destroy(), not stop(): a stopped node-cron task still keeps the process alive.
      await sync();
    },
  };
}
