// What `tributary check-source` does with one candidate URL: fetch it as a poll would, run it
// through decode → parse → normalise without storing anything, ask the server once more with
// the validators it gave, and describe the result (source-report.ts). The fetcher and the
// ingest function are collaborators, as they are for refresh, so the CLI only prints.
import { redactUrl } from "../../model/public-url.js";
import type { Update } from "../../model/update.js";
import type { SourceRules } from "../categorise.js";
import type { FetchFn, FetchOptions } from "../fetch/fetch.js";
import type { DocumentIngestResult } from "../ingest.js";
import { type IngestDocumentFn, isIngestFailure } from "../worker/pool.js";
import {
  type ConditionalCheck,
  describeSource,
  type FetchedFeed,
  failedReport,
  type RulesReport,
  type SourceReport,
} from "./source-report.js";

export interface ProbeDeps {
  fetch: FetchFn;
  /** The poll's fetch limits, with the headers of the configured source the URL belongs to. */
  fetchOptions: FetchOptions;
  /**
   * decode → parse → normalise, keeping the parsed document the warnings read; the CLI passes
   * an ingest pool's, so the parse time limit and the worker's heap limit apply as in a poll.
   */
  ingest: IngestDocumentFn;
  /** With `--rules`: the category rules of the source, to show what they do to each entry. */
  rules?: SourceRules;
  now?: () => Date;
}

/** Who the entries would belong to: the configured source of the URL, or a stand-in. */
export interface ProbedSource {
  id: string;
  categories: string[];
}

/**
 * Fetch, decode, parse and normalise one URL as a poll would, and describe the result. The
 * report shows every URL redacted, as the service would publish it, since it is pasted into
 * tickets and chats.
 */
export async function probeSource(
  url: string,
  source: ProbedSource,
  deps: ProbeDeps,
): Promise<SourceReport> {
  const response = await deps.fetch(url, {}, deps.fetchOptions);
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
  let ingested: DocumentIngestResult;
  try {
    ingested = await deps.ingest(
      response.body,
      response.contentType,
      // As in a poll (refresh.ts): relative links must not pick up a secret query.
      { ...source, feedUrl: redactUrl(response.finalUrl) },
      (deps.now ?? (() => new Date()))(),
    );
  } catch (error) {
    if (!isIngestFailure(error)) throw error;
    return failedReport(shownUrl, { kind: error.kind, message: error.message }, fetched);
  }
  const { charset, parsed, ...normalised } = ingested;
  // The URL as given, not the final one: only it carries the user:password (redirects are
  // followed again, to the same place).
  const conditional = await checkConditional(url, fetched, deps);
  const report = describeSource({ fetched, charset, parsed, normalised, conditional });
  if (deps.rules) report.rules = rulesReport(normalised.updates, deps.rules);
  return report;
}

/** What the rules make of each entry, newest first: its categories, or dropped (null). */
function rulesReport(updates: readonly Update[], rules: SourceRules): RulesReport {
  const { kept, dropped } = rules.apply(updates);
  const categoriesOf = new Map(kept.map((entry) => [entry.id, entry.categories]));
  const entries = [...updates]
    .sort((a, b) => (a.published < b.published ? 1 : a.published > b.published ? -1 : 0))
    .map((entry) => ({ title: entry.title, categories: categoriesOf.get(entry.id) ?? null }));
  return { kept: kept.length, dropped: dropped.length, entries };
}

/**
 * Validators are only worth something if the server honours them: many send an ETag and
 * still answer every conditional GET with the whole feed. One more request tells.
 */
async function checkConditional(
  url: string,
  fetched: FetchedFeed,
  deps: ProbeDeps,
): Promise<ConditionalCheck> {
  if (fetched.validators.etag === undefined && fetched.validators.lastModified === undefined) {
    return "not-checked";
  }
  const again = await deps.fetch(url, fetched.validators, deps.fetchOptions);
  if (again.kind === "not-modified") return "not-modified";
  return again.kind === "modified" ? "full-body" : "failed";
}
