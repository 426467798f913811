// What a config reload changes: the pure part (which sources came, went or changed, and which
// settings only a restart can apply). app/live.ts acts on it.
import type { CategoryRule, Config, SourceConfig } from "./types.js";

export interface SourceChanges {
  added: string[];
  removed: string[];
  /** Sources in both configs with any setting changed (url, title, schedule, enabled…). */
  changed: string[];
}

/** The answer to a reload (POST /admin/reload, SIGHUP, a file change). */
export type ReloadResult =
  | ({
      reloaded: true;
      /** Settings that changed in the file but keep their running value until a restart. */
      restartRequired: string[];
      /**
       * Sources whose category rules or default categories changed, with what re-applying them
       * to the stored entries did (absent on an instance that does not poll, role api).
       */
      rules?: { source: string; recategorised: number; dropped: number; unchanged: number }[];
    } & SourceChanges)
  | { reloaded: false; problems: string[] };

const SOURCE_FIELDS = [
  "title",
  "url",
  "publicUrl",
  "headers",
  "homepage",
  "categories",
  "schedule",
  "enabled",
] as const satisfies readonly (keyof SourceConfig)[];

/** The settings of a source that differ between two versions of it. */
export function changedFields(before: SourceConfig, after: SourceConfig): string[] {
  return SOURCE_FIELDS.filter(
    (field) => JSON.stringify(before[field]) !== JSON.stringify(after[field]),
  );
}

export function diffSources(before: SourceConfig[], after: SourceConfig[]): SourceChanges {
  const old = new Map(before.map((s) => [s.id, s]));
  const now = new Set(after.map((s) => s.id));
  return {
    added: after.filter((s) => !old.has(s.id)).map((s) => s.id),
    removed: before.filter((s) => !now.has(s.id)).map((s) => s.id),
    changed: after
      .filter((s) => {
        const previous = old.get(s.id);
        return previous !== undefined && changedFields(previous, s).length > 0;
      })
      .map((s) => s.id),
  };
}

/**
 * The sources a reload should poll at once: enabled now and not polled under these settings
 * before — new, re-enabled, or moved to another URL.
 */
export function sourcesToPollNow(before: SourceConfig[], after: SourceConfig[]): SourceConfig[] {
  const old = new Map(before.map((s) => [s.id, s]));
  return after.filter((s) => {
    const previous = old.get(s.id);
    return s.enabled && (!previous?.enabled || previous.url !== s.url);
  });
}

/** Settings bound at start-up: the listening socket and the store connection. */
const RESTART_ONLY: { path: string; read(config: Config): unknown }[] = [
  { path: "service.port", read: (c) => c.service.port },
  { path: "service.host", read: (c) => c.service.host },
  { path: "REDIS_URL / redis", read: (c) => c.redisUrl },
  { path: "REDIS_COMMAND_TIMEOUT_MS", read: (c) => c.redisCommandTimeoutMs },
];

/**
 * The reloaded config as it can run without a restart: restart-only settings keep their running
 * values (so /api and the logs describe what really runs), and `restartRequired` names them.
 */
export function applicableConfig(
  running: Config,
  next: Config,
): { config: Config; restartRequired: string[] } {
  const restartRequired = RESTART_ONLY.filter((s) => s.read(running) !== s.read(next)).map(
    (s) => s.path,
  );
  const config: Config = {
    ...next,
    service: { ...next.service, port: running.service.port, host: running.service.host },
  };
  if (running.redisUrl === undefined) delete config.redisUrl;
  else config.redisUrl = running.redisUrl;
  if (running.redisCommandTimeoutMs === undefined) delete config.redisCommandTimeoutMs;
  else config.redisCommandTimeoutMs = running.redisCommandTimeoutMs;
  return { config, restartRequired };
}

/**
 * The sources kept by a reload whose entries the category rules file differently now: the
 * global rules changed (every source), or the source's own rules or default categories did.
 * Sources added by the reload have nothing stored yet; removed ones are pruned, not re-filed.
 */
export function sourcesWithNewRules(before: Config, after: Config): SourceConfig[] {
  const globalChanged = JSON.stringify(before.rules) !== JSON.stringify(after.rules);
  const old = new Map(before.sources.map((source) => [source.id, source]));
  return after.sources.filter((source) => {
    const was = old.get(source.id);
    if (was === undefined) return false;
    return (
      globalChanged ||
      JSON.stringify(was.rules ?? []) !== JSON.stringify(source.rules ?? []) ||
      JSON.stringify(was.categories) !== JSON.stringify(source.categories)
    );
  });
}

/**
 * The sources kept by a reload whose old rules dropped entries that the new ones may keep: a
 * drop rule (global or the source's own) was removed or changed. Those entries were never
 * stored, so re-filing cannot bring them back; a fetch of the whole feed, without the
 * validators that would make the partner answer 304, does.
 */
export function sourcesWithFewerDrops(before: Config, after: Config): SourceConfig[] {
  const drops = (rules: readonly CategoryRule[] | undefined) =>
    (rules ?? []).filter((rule) => rule.drop === true).map((rule) => JSON.stringify(rule));
  const lost = (was: readonly string[], now: readonly string[]) =>
    was.some((rule) => !now.includes(rule));
  const globalLost = lost(drops(before.rules), drops(after.rules));
  const old = new Map(before.sources.map((source) => [source.id, source]));
  return after.sources.filter((source) => {
    const was = old.get(source.id);
    if (was === undefined || !source.enabled) return false;
    return globalLost || lost(drops(was.rules), drops(source.rules));
  });
}
