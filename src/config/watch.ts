// Notices edits of the config file. The directory is watched, not the file: editors and
// deployment tools replace a file by writing a new one and renaming it over the old, which ends a
// watch on the file itself; Kubernetes ConfigMap volumes swap a `..data` symlink instead.
import { type FSWatcher, watch } from "node:fs";
import { readFile } from "node:fs/promises";
import { basename, dirname } from "node:path";

export interface ConfigWatcher {
  close(): void;
}

export interface WatchOptions {
  /** Quiet time before acting, so one save (truncate, write, rename) makes one reload. */
  debounceMs?: number;
  onError?(error: Error): void;
}

/**
 * Calls `onChange` after the file's content changed (a save with the same bytes, or a touch, is
 * ignored). Does not validate: the callback reloads, and a reload validates.
 */
export async function watchConfigFile(
  path: string,
  onChange: () => void,
  options: WatchOptions = {},
): Promise<ConfigWatcher> {
  const name = basename(path);
  const debounceMs = options.debounceMs ?? 200;
  let last = await readText(path);
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const check = async () => {
    const text = await readText(path);
    // Missing or half-written (a rename in progress): wait for the event that completes it.
    if (closed || text === undefined || text === last) return;
    last = text;
    onChange();
  };
  const watcher: FSWatcher = watch(dirname(path), (_event, filename) => {
    // No name (some platforms), our file, or a ConfigMap's `..data` swap.
    if (filename && filename !== name && !filename.startsWith("..")) return;
    clearTimeout(timer);
    timer = setTimeout(() => void check(), debounceMs);
  });
  watcher.on("error", (error) => options.onError?.(error));
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      watcher.close();
    },
  };
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch {
    return undefined;
  }
}
