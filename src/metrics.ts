// Prometheus metrics: the only module that imports prom-client. One Registry per running
// service (not prom-client's global one), so several services in one process (tests, the
// benchmark) never share or double-register series.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { Config, SourceConfig } from "./config/types.js";
import type { PollOutcome } from "./model/poll.js";
import type { Role } from "./model/role.js";
import type { SourceState } from "./model/source.js";
import { ALL, type Store } from "./store/store.js";

/** What a scrape reads from the running service: per-source state and per-category counts. */
export interface ScrapeView {
  config: Config;
  store: Store;
  isStale(source: SourceConfig, state: SourceState | undefined): boolean;
}

/** Fetches of partner feeds: from a fast 304 to a slow 15 MiB body near the 20 s deadline. */
const FETCH_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60];
/** Requests to Tributary: mostly cached bytes, so sub-millisecond to a few ms. */
const HTTP_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export class Metrics {
  readonly registry = new Registry();
  readonly #fetches: Counter<"source" | "outcome">;
  readonly #fetchDuration: Histogram<"source">;
  readonly #fetchBytes: Counter<"source">;
  readonly #entriesAdded: Counter<"source">;
  readonly #lastSuccess: Gauge<"source">;
  readonly #consecutiveFailures: Gauge<"source">;
  readonly #stale: Gauge<"source">;
  readonly #categoryEntries: Gauge<"category">;
  readonly #httpRequests: Counter<"route" | "method" | "status">;
  readonly #httpDuration: Histogram<"route" | "method">;
  readonly #storeErrors: Counter<"operation">;
  /** Outcome labels seen per source, so a removed source's fetch series can all be removed. */
  readonly #outcomesOf = new Map<string, Set<string>>();

  /** `role`: what this instance does (serve --role), a constant series to tell instances apart. */
  constructor(options: { role?: Role } = {}) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: "tributary_role",
      help: "1, labelled with what this instance does: all (serves and polls), api (serves), worker (polls).",
      labelNames: ["role"],
      registers,
    }).set({ role: options.role ?? "all" }, 1);
    this.#fetches = new Counter({
      name: "tributary_fetch_total",
      help: "Polls of a source by outcome: ok, not-modified, or the error kind (timeout, http-503…).",
      labelNames: ["source", "outcome"],
      registers,
    });
    this.#fetchDuration = new Histogram({
      name: "tributary_fetch_duration_seconds",
      help: "Duration of a source's fetch, redirects and body included.",
      labelNames: ["source"],
      buckets: FETCH_BUCKETS,
      registers,
    });
    this.#fetchBytes = new Counter({
      name: "tributary_fetch_bytes_total",
      help: "Bytes of feed bodies fetched from a source (304s fetch none).",
      labelNames: ["source"],
      registers,
    });
    this.#entriesAdded = new Counter({
      name: "tributary_entries_added_total",
      help: "New entries stored from a source.",
      labelNames: ["source"],
      registers,
    });
    this.#lastSuccess = new Gauge({
      name: "tributary_source_last_success_timestamp_seconds",
      help: "Unix time of a source's last successful fetch (absent if it never succeeded).",
      labelNames: ["source"],
      registers,
    });
    this.#consecutiveFailures = new Gauge({
      name: "tributary_source_consecutive_failures",
      help: "Failed polls of a source since its last success.",
      labelNames: ["source"],
      registers,
    });
    this.#stale = new Gauge({
      name: "tributary_source_stale",
      help: "1 when a source has had no successful fetch for polling.staleAfterMultiple schedule intervals.",
      labelNames: ["source"],
      registers,
    });
    this.#categoryEntries = new Gauge({
      name: "tributary_category_entries",
      help: 'Entries stored per category ("all" is every category merged).',
      labelNames: ["category"],
      registers,
    });
    this.#httpRequests = new Counter({
      name: "tributary_http_requests_total",
      help: "HTTP requests by matched route pattern, method and status.",
      labelNames: ["route", "method", "status"],
      registers,
    });
    this.#httpDuration = new Histogram({
      name: "tributary_http_request_duration_seconds",
      help: "HTTP request duration by matched route pattern and method.",
      labelNames: ["route", "method"],
      buckets: HTTP_BUCKETS,
      registers,
    });
    this.#storeErrors = new Counter({
      name: "tributary_store_errors_total",
      help: "Store operations that failed because the store was unavailable.",
      labelNames: ["operation"],
      registers,
    });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  recordPoll(outcome: PollOutcome): void {
    const source = outcome.sourceId;
    const label =
      outcome.status === "ok" || outcome.status === "not-modified"
        ? outcome.status
        : (outcome.errorKind ?? "error");
    this.#fetches.inc({ source, outcome: label });
    const seen = this.#outcomesOf.get(source) ?? new Set();
    this.#outcomesOf.set(source, seen.add(label));
    this.#fetchDuration.observe({ source }, outcome.durationMs / 1000);
    // inc(0) still creates the series, so every polled source shows up with its zero.
    this.#fetchBytes.inc({ source }, outcome.bytes ?? 0);
    this.#entriesAdded.inc({ source }, outcome.added);
  }

  recordRequest(route: string, method: string, status: number, seconds: number): void {
    this.#httpRequests.inc({ route, method, status: String(status) });
    this.#httpDuration.observe({ route, method }, seconds);
  }

  recordStoreError(operation: string): void {
    this.#storeErrors.inc({ operation });
  }

  /** Drops the per-source series of sources that left the config (on reload). */
  forgetSources(sourceIds: readonly string[]): void {
    for (const source of sourceIds) {
      for (const outcome of this.#outcomesOf.get(source) ?? []) {
        this.#fetches.remove({ source, outcome });
      }
      this.#outcomesOf.delete(source);
      for (const metric of [this.#fetchDuration, this.#fetchBytes, this.#entriesAdded]) {
        metric.remove({ source });
      }
      for (const gauge of [this.#lastSuccess, this.#consecutiveFailures, this.#stale]) {
        gauge.remove({ source });
      }
    }
  }

  /**
   * The text exposition. Source and category gauges are read from the store now, so they hold
   * for states written by other instances too; a value the store cannot give (an outage) is left
   * out of this scrape — the store error counter says why — and the rest is still served.
   */
  async render(view: ScrapeView): Promise<string> {
    const { config, store } = view;
    const categories = [ALL, ...config.categories.map((c) => c.id)];
    const [states, counts] = await Promise.all([
      Promise.allSettled(config.sources.map((s) => store.getSourceState(s.id))),
      Promise.allSettled(categories.map((c) => store.count(c))),
    ]);
    // Reset and set with no await in between, so concurrent scrapes never see half a picture.
    for (const gauge of [this.#lastSuccess, this.#consecutiveFailures, this.#stale]) gauge.reset();
    this.#categoryEntries.reset();
    config.sources.forEach((source, i) => {
      const read = states[i];
      if (read?.status !== "fulfilled") return;
      const state = read.value;
      const labels = { source: source.id };
      const lastSuccess = state?.lastSuccessAt ? Date.parse(state.lastSuccessAt) : Number.NaN;
      if (!Number.isNaN(lastSuccess)) this.#lastSuccess.set(labels, lastSuccess / 1000);
      this.#consecutiveFailures.set(labels, state?.consecutiveFailures ?? 0);
      this.#stale.set(labels, view.isStale(source, state) ? 1 : 0);
    });
    categories.forEach((category, i) => {
      const read = counts[i];
      if (read?.status === "fulfilled") this.#categoryEntries.set({ category }, read.value);
    });
    return this.registry.metrics();
  }
}
