// decode → parse → normalise for one fetched body: everything between the socket and the store.
// No IO, so conformance tests and benchmarks drive it directly with bytes from disk.
import type { FeedPollHints } from "../model/source.js";
import type { Update } from "../model/update.js";
import type { WebSubLinks } from "../model/websub.js";
import { type NormaliseResult, type NormaliseSource, normalise } from "./normalise/normalise.js";
import { decodeFeedBytes } from "./parse/decode.js";
import { asParseError } from "./parse/errors.js";
import { parseFeed } from "./parse/parse.js";
import type { ParsedFeed } from "./parse/types.js";

export interface IngestResult extends NormaliseResult {
  format: ParsedFeed["format"];
  charset: string;
  /**
   * The feed's own polling hints, passed through beside what normalise made (which stays about
   * entries): parsing runs in a worker thread, so they travel back in this result.
   */
  pollHints?: FeedPollHints;
  /** The WebSub hub and self links the document declares (discovery: websub/discovery.ts). */
  websub?: WebSubLinks;
}

/** What check-source also needs: the parsed document its warnings look at (GUIDs, bases, links). */
export interface DocumentIngestResult extends IngestResult {
  parsed: ParsedFeed;
}

export async function ingestBytes(
  body: Buffer,
  contentType: string | undefined,
  source: NormaliseSource,
  now: Date,
): Promise<IngestResult> {
  // A poll keeps only what it stores; the parsed document would only be cloned across threads.
  const { parsed: _parsed, ...result } = await ingestDocument(body, contentType, source, now);
  return result;
}

/** `ingestBytes`, keeping the parsed document too, so a caller that reads it parses once. */
export async function ingestDocument(
  body: Buffer,
  contentType: string | undefined,
  source: NormaliseSource,
  now: Date,
): Promise<DocumentIngestResult> {
  const { text, charset } = decodeFeedBytes(body, contentType);
  const parsed = await parseFeed(text);
  let normalised: NormaliseResult;
  try {
    normalised = normalise(parsed, source, now);
  } catch (error) {
    // Entries fail one at a time inside normalise; this is the feed-level rest, which a
    // document should never be able to trip, reported like parsing is: no internal text.
    throw asParseError(error);
  }
  const hints = parsed.pollHints === undefined ? {} : { pollHints: parsed.pollHints };
  const websub = parsed.websub === undefined ? {} : { websub: parsed.websub };
  return { ...normalised, format: parsed.format, charset, ...hints, ...websub, parsed };
}

export type { Update };
