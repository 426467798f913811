// `tributary check-source URL`: fetches one candidate feed with the same fetcher and limits as
// a poll and prints what Tributary would make of it. What is done with the URL lives in
// src/ingest/probe/ (probe.ts fetches and ingests, source-report.ts decides the verdict and
// warnings); this command wires the collaborators and prints.
// Exit 0 when the URL is usable as a source, 1 when it is not.

import { createIngestPool, fetchOptionsOf } from "../app/wiring.js";
import type { Config } from "../config/types.js";
import { SourceRules } from "../ingest/categorise.js";
import { fetchFeed } from "../ingest/fetch/fetch.js";
import { probeSource } from "../ingest/probe/probe.js";
import type { ConditionalCheck, SourceReport } from "../ingest/probe/source-report.js";
import { redactUrl } from "../model/public-url.js";

export interface CheckSourceOptions {
  url: string;
  json: boolean;
  /** Also show what the category rules (global, and the source's if the URL is one) do. */
  rules?: boolean;
}

export async function checkSourceCommand(
  config: Config,
  options: CheckSourceOptions,
  stdout: NodeJS.WritableStream,
): Promise<number> {
  const report = await checkSource(config, options.url, { rules: options.rules === true });
  // The report names URLs redacted, so they are compared redacted.
  const configured = config.sources.find(
    (s) => redactUrl(s.url) === report.url || redactUrl(s.url) === report.finalUrl,
  );
  if (options.json) {
    stdout.write(
      `${JSON.stringify({ ...report, configuredAs: configured?.id ?? null }, null, 2)}\n`,
    );
  } else {
    stdout.write(formatSourceReport(report, configured?.id));
  }
  return report.usable ? 0 : 1;
}

/**
 * The URL of a configured source is fetched with its headers and its entries filed as its own;
 * the ingest runs in a pool, as a poll's does: the parse time limit and the worker's heap limit
 * apply, so a hostile document fails with parse-timeout instead of hanging the command.
 */
export async function checkSource(
  config: Config,
  url: string,
  options: { rules?: boolean } = {},
): Promise<SourceReport> {
  const known = config.sources.find((s) => s.url === url);
  const rules = options.rules ? new SourceRules(config.rules, known?.rules) : undefined;
  const pool = createIngestPool(config);
  try {
    return await probeSource(
      url,
      { id: known?.id ?? "check-source", categories: known?.categories ?? [] },
      {
        fetch: fetchFeed,
        fetchOptions: { ...fetchOptionsOf(config), headers: known?.headers },
        ingest: pool.ingestDocument,
        ...(rules === undefined ? {} : { rules }),
      },
    );
  } finally {
    await pool.close();
  }
}

/** Entries listed with their categories by `--rules` in text; --json lists every one. */
const RULE_LINES = 20;

const FORMAT_NAMES: Record<NonNullable<SourceReport["format"]>, string> = {
  rss: "RSS",
  rdf: "RSS 1.0 (RDF)",
  atom: "Atom",
  json: "JSON Feed",
};

const CONDITIONAL_NAMES: Record<ConditionalCheck, string> = {
  "not-modified": "a conditional request got 304 Not Modified",
  "full-body": "a conditional request got the whole feed again",
  failed: "the conditional request failed",
  "not-checked": "no conditional request possible",
};

function sizeOf(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** `2026-03-02 10:00Z`: minutes are enough to recognise an entry. */
const shortDate = (iso: string): string => `${iso.slice(0, 10)} ${iso.slice(11, 16)}Z`;

export function formatSourceReport(report: SourceReport, configuredAs?: string): string {
  const lines: string[] = [report.url];
  const row = (label: string, value: string) => lines.push(`  ${label.padEnd(10)}  ${value}`);
  if (report.finalUrl !== report.url) row("final URL", report.finalUrl);
  if (configuredAs !== undefined) row("configured", `already a source: ${configuredAs}`);
  if (report.http) {
    const { status, contentType, bytes, durationMs } = report.http;
    row(
      "fetched",
      `HTTP ${status}, ${contentType ?? "no Content-Type"}, ${sizeOf(bytes)} in ${(durationMs / 1000).toFixed(2)} s`,
    );
  }
  if (report.format) row("format", FORMAT_NAMES[report.format]);
  if (report.charset) row("charset", report.charset);
  if (report.format) {
    row("title", report.title ?? "(none)");
    row("site", report.link ?? "(none)");
    const skipped = report.dropped.length > 0 ? `, ${report.dropped.length} skipped` : "";
    row("entries", `${report.entries} usable${skipped}`);
  }
  if (report.http) {
    const { etag, lastModified, conditional } = report.caching;
    const present = `ETag ${etag === null ? "no" : "yes"}, Last-Modified ${lastModified === null ? "no" : "yes"}`;
    row("caching", `${present}; ${CONDITIONAL_NAMES[conditional]}`);
  }
  if (report.sample.length > 0) {
    lines.push("", `First ${report.sample.length} entries:`);
    for (const entry of report.sample) {
      const date = entry.published === null ? "(no date)        " : shortDate(entry.published);
      lines.push(`  ${date}  ${entry.title}`);
      lines.push(`  ${" ".repeat(17)}  ${entry.link ?? "(no link)"}`);
    }
  }
  if (report.rules !== undefined) {
    const { kept, dropped, entries } = report.rules;
    lines.push("", `Category rules: ${kept} entries kept, ${dropped} dropped:`);
    for (const entry of entries.slice(0, RULE_LINES)) {
      const where =
        entry.categories === null ? "dropped" : entry.categories.join(", ") || "(uncategorised)";
      lines.push(`  ${where.padEnd(28)}  ${entry.title}`);
    }
    if (entries.length > RULE_LINES)
      lines.push(`  … and ${entries.length - RULE_LINES} more (--json lists them all)`);
  }
  if (report.warnings.length > 0) {
    lines.push("", "Warnings:");
    for (const warning of report.warnings) lines.push(`  - ${warning.message} [${warning.code}]`);
  }
  lines.push(
    "",
    report.usable
      ? "Usable as a source."
      : `Not usable as a source: ${report.problem?.kind}: ${report.problem?.message}`,
  );
  return `${lines.join("\n")}\n`;
}
