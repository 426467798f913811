// Scrapes /metrics and reads it through a real Prometheus text-format parser.
import parsePrometheusTextFormat, { type PrometheusFamily } from "parse-prometheus-text-format";
import { call } from "./app.js";

export interface Scrape {
  status: number;
  contentType: string;
  text: string;
  families: Map<string, PrometheusFamily>;
  /** The value of the counter or gauge sample with exactly these labels, if present. */
  value(name: string, labels?: Record<string, string>): number | undefined;
  /** Every label set of a counter or gauge family. */
  labelSets(name: string): Record<string, string>[];
  /**
   * A histogram's `_count` for these labels. Read from the text: the parser merges every labelled
   * series of a histogram into one (it only knows unlabelled ones).
   */
  histogramCount(name: string, labels: Record<string, string>): number | undefined;
}

const sameLabels = (a: Record<string, string> = {}, b: Record<string, string> = {}) => {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
};

export async function scrape(baseUrl: string): Promise<Scrape> {
  const res = await call(`${baseUrl}/metrics`);
  const text = res.body.toString("utf8");
  const families = new Map(parsePrometheusTextFormat(text).map((f) => [f.name, f]));
  return {
    status: res.status,
    contentType: res.header("content-type"),
    text,
    families,
    value(name, labels = {}) {
      const sample = families.get(name)?.metrics.find((m) => sameLabels(m.labels, labels));
      return sample?.value === undefined ? undefined : Number(sample.value);
    },
    labelSets(name) {
      return (families.get(name)?.metrics ?? []).map((m) => m.labels ?? {});
    },
    histogramCount(name, labels) {
      for (const line of text.split("\n")) {
        const match = /^(\w+)_count\{(.*)\} (\S+)$/.exec(line);
        if (!match || match[1] !== name) continue;
        const found = Object.fromEntries(
          [...(match[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
        );
        if (sameLabels(found as Record<string, string>, labels)) return Number(match[3]);
      }
      return undefined;
    },
  };
}
