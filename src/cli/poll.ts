// `tributary poll`: poll now (ignoring backoff), one line per source, exit 1 if any failed.

import { createIngestPool, createPoller, openStore } from "../app/wiring.js";
import type { Config, SourceConfig } from "../config/types.js";
import type { Logger } from "../log.js";
import type { PollOutcome } from "../model/poll.js";
import { UsageError } from "./args.js";
import { EXIT_CONFIG } from "./check-config.js";
import { pollThroughServer } from "./poll-remote.js";
import { PollProgress } from "./progress.js";

/**
 * `poll --url`: the server at `url` polls (its admin API, with ADMIN_TOKEN) and the outcomes are
 * printed as a local poll prints them.
 */
export async function remotePollCommand(
  options: { url: string; sources: string[]; json: boolean; adminToken: string | undefined },
  out: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream },
): Promise<number> {
  if (!options.adminToken) {
    out.stderr.write(
      "tributary poll: --url asks the server's admin API, which needs ADMIN_TOKEN: set it to the server's token\n",
    );
    return EXIT_CONFIG;
  }
  const polled = await pollThroughServer(options.url, options.sources, options.adminToken);
  if (!polled.ok) {
    out.stderr.write(`tributary poll: ${polled.message}\n`);
    return 1;
  }
  return printOutcomes(polled.outcomes, options.json, out.stdout);
}

export async function pollCommand(
  config: Config,
  // `progress`: where to show a live "polled 3/12" line (main.ts passes stderr on a terminal).
  options: { sources: string[]; json: boolean; progress?: NodeJS.WritableStream },
  logger: Logger,
  out: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream },
): Promise<number> {
  const selected = selectSources(config, options.sources);
  const store = await openStore(config, logger);
  if (store.kind === "memory") {
    // The entries would land in this process's memory and vanish with it: a running server
    // keeps its own. Polling still shows what each partner answers, so it goes ahead.
    out.stderr.write(EMBEDDED_STORE_NOTICE);
  }
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
    const outcomes = await poller.pollMany(selected, { force: true }).finally(() => poller.close());
    progress?.finish();
    return printOutcomes(outcomes, options.json, out.stdout);
  } finally {
    await ingestPool.close();
    await store.close();
  }
}

export const EMBEDDED_STORE_NOTICE =
  "tributary poll: REDIS_URL is unset, so this polls into an embedded memory store that is thrown away when the command ends (a running server keeps its own); to make a running server poll, use --url http://host:port with ADMIN_TOKEN, or set REDIS_URL to the shared Redis\n";

/** Exit 1 when any source failed. */
function printOutcomes(outcomes: PollOutcome[], json: boolean, stdout: NodeJS.WritableStream) {
  stdout.write(json ? `${JSON.stringify(outcomes, null, 2)}\n` : formatOutcomes(outcomes));
  return outcomes.some((o) => o.status === "error" || o.status === "gone") ? 1 : 0;
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
