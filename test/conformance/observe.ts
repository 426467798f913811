// What Tributary makes of one corpus file: decode → parse → normalise exactly as ingestBytes
// does (the three calls are made here so the parse result can be inspected too), after a real
// fetch from a local server when the manifest says the file is served over HTTP.
import { readFileSync } from "node:fs";
import { type FetchResult, fetchFeed, type Validators } from "../../src/ingest/fetch/fetch.js";
import {
  type NormaliseResult,
  type NormaliseSource,
  normalise,
} from "../../src/ingest/normalise/normalise.js";
import { decodeFeedBytes } from "../../src/ingest/parse/decode.js";
import { FeedParseError } from "../../src/ingest/parse/errors.js";
import { parseFeed } from "../../src/ingest/parse/parse.js";
import type { ParsedFeed, ParsedItem } from "../../src/ingest/parse/types.js";
import type { Update } from "../../src/model/update.js";
import type { ManifestRow } from "./manifest.js";

/** The instant normalise is told it is: after every date in the corpus, so none is "future". */
export const NOW = new Date("2026-01-01T00:00:00.000Z");
export const SOURCE_ID = "feedparser";

export interface EntryObservation {
  item: ParsedItem;
  /** The published entry; for a dropped one, the entry normalise built from it (see below). */
  update?: Update;
  /** Why normalise left the entry out, when it did. */
  dropped?: string;
}

export interface Observation {
  row: ManifestRow;
  /** The document URL: where relative references resolve when nothing in the feed says otherwise. */
  feedUrl: string;
  bytes: Buffer;
  contentType?: string;
  /** Set when ingest rejected the document or (never acceptable) threw something untyped. */
  error?: { clean: boolean; message: string };
  charset?: string;
  text?: string;
  parsed?: ParsedFeed;
  result?: NormaliseResult;
  entries: EntryObservation[];
  /** From the fetch, for files served over HTTP. */
  validators?: Validators;
}

const EMPTY_ENTRY = /neither a title nor any text/;

/**
 * Entries the corpus reduces to one element under test (only an author, only an enclosure…)
 * have no title and no text, and normalise drops them: a reader could show nothing. Their
 * fields are still checked: the same parsed item is normalised alone with a placeholder
 * title, and the observation keeps the empty title and summary the real run produced.
 * Duplicates are normalised alone the same way.
 */
function droppedEntry(
  feed: ParsedFeed,
  item: ParsedItem,
  reason: string,
  source: NormaliseSource,
): Update | undefined {
  if (item.problem !== undefined) return undefined;
  const empty = EMPTY_ENTRY.test(reason);
  const alone: ParsedItem = empty
    ? { ...item, title: { value: "placeholder", type: "text" } }
    : item;
  const update = normalise({ ...feed, items: [alone] }, source, NOW).updates[0];
  return update && empty ? { ...update, title: "", summary: "" } : update;
}

export function observeBytes(
  row: ManifestRow,
  bytes: Buffer,
  contentType: string | undefined,
  feedUrl: string,
): Promise<Observation> {
  return ingest({ row, feedUrl, bytes, contentType, entries: [] });
}

async function ingest(observation: Observation): Promise<Observation> {
  const source: NormaliseSource = { id: SOURCE_ID, categories: [], feedUrl: observation.feedUrl };
  try {
    const { text, charset } = decodeFeedBytes(observation.bytes, observation.contentType);
    observation.text = text;
    observation.charset = charset;
    const parsed = await parseFeed(text);
    observation.parsed = parsed;
    const result = normalise(parsed, source, NOW);
    observation.result = result;
    const dropped = new Map(result.dropped.map((d) => [d.index, d.reason]));
    let next = 0;
    observation.entries = parsed.items.map((item, index) => {
      const reason = dropped.get(index);
      if (reason === undefined) return { item, update: result.updates[next++] };
      return { item, dropped: reason, update: droppedEntry(parsed, item, reason, source) };
    });
  } catch (error) {
    observation.error = {
      clean: error instanceof FeedParseError,
      message: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    };
  }
  return observation;
}

/** A file from disk, as if fetched from feedparser's own test server (its document URL). */
export function observeFile(row: ManifestRow, root: string, origin: string): Promise<Observation> {
  const bytes = readFileSync(`${root}/${row.path}`);
  return observeBytes(row, bytes, undefined, `${origin}/${row.path}`);
}

/** Through fetchFeed from `origin` (a local server serving the corpus with its headers). */
export async function observeFetched(row: ManifestRow, origin: string): Promise<Observation> {
  const url = `${origin}/${row.path}`;
  const fetched: FetchResult = await fetchFeed(
    url,
    {},
    {
      timeoutMs: 10_000,
      maxBytes: 1024 * 1024,
      maxRedirects: 0,
      userAgent: "Tributary conformance test",
      allowPrivateNetworks: true,
    },
  );
  if (fetched.kind !== "modified") {
    const message = fetched.kind === "failed" ? fetched.error.message : fetched.kind;
    return {
      row,
      feedUrl: url,
      bytes: Buffer.alloc(0),
      error: { clean: false, message: `fetch: ${message}` },
      entries: [],
    };
  }
  return ingest({
    row,
    feedUrl: fetched.finalUrl,
    bytes: fetched.body,
    contentType: fetched.contentType,
    entries: [],
    validators: fetched.validators,
  });
}
