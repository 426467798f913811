// The pages for people and partner sites: GET / (latest entries and categories),
// /categories/{id} (a category's archive), /sources (the partners and their health) and
// /embed/{category} (a compact list for an iframe). The page publisher renders each once per
// content change; these routes validate the query and answer with the published bytes,
// validators and codings exactly as the feeds do.
import type Router from "@koa/router";
import type { Context } from "koa";
import type { Config } from "../../config/types.js";
import {
  EMBED_DEFAULT_LIMIT,
  EMBED_MAX_LIMIT,
  EMBED_THEMES,
  type EmbedTheme,
} from "../../pages/page-views.js";
import { RenderBusyError } from "../../publish/render-gate.js";
import type { Representation } from "../../publish/types.js";
import type { AppDeps } from "../deps.js";
import { badRequest, notFound } from "../errors.js";
import { buildResponse, publicMaxAge } from "../feed-response.js";
import { representationHeaders } from "../headers.js";
import { embedHeaders, pageHeaders } from "../html.js";
import {
  CATEGORY_PAGE_PATH,
  EMBED_PAGE_PATH,
  HOME_PATH,
  SOURCES_PAGE_PATH,
} from "../html-routes.js";
import {
  isKnownCategory,
  parseCursor,
  parseLanguage,
  parseSource,
  quote,
  type RawValue,
  singleValue,
  unknownCategoryMessage,
} from "../query.js";
import { HTML_TYPE } from "../respond.js";

export function registerPageRoutes(router: Router, deps: AppDeps): void {
  router.get(HOME_PATH, async (ctx) => {
    const language = parseLanguage(ctx.query.lang);
    await answer(ctx, deps, () => deps.getPages().home(language), pageHeaders);
  });

  router.get(CATEGORY_PAGE_PATH, async (ctx) => {
    const config = deps.getConfig();
    const category = knownCategory(ctx.params.id ?? "", config);
    const source = parseSource(ctx.query.source, config, category);
    const language = parseLanguage(ctx.query.lang);
    const cursor = parseCursor(ctx.query.cursor);
    const before = singleValue("before", ctx.query.before);
    if (cursor !== undefined && before !== undefined) {
      throw badRequest("cursor and before: give one of them (older or newer entries), not both");
    }
    await answer(
      ctx,
      deps,
      () =>
        deps.getPages().category({
          category,
          ...(source === undefined ? {} : { source }),
          ...(language === undefined ? {} : { language }),
          ...(cursor === undefined ? {} : { cursor }),
          ...(before === undefined ? {} : { before }),
        }),
      pageHeaders,
    );
  });

  router.get(SOURCES_PAGE_PATH, async (ctx) => {
    await answer(ctx, deps, () => deps.getPages().sources(), pageHeaders);
  });

  router.get(EMBED_PAGE_PATH, async (ctx) => {
    const config = deps.getConfig();
    const category = knownCategory(ctx.params.category ?? "", config);
    const source = parseSource(ctx.query.source, config, category);
    const limit = parseEmbedLimit(ctx.query.limit);
    const theme = parseTheme(ctx.query.theme);
    await answer(
      ctx,
      deps,
      () =>
        deps.getPages().embed({
          category,
          limit,
          theme,
          ...(source === undefined ? {} : { source }),
        }),
      (styleSource) => embedHeaders(styleSource, config.embed.allowedOrigins),
    );
  });
}

function knownCategory(id: string, config: Config): string {
  if (!isKnownCategory(id, config)) throw notFound(unknownCategoryMessage(id, config));
  return id;
}

export function parseEmbedLimit(raw: RawValue): number {
  const value = singleValue("limit", raw);
  if (value === undefined) return EMBED_DEFAULT_LIMIT;
  const limit = /^\d{1,3}$/.test(value) ? Number(value) : Number.NaN;
  if (!(limit >= 1 && limit <= EMBED_MAX_LIMIT)) {
    throw badRequest(
      `limit: must be an integer between 1 and ${EMBED_MAX_LIMIT}, got ${quote(value)}`,
    );
  }
  return limit;
}

export function parseTheme(raw: RawValue): EmbedTheme {
  const value = singleValue("theme", raw);
  if (value === undefined) return "auto";
  if (!(EMBED_THEMES as readonly string[]).includes(value)) {
    throw badRequest(`theme: must be one of ${EMBED_THEMES.join(", ")}, got ${quote(value)}`);
  }
  return value as EmbedTheme;
}

/** Published bytes with their validators, codings and the page's security headers. */
async function answer(
  ctx: Context,
  deps: AppDeps,
  publish: () => Promise<Representation>,
  securityHeaders: (styleSource: string) => Readonly<Record<string, string>>,
): Promise<void> {
  const pages = deps.getPages();
  let representation: Representation;
  try {
    representation = await publish();
  } catch (error) {
    if (!(error instanceof RenderBusyError)) throw error;
    answerRenderBusy(ctx);
    return;
  }
  const response = buildResponse(
    representation,
    representationHeaders(ctx),
    publicMaxAge(deps.getConfig().pages.maxAge),
  );
  ctx.status = response.status;
  ctx.set(response.headers);
  ctx.set(securityHeaders(pages.styleSource));
  if (response.body) ctx.body = response.body;
}

// As for feeds (routes/feeds.ts): refused rather than queued, written straight from the route.
const RENDER_BUSY_PAGE =
  '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Busy</title></head><body><p>The service is busy rendering other pages. Please reload in a second.</p></body></html>\n';

function answerRenderBusy(ctx: Context): void {
  ctx.status = 503;
  ctx.set({
    "Retry-After": "1",
    "Cache-Control": "no-store",
    "Content-Type": HTML_TYPE,
    "Content-Security-Policy": "default-src 'none'",
  });
  ctx.body = RENDER_BUSY_PAGE;
}
