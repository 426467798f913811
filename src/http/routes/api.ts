// The JSON API: /api/updates (paged entries), /api/categories, /api/sources (operator status).
// /api/updates pages are published like feeds — serialised once per category version, with a
// strong ETag, 304s and compressed codings; the other two gather plain data for sendJson.

import type Router from "@koa/router";
import type { Config } from "../../config/types.js";
import { languageIndex } from "../../model/language.js";
import { RenderBusyError, RenderGate } from "../../publish/render-gate.js";
import type { Representation } from "../../publish/types.js";
import { type PageSource, VersionedCache } from "../../publish/version-cache.js";
import { describeCategories } from "../../status/categories.js";
import { describeSources } from "../../status/sources.js";
import type { ListQuery, Page, Store } from "../../store/store.js";
import { answerPreflight } from "../cors.js";
import type { AppDeps } from "../deps.js";
import { HttpError } from "../errors.js";
import { buildResponse, publicMaxAge } from "../feed-response.js";
import { representationHeaders } from "../headers.js";
import { parseCategory, parsePageQuery, type RawValue } from "../query.js";
import { JSON_TYPE, sendJson } from "../respond.js";

export function registerApiRoutes(router: Router, deps: AppDeps): void {
  // Its own gate: an uncached JSON page is cheap, but a flood of them must not starve the rest.
  const updates = new VersionedCache(new RenderGate());
  router.get(UPDATES_PATH, async (ctx) => {
    const config = deps.getConfig();
    const query = parseUpdatesQuery(ctx.query, config);
    let representation: Representation;
    try {
      representation = await updates.get(JSON.stringify(query), updatesSource(deps.store, query));
    } catch (error) {
      if (!(error instanceof RenderBusyError)) throw error;
      throw new HttpError(503, "busy rendering other pages, retry in a second", {
        "Retry-After": "1",
        "Cache-Control": "no-store",
      });
    }
    const response = buildResponse(
      representation,
      representationHeaders(ctx),
      publicMaxAge(config.feeds.maxAge),
    );
    ctx.status = response.status;
    ctx.set(response.headers);
    if (response.body) ctx.body = response.body;
  });
  router.options(UPDATES_PATH, (ctx) => answerPreflight(ctx));

  // The config is read per request: it may be reloaded while the server runs.
  const handlers: Record<string, (query: Record<string, RawValue>) => Promise<unknown>> = {
    "/api/categories": () => describeCategories(deps.getConfig(), deps.store),
    "/api/sources": () =>
      describeSources(
        deps.getConfig(),
        deps.store,
        deps.nextPollAt,
        deps.isStale,
        deps.scheduleIntervalMs,
      ),
  };
  for (const [path, handler] of Object.entries(handlers)) {
    router.get(path, async (ctx) => sendJson(ctx, await handler(ctx.query)));
    router.options(path, (ctx) => answerPreflight(ctx));
  }
}

const UPDATES_PATH = "/api/updates";

/** One /api/updates page: what it lists, as the key of its cached bytes. */
type UpdatesQuery = ListQuery;

function parseUpdatesQuery(query: Record<string, RawValue>, config: Config): UpdatesQuery {
  const category = parseCategory(query.category, config);
  return { category, ...parsePageQuery(query, config, category) };
}

/**
 * The page's bytes change only with its category's version. During a store outage the API
 * answers 503 as it always has (no stale copy): scripts reading it decide for themselves.
 */
function updatesSource(store: Store, query: UpdatesQuery): PageSource<UpdatesBody> {
  return {
    contentType: JSON_TYPE,
    serveStale: false,
    stamp: async () => {
      const listing =
        query.language === undefined
          ? query.category
          : languageIndex(query.category, query.language);
      const stamp = await store.categoryVersion(listing);
      return { version: String(stamp.version), changedAt: stamp.changedAt };
    },
    view: async () => {
      // The documented body is `{ items, next }`: forward paging only.
      const { items, next } = await store.list(query);
      return { items, next };
    },
    render: (body) => JSON.stringify(body),
  };
}

type UpdatesBody = Pick<Page, "items" | "next">;
