// The JSON API: /api/updates (paged entries), /api/categories, /api/sources (operator status).
// Each handler gathers plain data; sendJson renders it.

import type Router from "@koa/router";
import type { Config } from "../../config/types.js";
import { describeCategories } from "../../status/categories.js";
import { describeSources } from "../../status/sources.js";
import type { Page, Store } from "../../store/store.js";
import { answerPreflight } from "../cors.js";
import type { AppDeps } from "../deps.js";
import { parseCategory, parsePageQuery, type RawValue } from "../query.js";
import { sendJson } from "../respond.js";

export function registerApiRoutes(router: Router, deps: AppDeps): void {
  // The config is read per request: it may be reloaded while the server runs.
  const handlers: Record<string, (query: Record<string, RawValue>) => Promise<unknown>> = {
    "/api/updates": (query) => listUpdates(query, deps.getConfig(), deps.store),
    "/api/categories": () => describeCategories(deps.getConfig(), deps.store),
    "/api/sources": () =>
      describeSources(deps.getConfig(), deps.store, deps.nextPollAt, deps.isStale),
  };
  for (const [path, handler] of Object.entries(handlers)) {
    router.get(path, async (ctx) => sendJson(ctx, await handler(ctx.query)));
    router.options(path, (ctx) => answerPreflight(ctx));
  }
}

export async function listUpdates(
  query: Record<string, RawValue>,
  config: Config,
  store: Store,
): Promise<Pick<Page, "items" | "next">> {
  const category = parseCategory(query.category, config);
  const page = parsePageQuery(query, config, category);
  // The documented body is `{ items, next }`: forward paging only.
  const { items, next } = await store.list({ category, ...page });
  return { items, next };
}
