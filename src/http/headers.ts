// Reading request headers as values or absent.
import type { Context } from "koa";
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
