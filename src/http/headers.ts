// Reading request headers as values or absent.
import type { Context } from "koa";
import { CORS_HEADERS } from "./cors.js";
import type { FeedRequestHeaders } from "./feed-response.js";

/** Undefined when absent: Koa's `ctx.get` answers "" for a missing header. */
export function header(ctx: Context, name: string): string | undefined {
  const value = ctx.get(name);
  return value === "" ? undefined : value;
}

/** What a published representation's answer depends on: codings and validators. */
export function representationHeaders(ctx: Context): FeedRequestHeaders {
  return {
    acceptEncoding: header(ctx, "Accept-Encoding"),
    ifNoneMatch: header(ctx, "If-None-Match"),
    ifModifiedSince: header(ctx, "If-Modified-Since"),
  };
}

/**
 * What app.ts's standardHeaders adds to every answer on a public path (feeds, /api), in its
 * order: the fast path (fast-path.ts) writes these itself, since it answers before Koa.
 */
export const PUBLIC_PATH_HEADERS: Readonly<Record<string, string>> = {
  "X-Content-Type-Options": "nosniff",
  ...CORS_HEADERS,
};
