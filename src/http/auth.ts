// Bearer-token check for /admin/*. Both sides are hashed to SHA-256 before the constant-time
// comparison, so neither the content nor the length of the expected token leaks through timing
// (timingSafeEqual itself throws on different lengths).
import { createHash, timingSafeEqual } from "node:crypto";

const digest = (value: string): Buffer => createHash("sha256").update(value, "utf8").digest();

/** The token of an `Authorization: Bearer <token>` header (scheme case-insensitive, RFC 6750). */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer +(\S+) *$/i.exec(header ?? "");
  return match?.[1];
}

export function tokenMatches(presented: string | undefined, expected: string): boolean {
  // Hash something even when nothing was presented, so that case takes the same time.
  const equal = timingSafeEqual(digest(presented ?? ""), digest(expected));
  // An empty expected token would let an empty header in; the guard treats it as unset anyway.
  return equal && presented !== undefined && expected !== "";
}
