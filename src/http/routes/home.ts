// GET /: the human entry point, listing categories and their feeds. While the store is
// unavailable it serves the page it last rendered for the config in force, marked stale (a
// notice on the page, and the headers a stale feed carries); with none rendered yet, the error
// boundary answers with the HTML 503 page.
import type Router from "@koa/router";
import type { Config } from "../../config/types.js";
import { describeCategories } from "../../status/categories.js";
import { ALL, StoreUnavailableError } from "../../store/store.js";
import type { AppDeps } from "../deps.js";
import { staleHeaders } from "../feed-response.js";
import { type HomePageView, renderHomePage } from "../home-page.js";
import { PAGE_CSP } from "../html.js";
import { HOME_PATH } from "../html-routes.js";
import { sendHtml } from "../respond.js";

interface Rendered {
  view: HomePageView;
  /** When the store last confirmed the view. */
  at: Date;
}

export function registerHomeRoute(router: Router, deps: AppDeps): void {
  // Per config object: a reload starts afresh, and the old page goes with the old config.
  const lastRendered = new WeakMap<Config, Rendered>();
  router.get(HOME_PATH, async (ctx) => {
    const config = deps.getConfig();
    let view: HomePageView;
    try {
      view = await homePageView(config, deps);
      lastRendered.set(config, { view, at: new Date() });
    } catch (error) {
      const last = lastRendered.get(config);
      if (!(error instanceof StoreUnavailableError) || !last) throw error;
      view = { ...last.view, staleSince: last.at };
      ctx.set(staleHeaders(last.at, new Date()));
    }
    ctx.set("Content-Security-Policy", PAGE_CSP);
    sendHtml(ctx, renderHomePage(view));
  });
}

async function homePageView(config: Config, deps: AppDeps): Promise<HomePageView> {
  const categories = await describeCategories(config, deps.store);
  return {
    title: config.service.title,
    categories,
    alternate: categories.find((category) => category.id === ALL),
  };
}
