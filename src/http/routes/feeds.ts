// GET|HEAD /feeds/{category}.{rss|atom|json}: published bytes with validators, negotiation
// and 304s. The publisher renders once per content change; this route only looks bytes up.
// A cached, current page is usually answered before Koa by fast-path.ts, exactly as here.
import type Router from "@koa/router";
import type { Context } from "koa";
import type { Config } from "../../config/types.js";
import { RenderBusyError } from "../../publish/render-gate.js";
import {
  FEED_FORMATS,
  type FeedFormat,
  type FeedPublisher,
  type FeedRequest,
} from "../../publish/types.js";
import { answerPreflight } from "../cors.js";
import type { AppDeps } from "../deps.js";
import { notFound } from "../errors.js";
import { buildResponse, publicMaxAge } from "../feed-response.js";
import { representationHeaders } from "../headers.js";
import { isKnownCategory, parsePageQuery, quote, unknownCategoryMessage } from "../query.js";
import { JSON_TYPE } from "../respond.js";

/** The route pattern, also the `route` label of its metrics (fast-path answers included). */
export const FEED_ROUTE = "/feeds/:file";

export function registerFeedRoutes(router: Router, deps: AppDeps): void {
  router.get(FEED_ROUTE, async (ctx) => {
    const config = deps.getConfig();
    const { category, format } = parseFeedFile(ctx.params.file ?? "", config);
    const page = parsePageQuery(ctx.query, config, category);
    const representation = await publish(deps.getPublisher(), { category, format, ...page });
    if (representation === RENDER_BUSY) {
      answerRenderBusy(ctx);
      return;
    }
    const response = buildResponse(
      representation,
      representationHeaders(ctx),
      publicMaxAge(config.feeds.maxAge),
    );
    // Status first: Koa derives 200 from the body otherwise, and a 304 must have none.
    ctx.status = response.status;
    ctx.set(response.headers);
    // A Buffer is written as it is: nothing in this app compresses or re-encodes bodies.
    if (response.body) ctx.body = response.body;
  });
  router.options(FEED_ROUTE, (ctx) => answerPreflight(ctx));
}

/**
 * Seconds a client should wait when the page had to be rendered and the publisher's renders
 * were all taken: short, since the next try is likely to find a slot (or a cached page).
 */
export const RENDER_BUSY_RETRY_AFTER_SECONDS = 1;

const RENDER_BUSY = Symbol("render busy");

async function publish(publisher: FeedPublisher, request: FeedRequest) {
  try {
    return await publisher.get(request);
  } catch (error) {
    if (error instanceof RenderBusyError) return RENDER_BUSY;
    throw error;
  }
}

// Made once: under a flood of uncached requests this is the most frequent answer, so it is
// written straight from the route, not thrown through the error boundary (a stack trace, an
// outage count and a header reset per refusal). No store is unavailable: it is not an outage.
const RENDER_BUSY_BODY = JSON.stringify({
  error: "busy rendering other feed pages, retry in a second",
});
const RENDER_BUSY_HEADERS = {
  "Retry-After": String(RENDER_BUSY_RETRY_AFTER_SECONDS),
  // No cache may keep the refusal.
  "Cache-Control": "no-store",
  "Content-Type": JSON_TYPE,
};

/** Refused rather than queued, so uncached requests never delay cached ones. */
function answerRenderBusy(ctx: Context): void {
  ctx.status = 503;
  ctx.set(RENDER_BUSY_HEADERS);
  ctx.body = RENDER_BUSY_BODY;
}

export interface FeedFile {
  category: string;
  format: FeedFormat;
}

/** Splits `all.rss` at its last dot; a 404 names what would have been found. */
export function parseFeedFile(file: string, config: Config): FeedFile {
  const dot = file.lastIndexOf(".");
  const formats = FEED_FORMATS.join(", ");
  if (dot <= 0) {
    throw notFound(`unknown feed ${quote(file)}; feeds are /feeds/{category}.{${formats}}`);
  }
  const category = file.slice(0, dot);
  const format = file.slice(dot + 1);
  if (!isFeedFormat(format)) {
    throw notFound(`unknown format ${quote(format)}; known formats: ${formats}`);
  }
  if (!isKnownCategory(category, config)) throw notFound(unknownCategoryMessage(category, config));
  return { category, format };
}

function isFeedFormat(value: string): value is FeedFormat {
  return (FEED_FORMATS as readonly string[]).includes(value);
}
