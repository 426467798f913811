// decode → parse → normalise for one fetched body: everything between the socket and the store.
// No IO, so conformance tests and benchmarks drive it directly with bytes from disk.
import type { Update } from "../model/update.js";
import { decodeFeedBytes } from "./decode.js";
import { type NormaliseResult, type NormaliseSource, normalise } from "./normalise.js";
import { type ParsedFeed, parseFeed } from "./parse.js";

export interface IngestResult extends NormaliseResult {
  format: ParsedFeed["format"];
  charset: string;
}

export async function ingestBytes(
  body: Buffer,
  contentType: string | undefined,
  source: NormaliseSource,
  now: Date,
): Promise<IngestResult> {
  const { text, charset } = decodeFeedBytes(body, contentType);
  const parsed = await parseFeed(text);
  return { ...normalise(parsed, source, now), format: parsed.format, charset };
}

export type { Update };
