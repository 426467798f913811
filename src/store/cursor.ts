// Keyset cursors: a page boundary is the (published ms, id) of the last entry returned, so
// entries added above it (newer ones) never shift the pages that follow. Opaque to clients.
//
// Format: base64url(JSON [ms, id]) "." checksum. The checksum is not a secret signature (a
// forged cursor only names a position, which is harmless); it makes truncated or edited
// cursors fail loudly as InvalidCursorError instead of silently listing from somewhere else.
import { createHash } from "node:crypto";
import type { IndexKey } from "./compare.js";
import { InvalidCursorError } from "./store.js";

/** Far longer than any real cursor; bounds the work spent on hostile input. */
const MAX_CURSOR_LENGTH = 4096;

function checksum(payload: string): string {
  return createHash("sha256").update(payload).digest("base64url").slice(0, 10);
}

export function encodeCursor(key: IndexKey): string {
  const payload = Buffer.from(JSON.stringify([key.ms, key.id]), "utf8").toString("base64url");
  return `${payload}.${checksum(payload)}`;
}

/** Throws InvalidCursorError for anything encodeCursor did not produce. */
export function decodeCursor(cursor: string): IndexKey {
  const invalid = () =>
    new InvalidCursorError("Invalid cursor: use the `next` value of a page as is");
  if (cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH) throw invalid();
  const [payload, sum, ...rest] = cursor.split(".");
  if (payload === undefined || sum === undefined || rest.length > 0) throw invalid();
  if (sum !== checksum(payload)) throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw invalid();
  const [ms, id] = parsed as unknown[];
  if (typeof ms !== "number" || !Number.isSafeInteger(ms)) throw invalid();
  if (typeof id !== "string" || id.length === 0) throw invalid();
  // Non-canonical base64 (stray padding bits) would still decode; insist on our own encoding.
  if (encodeCursor({ ms, id }) !== cursor) throw invalid();
  return { ms, id };
}

/** The HTTP layer validates `limit` for users; this guards the stores against a caller bug. */
export function checkLimit(limit: number): number {
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw new RangeError(`limit must be a positive integer, got ${limit}`);
  }
  return limit;
}
