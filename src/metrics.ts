// Prometheus metrics: the only module that imports prom-client. One Registry per running
// service (not prom-client's global one), so several services in one process (tests, the
// benchmark) never share or double-register series.
import {
  Counter,
  collectDefaultMetrics,
  Gauge,
  Histogram,
  type MetricValueWithName,
  Registry,
} from "prom-client";
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

const PUSH_OUTCOMES = [
  "accepted",
  "rejected_signature",
  "rejected_size",
  "unknown_subscription",
  "failed",
] as const;
export type PushOutcome = (typeof PUSH_OUTCOMES)[number];

/**
 * The `source` label of a push to a source the config does not have. The path is anybody's to
 * write: labelling by it would let a stranger add a series per request. Not a valid source id.
 */
export const UNCONFIGURED_SOURCE = "(unconfigured)";

/** Records one answered request of a route: called once per request, so it only adds numbers. */
export type RequestRecorder = (method: string, status: number, seconds: number) => void;

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
  readonly #requests = new RequestSeries();
  readonly #recorders = new Map<string, RequestRecorder>();
  /** Fast-path answers not yet added to their counter (read at scrape time, as above). */
  #fastAnswers = 0;
  readonly #storeErrors: Counter<"operation">;
  readonly #websubPings: Counter<"hub" | "outcome">;
  readonly #hiddenEntries: Gauge;
  readonly #pushes: Counter<"source" | "outcome">;
  readonly #hubRequests: Counter<"mode" | "outcome">;
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
    this.#pushes = new Counter({
      name: "tributary_websub_pushes_total",
      help: "WebSub content pushes to a source's callback: accepted, rejected_signature, rejected_size, unknown_subscription, or failed (accepted but not stored).",
      labelNames: ["source", "outcome"],
      registers,
    });
    this.#hubRequests = new Counter({
      name: "tributary_websub_requests_total",
      help: "WebSub requests sent to partners' hubs, by mode (subscribe, renew, unsubscribe) and outcome (accepted, refused).",
      labelNames: ["mode", "outcome"],
      registers,
    });
    this.#hiddenEntries = new Gauge({
      name: "tributary_hidden_entries",
      help: "Entries an editor took down (POST /admin/updates/{id}/hide), kept out of every output.",
      registers,
    });
    this.#categoryEntries = new Gauge({
      name: "tributary_category_entries",
      help: 'Entries stored per category ("all" is every category merged).',
      labelNames: ["category"],
      registers,
    });
    // prom-client hashes the labels of every inc() and observe(), about half a microsecond a
    // request for the two: a cached feed answer costs little more than ten times that. The
    // counts are kept as plain numbers per series (RequestSeries) and read at scrape time.
    const requests = this.#requests;
    new Counter({
      name: "tributary_http_requests_total",
      help: "HTTP requests by matched route pattern, method and status.",
      labelNames: ["route", "method", "status"],
      registers,
      collect() {
        requests.flushCounts(this);
      },
    });
    const metrics = this;
    new Counter({
      name: "tributary_http_fast_path_answers_total",
      help: "Feed requests answered from cached bytes before the middleware chain (counted in tributary_http_requests_total too).",
      registers,
      collect() {
        this.inc(metrics.#fastAnswers);
        metrics.#fastAnswers = 0;
      },
    });
    this.registry.registerMetric(
      requestDurations(requests, {
        name: "tributary_http_request_duration_seconds",
        help: "HTTP request duration by matched route pattern and method.",
      }) as unknown as Histogram,
    );
    this.#storeErrors = new Counter({
      name: "tributary_store_errors_total",
      help: "Store operations that failed because the store was unavailable.",
      labelNames: ["operation"],
      registers,
    });
    this.#websubPings = new Counter({
      name: "tributary_websub_pings_total",
      help: "WebSub publish pings by hub and outcome: ok, failed (gave up), retried (one per retry).",
      labelNames: ["hub", "outcome"],
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
    this.requestsOf(route)(method, status, seconds);
  }

  /** A feed request was answered by the fast path (http/fast-path.ts). */
  countFastAnswer(): void {
    this.#fastAnswers++;
  }

  /** The recorder of one route pattern (bounded: patterns, not paths), made once. */
  requestsOf(route: string): RequestRecorder {
    let recorder = this.#recorders.get(route);
    if (recorder === undefined) {
      recorder = this.#requests.recorder(route);
      this.#recorders.set(route, recorder);
    }
    return recorder;
  }

  recordStoreError(operation: string): void {
    this.#storeErrors.inc({ operation });
  }

  /** One publish ping to `hub` (its label, without credentials) ended or was retried. */
  recordWebSubPing(hub: string, outcome: "ok" | "failed" | "retried"): void {
    this.#websubPings.inc({ hub, outcome });
  }

  /** Drops the per-source series of sources that left the config (on reload). */
  /** One content push to a source's callback, by what became of it. */
  recordPush(source: string, outcome: PushOutcome): void {
    this.#pushes.inc({ source, outcome });
  }

  /** One (un)subscription request to a hub, and whether the hub accepted it. */
  recordHubRequest(mode: "subscribe" | "renew" | "unsubscribe", accepted: boolean): void {
    this.#hubRequests.inc({ mode, outcome: accepted ? "accepted" : "refused" });
  }

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
      for (const outcome of PUSH_OUTCOMES) this.#pushes.remove({ source, outcome });
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
    const [states, counts, hidden] = await Promise.all([
      Promise.allSettled(config.sources.map((s) => store.getSourceState(s.id))),
      Promise.allSettled(categories.map((c) => store.count(c))),
      store.hidden().then(
        (entries) => entries.length,
        () => undefined,
      ),
    ]);
    // Reset and set with no await in between, so concurrent scrapes never see half a picture.
    for (const gauge of [this.#lastSuccess, this.#consecutiveFailures, this.#stale]) gauge.reset();
    this.#categoryEntries.reset();
    this.#hiddenEntries.reset();
    if (hidden !== undefined) this.#hiddenEntries.set(hidden);
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

/** Requests and durations of one (route, method), counted without prom-client per request. */
interface MethodSeries {
  labels: { route: string; method: string };
  /** Observations per HTTP_BUCKETS bound (not cumulative); the last is above every bound. */
  buckets: Float64Array;
  sum: number;
  count: number;
  /** Requests per status not yet added to the counter. */
  pending: Map<number, number>;
}

class RequestSeries {
  readonly #series: MethodSeries[] = [];

  recorder(route: string): RequestRecorder {
    const methods = new Map<string, MethodSeries>();
    return (method, status, seconds) => {
      let series = methods.get(method);
      if (series === undefined) {
        series = {
          labels: { route, method },
          buckets: new Float64Array(HTTP_BUCKETS.length + 1),
          sum: 0,
          count: 0,
          pending: new Map(),
        };
        methods.set(method, series);
        this.#series.push(series);
      }
      let bucket = 0;
      while (bucket < HTTP_BUCKETS.length && seconds > (HTTP_BUCKETS[bucket] as number)) bucket++;
      (series.buckets[bucket] as number)++;
      series.sum += seconds;
      series.count++;
      series.pending.set(status, (series.pending.get(status) ?? 0) + 1);
    };
  }

  /** Forgets every duration observed (the registry's resetMetrics). */
  reset(): void {
    for (const series of this.#series) {
      series.buckets.fill(0);
      series.sum = 0;
      series.count = 0;
    }
  }

  /** Adds the requests counted since the last scrape to the counter. */
  flushCounts(counter: Counter<"route" | "method" | "status">): void {
    for (const series of this.#series) {
      for (const [status, n] of series.pending) {
        counter.inc({ ...series.labels, status: String(status) }, n);
      }
      series.pending.clear();
    }
  }

  /** The histogram's series as prom-client exposes a Histogram's (cumulative `le` buckets). */
  histogramValues(name: string): MetricValueWithName<string>[] {
    const values: MetricValueWithName<string>[] = [];
    for (const series of this.#series) {
      let cumulative = 0;
      HTTP_BUCKETS.forEach((le, i) => {
        cumulative += series.buckets[i] as number;
        values.push({
          labels: { le, ...series.labels },
          value: cumulative,
          metricName: `${name}_bucket`,
        });
      });
      values.push({
        labels: { le: "+Inf", ...series.labels },
        value: series.count,
        metricName: `${name}_bucket`,
      });
      values.push({ labels: series.labels, value: series.sum, metricName: `${name}_sum` });
      values.push({ labels: series.labels, value: series.count, metricName: `${name}_count` });
    }
    return values;
  }
}

/**
 * A histogram for the registry, read from RequestSeries: what the registry asks of a metric
 * (its name, help, type, aggregator, get and reset), so it is written like any Histogram.
 */
function requestDurations(series: RequestSeries, meta: { name: string; help: string }) {
  // prom-client's typings give `type` as a numeric enum it does not export; it writes the
  // string into the exposition, as its own metrics hold it.
  const type = "histogram";
  const aggregator = "sum";
  return {
    ...meta,
    type,
    aggregator,
    async get() {
      return { ...meta, type, aggregator, values: series.histogramValues(meta.name) };
    },
    reset(): void {
      series.reset();
    },
  };
}
