// Which answers are pages for people and which are data for programs, so that an error is
// answered in the form its request expects: a page on the routes that serve pages, JSON on the
// feeds' and the API's. A path no route knows is a page for a browser (it asks for text/html
// first) and JSON for everything else (scripts, curl, feed readers send no preference for it).
import type { RouterContext } from "@koa/router";
import type { Context } from "koa";

export const HOME_PATH = "/";
export const CATEGORY_PAGE_PATH = "/categories/:id";
export const SOURCES_PAGE_PATH = "/sources";
export const EMBED_PAGE_PATH = "/embed/:category";

/** Route patterns that serve HTML pages. */
const HTML_ROUTES: ReadonlySet<string> = new Set([
  HOME_PATH,
  CATEGORY_PAGE_PATH,
  SOURCES_PAGE_PATH,
  EMBED_PAGE_PATH,
]);

export function answersHtml(ctx: Context): boolean {
  // Routes whose path matched, whatever the method: a 405 on a page is a page too.
  const routes = ((ctx as RouterContext).matched ?? []).filter((layer) => layer.methods.length);
  if (routes.length > 0) {
    return routes.some((layer) => typeof layer.path === "string" && HTML_ROUTES.has(layer.path));
  }
  return ctx.accepts("json", "html") === "html";
}
