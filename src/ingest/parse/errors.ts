// The one error type parsing reports. `kind` becomes the source's `errorKind`:
// `parse-error` for a feed we could not read, `not-a-feed` for a document that is not a feed
// at all (an HTML page, a login wall, a redirect notice served with 200).
import type { ParseErrorKind } from "../../model/poll.js";
/** Parse failures (parse-timeout is the worker pool's). */
export type FeedParseErrorKind = Exclude<ParseErrorKind, "parse-timeout">;

export class FeedParseError extends Error {
  override readonly name = "FeedParseError";
  readonly kind: FeedParseErrorKind;

  constructor(kind: FeedParseErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
  }
}

/**
 * Why an entry we could not read is skipped. What was thrown there (a TypeError on an element
 * of an unexpected shape) names our code, not the partner's feed, so it is never the reason.
 */
export const MALFORMED_ENTRY = "malformed entry: one of its elements could not be read";

/**
 * Wraps whatever a parser threw as a parse-error. sax and JSON.parse describe the document
 * ("Unexpected close tag", "Unexpected token"), and their message is kept. A TypeError or
 * RangeError is code — ours or a library's — meeting a shape it did not expect: its text
 * ("Cannot read properties of undefined (reading 'rel')") means nothing to an operator, so
 * `what` could not be read is all the message says; the error stays as the `cause`.
 */
export function asParseError(error: unknown, what = "the feed"): FeedParseError {
  if (error instanceof FeedParseError) return error;
  if (error instanceof RangeError && /call stack/i.test(error.message)) {
    return new FeedParseError("parse-error", "elements are nested too deeply to be read", {
      cause: error,
    });
  }
  if (error instanceof TypeError || error instanceof RangeError) {
    return new FeedParseError("parse-error", `could not read ${what}: malformed element`, {
      cause: error,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  // sax messages span lines ("…\nLine: 0\nColumn: 45\nChar: &"); keep them on one.
  return new FeedParseError("parse-error", message.replace(/\s*\n\s*/g, "; "), { cause: error });
}
