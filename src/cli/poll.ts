// `tributary poll`: poll now (ignoring backoff), one line per source, exit 1 if any failed.
import type { Config, SourceConfig } from "../config/types.js";
import type { PollOutcome } from "../ingest/refresh.js";
import type { Logger } from "../log.js";
import { createIngestPool, createPoller, openStore } from "../runtime.js";
import { UsageError } from "./args.js";
import { PollProgress } from "./progress.js";

export async function pollCommand(
  config: Config,
  // `progress`: where to show a live "polled 3/12" line (main.ts passes stderr on a terminal).
  options: { sources: string[]; json: boolean; progress?: NodeJS.WritableStream },
  logger: Logger,
  stdout: NodeJS.WritableStream,
): Promise<number> {
  const selected = selectSources(config, options.sources);
  const store = await openStore(config, logger);
  const ingestPool = createIngestPool(config);
  try {
    const progress = options.progress && new PollProgress(options.progress, selected.length);
    const poller = createPoller(
      config,
      store,
      logger,
      undefined,
      progress?.update,
      ingestPool.ingest,
    );
    progress?.start();
    const outcomes = await poller.pollMany(selected, { force: true });
    progress?.finish();
    stdout.write(
      options.json ? `${JSON.stringify(outcomes, null, 2)}\n` : formatOutcomes(outcomes),
    );
    return outcomes.some((o) => o.status === "error" || o.status === "gone") ? 1 : 0;
  } finally {
    await ingestPool.close();
    await store.close();
  }
}

/** Named sources are polled even when disabled; with none named, every enabled source. */
export function selectSources(config: Config, ids: string[]): SourceConfig[] {
  if (ids.length === 0) return config.sources.filter((s) => s.enabled);
  const known = new Map(config.sources.map((s) => [s.id, s]));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new UsageError(
      `poll: unknown source ${unknown.map((id) => `"${id}"`).join(", ")} (known: ${[...known.keys()].join(", ")})`,
    );
  }
  return [...new Set(ids)].map((id) => known.get(id) as SourceConfig);
}

export function formatOutcomes(outcomes: PollOutcome[]): string {
  const width = Math.max(6, ...outcomes.map((o) => o.sourceId.length));
  return outcomes
    .map((o) => {
      const seconds = `${(o.durationMs / 1000).toFixed(2)}s`;
      const detail =
        o.status === "error" || o.status === "gone"
          ? `${o.errorKind}: ${o.error}`
          : `${o.added} new, ${o.updated} updated${o.dropped ? `, ${o.dropped} dropped` : ""}`;
      const moved = o.proposedUrl
        ? `  (moved permanently: update its url in the config to ${o.proposedUrl})`
        : o.movedTo
          ? `  (moved permanently to ${o.movedTo})`
          : "";
      return `${o.sourceId.padEnd(width)}  ${o.status.padEnd(12)}  ${detail}  ${seconds}${moved}\n`;
    })
    .join("");
}
