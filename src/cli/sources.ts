// `tributary sources`: every configured source's status as a table (or JSON), read from the
// shared store (REDIS_URL), or from a running server's GET /api/sources with --url. The
// embedded memory store lives inside the serving process, so without Redis a separate process
// has nothing to read: the command says so instead of printing a table of "pending".

import { openStore } from "../app/wiring.js";
import type { Config, SourceConfig } from "../config/types.js";
import type { Logger } from "../log.js";
import type { SourceState } from "../model/source.js";
import { isStale } from "../model/staleness.js";
import { scheduleIntervalMs } from "../schedule/interval.js";
import { nextRunAt } from "../schedule/next-run.js";
import { describeSources, type SourceView } from "../status/sources.js";
import { EXIT_CONFIG } from "./check-config.js";
import { errorMessageOf, unreachable } from "./server-answer.js";
import { type Colour, type Row, relativeTime, renderTable, truncate } from "./table.js";

export interface SourcesOptions {
  json: boolean;
  /** Base URL of a running Tributary; its /api/sources is read instead of the store. */
  url?: string;
  /** ANSI colours: the caller decides (a terminal, and NO_COLOR unset). */
  colour: boolean;
}

interface Output {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** A server that does not answer in this long is reported, not waited for. */
const SERVER_TIMEOUT_MS = 10_000;

/** With `options.url` the config is not needed (the server has its own); without it, it is. */
export async function sourcesCommand(
  config: Config | undefined,
  options: SourcesOptions,
  logger: Logger,
  out: Output,
  now: Date = new Date(),
): Promise<number> {
  let views: SourceView[];
  if (options.url !== undefined) {
    const fetched = await fetchSourceViews(options.url);
    if (!fetched.ok) {
      out.stderr.write(`tributary sources: ${fetched.message}\n`);
      return 1;
    }
    views = fetched.views;
  } else {
    if (config === undefined)
      throw new Error("tributary sources: a config is needed without --url");
    if (!config.redisUrl) {
      out.stderr.write(
        "tributary sources: REDIS_URL is unset, so the service keeps its state in the embedded " +
          "memory store inside the serving process, which this command cannot read.\n" +
          "Ask the running server with --url http://host:port, or set REDIS_URL to the shared Redis.\n",
      );
      return EXIT_CONFIG;
    }
    const store = await openStore(config, logger);
    try {
      views = await describeSources(
        config,
        store,
        (id, state) => nextPollOf(config, id, state, now),
        (source, state) => staleOf(config, source, state, now),
        (source) => scheduleIntervalMs(source.schedule ?? config.polling.schedule),
      );
    } finally {
      await store.close();
    }
  }
  out.stdout.write(
    options.json
      ? `${JSON.stringify(views, null, 2)}\n`
      : formatSources(views, now, { colour: options.colour }),
  );
  return 0;
}

/** As the scheduler computes it: the first tick of the source's schedule after any backoff. */
function nextPollOf(
  config: Config,
  sourceId: string,
  state: SourceState | undefined,
  now: Date,
): Date | undefined {
  const source = config.sources.find((s) => s.id === sourceId);
  if (!source?.enabled || state?.status === "gone") return undefined;
  const notBefore = state?.notBefore ? new Date(state.notBefore) : undefined;
  return nextRunAt(
    source.schedule ?? config.polling.schedule,
    notBefore && notBefore > now ? notBefore : now,
  );
}

/**
 * The server's rule (model/staleness.ts), except that this process cannot know since when the
 * server has been expecting a source that never succeeded: such a source counts from now, so
 * only a last success that is too old makes it stale here. --url gives the server's own view.
 */
function staleOf(
  config: Config,
  source: SourceConfig,
  state: SourceState | undefined,
  now: Date,
): boolean {
  return isStale({
    enabled: source.enabled,
    state,
    intervalMs: scheduleIntervalMs(source.schedule ?? config.polling.schedule),
    multiple: config.polling.staleAfterMultiple,
    since: now,
    now,
  });
}

type Fetched = { ok: true; views: SourceView[] } | { ok: false; message: string };

async function fetchSourceViews(base: string): Promise<Fetched> {
  const url = `${base.replace(/\/+$/, "")}/api/sources`;
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { accept: "application/json" },
      signal: AbortSignal.timeout(SERVER_TIMEOUT_MS),
    });
  } catch (error) {
    return { ok: false, message: unreachable(url, error, SERVER_TIMEOUT_MS) };
  }
  const text = await response.text().catch(() => "");
  if (!response.ok) {
    const detail = errorMessageOf(text);
    return {
      ok: false,
      message: `${url} answered HTTP ${response.status}${detail ? `: ${detail}` : ""}`,
    };
  }
  try {
    const views = JSON.parse(text) as unknown;
    if (Array.isArray(views) && views.every(isSourceView)) return { ok: true, views };
  } catch {
    // Reported below with the same message as a wrong shape.
  }
  return { ok: false, message: `${url} did not answer with a Tributary source list` };
}

function isSourceView(value: unknown): value is SourceView {
  const view = value as Partial<SourceView> | null;
  return (
    typeof view === "object" &&
    view !== null &&
    typeof view.id === "string" &&
    typeof view.status === "string" &&
    typeof view.entries === "number"
  );
}

const STATUS_COLOURS: Record<string, Colour> = {
  ok: "green",
  "not-modified": "green",
  error: "red",
  gone: "red",
  pending: "dim",
  disabled: "dim",
};

const LAST_ERROR_WIDTH = 48;

export function formatSources(
  views: SourceView[],
  now: Date,
  options: { colour: boolean },
): string {
  if (views.length === 0) return "no sources configured\n";
  // The stale flag comes with servers (and configs) that know the rule.
  const withStale = views.some((view) => typeof view.stale === "boolean");
  // The push column appears once a source has a WebSub subscription (or had one fail).
  const withPush = views.some((view) => view.push !== undefined && view.push !== "none");
  const header = [
    "id",
    "status",
    ...(withStale ? ["stale"] : []),
    "last success",
    "entries",
    "next poll",
    ...(withPush ? ["push"] : []),
    "last error",
  ];
  const rows: Row[] = views.map((view) => {
    const error =
      view.status === "error" || view.status === "gone"
        ? truncate(`${view.errorKind ?? "error"}: ${view.lastError ?? ""}`, LAST_ERROR_WIDTH)
        : "";
    return [
      view.id,
      { text: view.status, colour: STATUS_COLOURS[view.status] },
      ...(withStale
        ? [view.stale ? { text: "stale", colour: "yellow" as const } : { text: "" }]
        : []),
      view.lastSuccessAt === null ? "never" : relativeTime(view.lastSuccessAt, now),
      String(view.entries),
      view.nextPollAt === null ? "—" : relativeTime(view.nextPollAt, now),
      ...(withPush ? [pushCell(view.push)] : []),
      { text: error, colour: "red" },
    ];
  });
  return renderTable(header, rows, options);
}

/** A push state in the table: failures in red, active in green, the rest as they are. */
function pushCell(push: string | undefined): Row[number] {
  if (push === undefined || push === "none") return { text: "none", colour: "dim" };
  if (push.startsWith("failed")) return { text: truncate(push, LAST_ERROR_WIDTH), colour: "red" };
  if (push.startsWith("active")) return { text: push, colour: "green" };
  return { text: push };
}
