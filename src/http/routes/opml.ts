// GET /opml: the category feeds as an OPML 2.0 subscription list a feed reader imports in one
// step. GET /opml/sources: the partner feeds Tributary polls, for operators moving a reading
// list between instances (`tributary import-opml` reads it back) or for readers who want the
// originals. Built from the config alone: no store access, so it answers during an outage.
import type Router from "@koa/router";
import type { Context } from "koa";
import type { Config } from "../../config/types.js";
import { publicSourceUrl } from "../../model/public-url.js";
import { type OpmlOutline, renderOpml } from "../../publish/opml.js";
import { FEED_FORMATS, type FeedFormat } from "../../publish/types.js";
import { listCategories } from "../../status/categories.js";
import type { AppDeps } from "../deps.js";
import { badRequest } from "../errors.js";
import { quote, type RawValue } from "../query.js";

export const OPML_TYPE = "text/x-opml; charset=utf-8";

export function registerOpmlRoutes(router: Router, deps: AppDeps): void {
  router.get("/opml", (ctx) => {
    const config = deps.getConfig();
    sendOpml(ctx, config, categoriesOpml(config, parseFormat(ctx.query.format)));
  });
  router.get("/opml/sources", (ctx) => {
    const config = deps.getConfig();
    sendOpml(ctx, config, sourcesOpml(config));
  });
}

function sendOpml(ctx: Context, config: Config, body: string): void {
  ctx.status = 200;
  ctx.set("Content-Type", OPML_TYPE);
  ctx.set("Cache-Control", `public, max-age=${config.feeds.maxAge}`);
  ctx.body = body;
}

/** `?format=rss|atom|json` picks which feed each outline points at; RSS when absent. */
export function parseFormat(raw: RawValue): FeedFormat {
  if (Array.isArray(raw)) {
    if (raw.length > 1) throw badRequest("format: must be given at most once");
    return parseFormat(raw[0]);
  }
  if (raw === undefined || raw === "") return "rss";
  if ((FEED_FORMATS as readonly string[]).includes(raw)) return raw as FeedFormat;
  throw badRequest(`format: must be one of ${FEED_FORMATS.join(", ")}, got ${quote(raw)}`);
}

/** One outline per category, `all` first, each pointing at the category's feed. */
export function categoriesOpml(config: Config, format: FeedFormat): string {
  const home = `${config.service.baseUrl}/`;
  const outlines: OpmlOutline[] = listCategories(config).map(({ title, description, feeds }) => {
    const outline: OpmlOutline = {
      text: `${config.service.title}: ${title}`,
      type: "rss",
      xmlUrl: feeds[format],
      htmlUrl: home,
    };
    if (description !== "") outline.description = description;
    return outline;
  });
  return renderOpml({ title: config.service.title, outlines });
}

/**
 * The enabled partner sources, each once, with its Tributary categories in the OPML
 * `category` attribute (`/migration,/research`) so an import files it the same way.
 */
export function sourcesOpml(config: Config): string {
  const outlines: OpmlOutline[] = config.sources
    .filter((source) => source.enabled)
    .map((source) => {
      const outline: OpmlOutline = {
        text: source.title,
        type: "rss",
        // What import-opml reads back elsewhere: public, so a private feed's credentials stay here.
        xmlUrl: publicSourceUrl(source),
        category: source.categories.map((id) => `/${id}`).join(","),
      };
      if (source.homepage !== undefined) outline.htmlUrl = source.homepage;
      return outline;
    });
  return renderOpml({ title: `${config.service.title}: partner sources`, outlines });
}
