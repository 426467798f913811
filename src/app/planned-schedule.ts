// The schedule of an instance that never polls (role api): no cron task runs, so nothing keeps
// the process busy or fetches a partner, but /api/sources still says when each source is next
// due, computed from the same expressions the workers run (the config is each instance's own).
import type { SourceConfig } from "../config/types.js";
import { nextRunAt } from "../schedule/next-run.js";
import type { Scheduler, SchedulerOptions } from "../schedule/scheduler.js";

export function plannedSchedule(options: SchedulerOptions): Scheduler {
  let expressionOf = expressions(options.sources, options.defaultSchedule);
  const timezone = options.timezone ?? "UTC";
  return {
    nextPollAt(sourceId, notBefore) {
      const expression = expressionOf.get(sourceId);
      return expression === undefined ? undefined : nextRunAt(expression, notBefore, timezone);
    },
    async update(sources, defaultSchedule) {
      expressionOf = expressions(sources, defaultSchedule);
    },
    async stop() {
      expressionOf = new Map();
    },
  };
}

/** Each enabled source's effective cron expression, as the scheduler groups them. */
function expressions(sources: SourceConfig[], defaultSchedule: string): Map<string, string> {
  return new Map(
    sources.filter((s) => s.enabled).map((s) => [s.id, s.schedule ?? defaultSchedule] as const),
  );
}
