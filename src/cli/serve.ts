import { type RunningService, startService } from "../app/service.js";
import { loadConfig } from "../config/load.js";
import type { Config } from "../config/types.js";
import { type ConfigWatcher, watchConfigFile } from "../config/watch.js";
import type { Logger } from "../log.js";
import type { Role } from "../model/role.js";

export interface ServeOptions {
  /**
   * The file the config was read from: read again on SIGHUP, on POST /admin/reload and when it
   * changes on disk. Absent (demo mode), there is nothing to reload.
   */
  configPath?: string;
  /** The environment the config was read with; its overrides apply to every reload too. */
  env?: Record<string, string | undefined>;
  /** serve --role (default all); checked against the config with `roleProblem` first. */
  role?: Role;
}

/**
 * Why `role` cannot run with this config, in one line: an api or worker instance only makes
 * sense beside others that see the same data, and the embedded memory store is this process's.
 */
export function roleProblem(role: Role, config: Pick<Config, "redisUrl">): string | undefined {
  if (role === "all" || config.redisUrl) return undefined;
  return `--role ${role}: needs REDIS_URL (the embedded memory store is not shared between processes)`;
}

/** `tributary serve`: runs until SIGTERM or SIGINT, then stops cleanly; SIGHUP reloads the config. */
export async function serveCommand(
  config: Config,
  logger: Logger,
  options: ServeOptions = {},
): Promise<void> {
  const { configPath, env = {}, role } = options;
  let service: RunningService | undefined;
  // A change or SIGHUP during start-up is applied once the service runs.
  let pending: string | undefined;
  const reload = (trigger: string) => {
    if (!service) {
      pending = trigger;
      return;
    }
    // A reload logs its own outcome (applied, or rejected with the problems); this catches bugs.
    service.reload(trigger).catch((error: unknown) => {
      logger.error({ err: error, trigger }, "config reload failed");
    });
  };

  // Watching starts before the service, so no edit made after the config was read is missed.
  let watcher: ConfigWatcher | undefined;
  const onHangup = () => reload("SIGHUP");
  if (configPath !== undefined) {
    // Without a file, SIGHUP keeps its default (the process ends with its terminal).
    process.on("SIGHUP", onHangup);
    watcher = await watchConfig(configPath, () => reload("file-change"), logger);
  }
  let started: RunningService;
  try {
    started = await startService(config, logger, {
      reloadConfig: configPath === undefined ? undefined : () => loadConfig(configPath, env),
      role,
    });
  } catch (error) {
    // An open watch would keep the failed process alive (a port in use, Redis refused).
    watcher?.close();
    process.off("SIGHUP", onHangup);
    throw error;
  }
  service = started;
  if (pending) reload(pending);

  const onSignal = (signal: NodeJS.Signals) => {
    logger.info({ signal }, "shutting down");
    watcher?.close();
    started.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", onSignal);
  process.once("SIGINT", onSignal);
}

/** A watch that cannot start (no inotify slots, an odd filesystem) leaves SIGHUP and the API. */
async function watchConfig(
  path: string,
  onChange: () => void,
  logger: Logger,
): Promise<ConfigWatcher | undefined> {
  const warn = (error: unknown) =>
    logger.warn(
      { path, err: error instanceof Error ? error.message : String(error) },
      "cannot watch the config file; reload with SIGHUP or POST /admin/reload",
    );
  try {
    return await watchConfigFile(path, onChange, { onError: warn });
  } catch (error) {
    warn(error);
    return undefined;
  }
}
