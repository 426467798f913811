// Decoded feed text → a format-neutral parsed feed. RSS 0.9x/1.0/2.0 and Atom go through
// rss-parser (xml.ts), JSON Feed through JSON.parse (json.ts). Values stay raw-ish
// here — markup, entities, relative URLs, date strings — normalise.ts makes them model values.
import { asParseError, FeedParseError } from "./errors.js";
import { parseJsonFeed } from "./json.js";
import type { ParsedFeed } from "./types.js";
import { parseXmlFeed } from "./xml.js";

const looksLikeJson = (text: string): boolean => text.startsWith("{");

/**
 * Parses decoded feed text. Rejects with FeedParseError, and only with it: `not-a-feed` for
 * HTML pages and other documents that are not feeds, `parse-error` for feeds that cannot be
 * read (a mapping that trips over an odd element included, without its internal message).
 */
export async function parseFeed(text: string): Promise<ParsedFeed> {
  try {
    return await parseText(text);
  } catch (error) {
    throw asParseError(error);
  }
}

async function parseText(text: string): Promise<ParsedFeed> {
  const trimmed = text.replace(/^\uFEFF/, "").trimStart();
  if (trimmed === "") throw new FeedParseError("not-a-feed", "the document is empty");
  if (looksLikeJson(trimmed)) return parseJsonFeed(trimmed);
  if (!trimmed.startsWith("<")) {
    throw new FeedParseError("not-a-feed", "the document is neither XML nor JSON");
  }
  return parseXmlFeed(trimmed);
}
