// GET /: the human entry point, listing categories and their feeds.
import type Router from "@koa/router";
import { ALL } from "../../store/store.js";
import type { AppDeps } from "../app.js";
import { describeCategories } from "../categories.js";
import { HOME_PAGE_CSP, renderHomePage } from "../home-page.js";
import { sendHtml } from "../respond.js";

export function registerHomeRoute(router: Router, deps: AppDeps): void {
  router.get("/", async (ctx) => {
    const config = deps.getConfig();
    const categories = await describeCategories(config, deps.store);
    const html = renderHomePage({
      title: config.service.title,
      categories,
      alternate: categories.find((category) => category.id === ALL),
    });
    ctx.set("Content-Security-Policy", HOME_PAGE_CSP);
    sendHtml(ctx, html);
  });
}
