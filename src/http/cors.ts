// CORS for the public read-only surface (feeds and /api): partner websites fetch them from
// their own origins. No credentials are ever involved, so `*` is safe and needs no Vary: Origin.
import type { Context } from "koa";

const PUBLIC_PREFIXES = ["/feeds/", "/api/"];

export const isPublicPath = (path: string): boolean =>
  PUBLIC_PREFIXES.some((prefix) => path.startsWith(prefix));

/** Set on every response to a public path, errors included, so scripts can read the message. */
export const CORS_HEADERS: Readonly<Record<string, string>> = {
  "Access-Control-Allow-Origin": "*",
  // ETag is not a CORS-safelisted response header; scripts need it for their own revalidation.
  // Warning, Age and X-Tributary-Stale tell an embedding page it got the last feed served
  // while the store is unreachable.
  "Access-Control-Expose-Headers": "ETag, Retry-After, Warning, Age, X-Tributary-Stale",
};

const ALLOWED_METHODS = "GET, HEAD, OPTIONS";
const DEFAULT_ALLOWED_HEADERS = "If-None-Match, If-Modified-Since, Cache-Control";
const HEADER_LIST = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+(?:\s*,\s*[A-Za-z0-9!#$%&'*+.^_`|~-]+)*$/;

/** Answers a CORS preflight (OPTIONS) for a public route with 204. */
export function answerPreflight(ctx: Context): void {
  // Echo what the browser asks for (validated as a token list): the resources are public and
  // read-only, and a fixed list would break partners whose fetch wrappers add headers.
  const requested = ctx.get("Access-Control-Request-Headers").trim();
  ctx.status = 204;
  ctx.set({
    ...CORS_HEADERS,
    "Access-Control-Allow-Methods": ALLOWED_METHODS,
    "Access-Control-Allow-Headers": HEADER_LIST.test(requested)
      ? requested
      : DEFAULT_ALLOWED_HEADERS,
    "Access-Control-Max-Age": "86400",
    Allow: ALLOWED_METHODS,
    Vary: "Access-Control-Request-Headers",
  });
}
