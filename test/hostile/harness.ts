// A real Tributary (startService: memory store, worker-thread parsing, Koa over a socket) with
// sources pointing at a hostile server, plus the operator's views of it: /api/sources, the
// entries over HTTP, and the log lines. Each test starts its own and stops it at teardown.
import type { ExecutionContext } from "ava";
import { pino } from "pino";
import { request } from "undici";
import { type RunningService, startService } from "../../src/app/service.js";
import { fetchOptionsOf } from "../../src/app/wiring.js";
import type { Config, PollingConfig, SourceConfig } from "../../src/config/types.js";
import type { FetchOptions } from "../../src/ingest/fetch/fetch.js";
import { type RefreshDeps, refreshSource } from "../../src/ingest/refresh.js";
import { IngestPool } from "../../src/ingest/worker/pool.js";
import { isErrorKind, type PollOutcome } from "../../src/model/poll.js";
import type { Store } from "../../src/store/store.js";
import { makeConfig } from "../helpers/config.js";

export interface LogLine {
  level: number;
  msg: string;
  source?: string;
  errorKind?: string;
  [key: string]: unknown;
}

export interface SourceView {
  id: string;
  url: string;
  status: string;
  errorKind: string | null;
  lastError: string | null;
  lastSuccessAt: string | null;
  entries: number;
  nextPollAt: string | null;
  proposedUrl: string | null;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export interface Harness {
  service: RunningService;
  config: Config;
  logs: LogLine[];
  /** Operator-style poll (backoff ignored) unless `scheduled`. */
  poll(ids?: string[], options?: { scheduled?: boolean }): Promise<PollOutcome[]>;
  /** One poll through refreshSource with fetch options the config cannot express (resolver…). */
  refresh(
    id: string,
    fetch?: Partial<FetchOptions>,
    deps?: Partial<RefreshDeps>,
  ): Promise<PollOutcome>;
  sources(): Promise<SourceView[]>;
  source(id: string): Promise<SourceView>;
  /** Titles of a source's stored entries, as /api/updates serves them (newest first). */
  titles(id: string): Promise<string[]>;
  get(path: string): Promise<HttpAnswer>;
}

export interface HarnessOptions {
  sources: { id: string; url: string }[];
  polling?: Partial<PollingConfig>;
  /**
   * Parse in the service's own worker pool (built from `polling.parseTimeoutMs`) instead of the
   * pool the tests of one file share. A worker takes most of a second to start under tsx, so
   * sharing keeps the suite quick; parse-limit tests need their own.
   */
  ownPool?: boolean;
  /** Parse with this pool (a test that inspects the pool itself). */
  pool?: IngestPool;
  /** Start on this store (a restart, a config change) instead of an empty one. */
  store?: Store;
}

let shared: IngestPool | undefined;

/** The worker pool shared by the services of one test file; close it in `test.after.always`. */
export function sharedIngestPool(): IngestPool {
  shared ??= new IngestPool({ size: 2, timeoutMs: 10_000 });
  return shared;
}

export async function closeSharedPool(): Promise<void> {
  await shared?.close();
  shared = undefined;
}

export async function startHarness(t: ExecutionContext, options: HarnessOptions): Promise<Harness> {
  const sources: SourceConfig[] = options.sources.map(({ id, url }) => ({
    id,
    title: `Partner ${id}`,
    url,
    categories: ["news"],
    enabled: true,
  }));
  const config = makeConfig({
    // Generous limits: tests that are not about the deadline must not trip it on a busy machine.
    polling: { timeoutMs: 10_000, maxBytes: 1024 * 1024, ...options.polling },
    categories: [{ id: "news", title: "News", description: "Partner news" }],
    sources,
  });
  const logs: LogLine[] = [];
  const logger = pino(
    { level: "info" },
    { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) },
  );
  const service = await startService(config, logger, {
    pollAtStart: false,
    drainMs: 1000,
    ...(options.store ? { store: options.store } : {}),
    ...(options.ownPool ? {} : { ingestPool: options.pool ?? sharedIngestPool() }),
  });
  t.teardown(() => service.stop());

  const get = async (path: string): Promise<HttpAnswer> => {
    const response = await request(`${service.url}${path}`);
    return {
      status: response.statusCode,
      headers: response.headers,
      text: await response.body.text(),
    };
  };
  // Every hostile test reads /api/sources through here, so any errorKind outside the closed
  // vocabulary that a hostile partner can provoke fails the test that provoked it.
  const sourcesView = async () => {
    const views = JSON.parse((await get("/api/sources")).text) as SourceView[];
    for (const view of views) {
      if (view.errorKind !== null && !isErrorKind(view.errorKind)) {
        throw new Error(
          `/api/sources: ${view.id} has errorKind ${view.errorKind}, not an ErrorKind`,
        );
      }
    }
    return views;
  };
  const byId = (id: string) => {
    const source = sources.find((s) => s.id === id);
    if (!source) throw new Error(`no source ${id}`);
    return source;
  };
  return {
    service,
    config,
    logs,
    poll: (ids, pollOptions = {}) =>
      // A "scheduled" poll here is one that respects backoff and the partner's hints; due
      // times (one poll per cron tick across workers) are test/schedule's matter.
      service.poller.pollMany(ids === undefined ? sources : ids.map(byId), {
        force: pollOptions.scheduled !== true,
        ignoreDue: true,
      }),
    refresh: (id, fetch = {}, deps = {}) =>
      refreshSource(byId(id), {
        store: service.store,
        fetchOptions: { ...fetchOptionsOf(config), ...fetch },
        retention: config.retention,
        ...deps,
      }),
    sources: sourcesView,
    source: async (id) => {
      const found = (await sourcesView()).find((s) => s.id === id);
      if (!found) throw new Error(`/api/sources has no ${id}`);
      return found;
    },
    titles: async (id) => {
      const page = JSON.parse((await get(`/api/updates?source=${id}&limit=200`)).text) as {
        items: { title: string }[];
      };
      return page.items.map((item) => item.title);
    },
    get,
  };
}
