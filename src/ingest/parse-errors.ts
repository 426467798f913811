// The one error type parsing reports. `kind` becomes the source's `errorKind`:
// `parse-error` for a feed we could not read, `not-a-feed` for a document that is not a feed
// at all (an HTML page, a login wall, a redirect notice served with 200).
export type FeedParseErrorKind = "parse-error" | "not-a-feed";

export class FeedParseError extends Error {
  override readonly name = "FeedParseError";
  readonly kind: FeedParseErrorKind;

  constructor(kind: FeedParseErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
  }
}

/** Wraps whatever a parser threw (sax errors, RangeError from deep nesting…) as a parse-error. */
export function asParseError(error: unknown): FeedParseError {
  if (error instanceof FeedParseError) return error;
  const message = error instanceof Error ? error.message : String(error);
  // sax messages span lines ("…\nLine: 0\nColumn: 45\nChar: &"); keep them on one.
  return new FeedParseError("parse-error", message.replace(/\s*\n\s*/g, "; "), { cause: error });
}
