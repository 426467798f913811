// `tributary prune --source ID`: removes a source's entries and fetch state from the shared
// store, after the source was taken out of the config (its entries would otherwise stay in
// the feeds until retention ages them out). A source still in the config is refused unless
// --force: the next poll would bring its entries straight back.

import { openStore } from "../app/wiring.js";
import type { Config } from "../config/types.js";
import type { Logger } from "../log.js";
import { ALL, type Store } from "../store/store.js";
import { EXIT_CONFIG } from "./check-config.js";

export interface PruneOptions {
  source: string;
  force: boolean;
}

interface Output {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export async function pruneCommand(
  config: Config,
  options: PruneOptions,
  logger: Logger,
  out: Output,
): Promise<number> {
  if (!config.redisUrl) {
    out.stderr.write(
      "tributary prune: REDIS_URL is unset, so entries live in the embedded memory store of the " +
        "serving process and are gone when it restarts; there is nothing here to prune.\n",
    );
    return EXIT_CONFIG;
  }
  const store = await openStore(config, logger);
  try {
    return await pruneSource(store, config, options, out);
  } finally {
    await store.close();
  }
}

/** The command without the store's lifecycle, so it runs against any Store. */
export async function pruneSource(
  store: Store,
  config: Config,
  options: PruneOptions,
  out: Output,
): Promise<number> {
  const { source: id, force } = options;
  const configured = config.sources.find((s) => s.id === id);
  if (configured && !force) {
    out.stderr.write(
      `tributary prune: source "${id}" is still in the config${configured.enabled ? "" : " (disabled)"}; ` +
        "remove it from the config first (a poll would bring its entries back), or pass --force\n",
    );
    return 1;
  }
  const [entries, state] = await Promise.all([store.count(ALL, id), store.getSourceState(id)]);
  if (entries === 0 && state === undefined) {
    out.stderr.write(`tributary prune: the store holds nothing for source "${id}"\n`);
    return 1;
  }
  const removed = await store.removeSource(id);
  out.stdout.write(
    `pruned source "${id}": ${removed} entr${removed === 1 ? "y" : "ies"} removed, fetch state deleted\n`,
  );
  return 0;
}
