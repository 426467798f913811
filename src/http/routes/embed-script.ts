// GET|HEAD /embed.js: the `<tributary-feed>` script partner pages load from their own origins.
// The URL the snippets give carries `?v=<version>` and may be cached for a year (a new release
// has a new URL); an unversioned or outdated URL keeps working, cached only as long as a feed.
import type Router from "@koa/router";
import { EMBED_SCRIPT_PATH, embedScript } from "../../pages/embed-script.js";
import type { AppDeps } from "../deps.js";
import { buildResponse, publicMaxAge } from "../feed-response.js";
import { representationHeaders } from "../headers.js";

/** An old `?v=` is answered with today's bytes, so it must not be kept for long. */
const UNVERSIONED_MAX_AGE = 300;
const IMMUTABLE = "public, max-age=31536000, immutable";

// A script is loaded cross-origin without CORS (a plain <script src>), but a page that adds
// `crossorigin` (for Subresource Integrity) needs ACAO, and a page isolated with COEP needs CORP.
// Credentials are never involved, so `*` is safe.
const CROSS_ORIGIN_HEADERS: Readonly<Record<string, string>> = {
  "Access-Control-Allow-Origin": "*",
  "Cross-Origin-Resource-Policy": "cross-origin",
};

export function registerEmbedScriptRoute(router: Router, _deps: AppDeps): void {
  router.get(EMBED_SCRIPT_PATH, (ctx) => {
    const { representation, version } = embedScript();
    // Other query parameters are ignored: a partner's cache-busting or tracking must not break it.
    const cacheControl = ctx.query.v === version ? IMMUTABLE : publicMaxAge(UNVERSIONED_MAX_AGE);
    const response = buildResponse(representation, representationHeaders(ctx), cacheControl);
    // Status first: Koa derives 200 from the body otherwise, and a 304 must have none.
    ctx.status = response.status;
    ctx.set(response.headers);
    ctx.set(CROSS_ORIGIN_HEADERS);
    if (response.body) ctx.body = response.body;
  });
}
