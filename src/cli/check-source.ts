// `tributary check-source URL`: fetches one candidate feed with the same fetcher and limits as
// a poll, runs it through decode → parse → normalise without storing anything, and prints
// what Tributary would make of it (src/ingest/probe/source-report.ts decides the verdict and warnings).
// Exit 0 when the URL is usable as a source, 1 when it is not.

import { createIngestPool, fetchOptionsOf } from "../app/wiring.js";
import type { Config } from "../config/types.js";
import { type FetchOptions, fetchFeed } from "../ingest/fetch/fetch.js";
import type { IngestResult } from "../ingest/ingest.js";
import { decodeFeedBytes } from "../ingest/parse/decode.js";
import { parseFeed } from "../ingest/parse/parse.js";
import {
  type ConditionalCheck,
  describeSource,
  type FetchedFeed,
  failedReport,
  type SourceReport,
} from "../ingest/probe/source-report.js";
import { isIngestFailure } from "../ingest/worker/pool.js";
import { redactUrl } from "../model/public-url.js";

export interface CheckSourceOptions {
  url: string;
  json: boolean;
}

export async function checkSourceCommand(
  config: Config,
  options: CheckSourceOptions,
  stdout: NodeJS.WritableStream,
): Promise<number> {
  const report = await checkSource(config, options.url);
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
 * Fetch, decode, parse and normalise one URL as a poll would, and describe the result. The URL
 * of a configured source is fetched with its headers; the report shows every URL redacted, as
 * the service would publish it, since it is pasted into tickets and chats.
 */
export async function checkSource(config: Config, url: string): Promise<SourceReport> {
  const known = config.sources.find((s) => s.url === url);
  const fetchOptions: FetchOptions = { ...fetchOptionsOf(config), headers: known?.headers };
  const response = await fetchFeed(url, {}, fetchOptions);
  const shownUrl = redactUrl(url);
  if (response.kind === "failed") {
    return failedReport(shownUrl, { kind: response.error.kind, message: response.error.message });
  }
  if (response.kind === "not-modified") {
    // We sent no validators, so a 304 is the server's bug; a poll would store nothing.
    return failedReport(shownUrl, {
      kind: "http-304",
      message: "the server answered 304 Not Modified to a request without validators",
    });
  }
  const fetched: FetchedFeed = {
    url: shownUrl,
    finalUrl: redactUrl(response.finalUrl),
    status: response.status,
    bytes: response.body.length,
    durationMs: response.durationMs,
    validators: response.validators,
    ...(response.contentType === undefined ? {} : { contentType: response.contentType }),
    ...(response.permanentRedirect === undefined
      ? {}
      : { permanentRedirect: redactUrl(response.permanentRedirect) }),
  };
  const source = {
    id: known?.id ?? "check-source",
    categories: known?.categories ?? [],
    // As in a poll (refresh.ts): relative links must not pick up a secret query.
    feedUrl: redactUrl(response.finalUrl),
  };
  // First through the ingest pool, as a poll does: the parse time limit and the worker's heap
  // limit apply, so a hostile document fails with parse-timeout instead of hanging the command.
  const pool = createIngestPool(config);
  let ingested: IngestResult;
  try {
    ingested = await pool.ingest(response.body, response.contentType, source, new Date());
  } catch (error) {
    if (!isIngestFailure(error)) throw error;
    return failedReport(shownUrl, { kind: error.kind, message: error.message }, fetched);
  } finally {
    await pool.close();
  }
  // The warnings need the raw document (GUIDs, relative hrefs, xml:base, title markup), which
  // the pool does not return; the same text just parsed within the limit, so it is safe here.
  const parsed = await parseFeed(decodeFeedBytes(response.body, response.contentType).text);
  const { charset, ...normalised } = ingested;
  // The URL as given, not the final one: only it carries the user:password (redirects are
  // followed again, to the same place).
  const conditional = await checkConditional(url, fetched, fetchOptions);
  return describeSource({ fetched, charset, parsed, normalised, conditional });
}

/**
 * Validators are only worth something if the server honours them: many send an ETag and
 * still answer every conditional GET with the whole feed. One more request tells.
 */
async function checkConditional(
  url: string,
  fetched: FetchedFeed,
  options: FetchOptions,
): Promise<ConditionalCheck> {
  if (fetched.validators.etag === undefined && fetched.validators.lastModified === undefined) {
    return "not-checked";
  }
  const again = await fetchFeed(url, fetched.validators, options);
  if (again.kind === "not-modified") return "not-modified";
  return again.kind === "modified" ? "full-body" : "failed";
}

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
