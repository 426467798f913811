// Every hostile source at once, with the error kind each must show: the mixed-poll tests use it
// with small limits, bench/hostile.ts with the production ones (15 MiB bodies and bombs, the
// 10 MB title). Good sources are in the mix, and must come through untouched.

import { gzipSync } from "node:zlib";
import { freePort } from "../helpers/ports.js";
import {
  BILLION_LAUGHS,
  brotliBomb,
  deepNesting,
  drip,
  encoded,
  endless,
  gzipBomb,
  type HostileRoute,
  huge,
  hugeTitle,
  LOGIN_WALL,
  MALFORMED_XML,
  numberedItems,
  pathologicalStrings,
  redirect,
  redirectLoop,
  rssFeed,
  serve,
  silent,
  status,
  XXE_FILE,
} from "./hostile-server.js";

export interface CatalogueSource {
  id: string;
  /** A path on the hostile server, or a whole URL. */
  path: string;
  /** The error kind it must show; "ok" for good sources; several when either is right. */
  expect: string[];
}

export interface Catalogue {
  routes: Record<string, HostileRoute>;
  sources: CatalogueSource[];
}

export interface CatalogueOptions {
  /** polling.maxBytes of the service polling it: bodies and bombs are sized against it. */
  maxBytes: number;
  /** Add the documents that are slow or large to parse (10 MB title, nesting, strings). */
  heavyParsing?: boolean;
}

/** The titles each good source serves, to check they all come through. */
export const GOOD_TITLES: Record<string, string[]> = {
  "good-a": numberedItems("alpha", 3).map((i) => i.title),
  "good-b": numberedItems("beta", 2).map((i) => i.title),
  "good-c": numberedItems("gamma", 4).map((i) => i.title),
};

export async function hostileCatalogue(options: CatalogueOptions): Promise<Catalogue> {
  const { maxBytes } = options;
  const bombSize = Math.max(4 * maxBytes, 16 * 1024 * 1024);
  let chain = Buffer.from(rssFeed(numberedItems("chain", 1)));
  for (let i = 0; i < 5; i++) chain = gzipSync(chain);
  const [gzip, brotli] = await Promise.all([gzipBomb(bombSize), brotliBomb(bombSize)]);
  const routes: Record<string, HostileRoute> = {
    "/good-a": serve(rssFeed(numberedItems("alpha", 3))),
    "/good-b": serve(rssFeed(numberedItems("beta", 2))),
    "/good-c": serve(rssFeed(numberedItems("gamma", 4)), {
      "content-type": "application/rss+xml",
      etag: '"gamma"',
    }),
    "/silent": silent(),
    "/drip": drip(200),
    "/huge-declared": huge(2 * maxBytes, true),
    "/huge-chunked": huge(2 * maxBytes, false),
    "/endless": endless(),
    "/gzip-bomb": encoded("gzip", gzip),
    "/brotli-bomb": encoded("br", brotli),
    "/double-bomb": encoded("br, gzip", gzipSync(brotli)),
    "/coding-chain": encoded("gzip, gzip, gzip, gzip, gzip", chain),
    ...redirectLoop("/loop"),
    "/to-ftp": redirect(302, "ftp://127.0.0.1/feed.xml"),
    "/login-wall": serve(LOGIN_WALL, { "content-type": "text/html; charset=utf-8" }),
    "/malformed": serve(MALFORMED_XML),
    "/xxe": serve(XXE_FILE),
    "/billion-laughs": serve(BILLION_LAUGHS),
    "/gone": status(410),
    "/unavailable": status(503, { "retry-after": "600" }),
    "/too-many": status(429, { "retry-after": "600" }),
    "/broken": status(500),
  };
  const sources: CatalogueSource[] = [
    { id: "good-a", path: "/good-a", expect: ["ok"] },
    { id: "good-b", path: "/good-b", expect: ["ok"] },
    // Its ETag makes a second poll a 304.
    { id: "good-c", path: "/good-c", expect: ["ok", "not-modified"] },
    { id: "silent", path: "/silent", expect: ["timeout"] },
    { id: "drip", path: "/drip", expect: ["timeout"] },
    { id: "huge-declared", path: "/huge-declared", expect: ["too-large"] },
    { id: "huge-chunked", path: "/huge-chunked", expect: ["too-large"] },
    { id: "endless", path: "/endless", expect: ["too-large"] },
    { id: "gzip-bomb", path: "/gzip-bomb", expect: ["too-large"] },
    { id: "brotli-bomb", path: "/brotli-bomb", expect: ["too-large"] },
    { id: "double-bomb", path: "/double-bomb", expect: ["too-large"] },
    { id: "coding-chain", path: "/coding-chain", expect: ["bad-encoding"] },
    { id: "loop", path: "/loop/a", expect: ["too-many-redirects"] },
    { id: "to-ftp", path: "/to-ftp", expect: ["bad-url"] },
    { id: "login-wall", path: "/login-wall", expect: ["not-a-feed"] },
    { id: "malformed", path: "/malformed", expect: ["parse-error"] },
    { id: "xxe", path: "/xxe", expect: ["parse-error"] },
    { id: "billion-laughs", path: "/billion-laughs", expect: ["parse-error"] },
    { id: "gone", path: "/gone", expect: ["gone"] },
    { id: "unavailable", path: "/unavailable", expect: ["http-503"] },
    { id: "too-many", path: "/too-many", expect: ["http-429"] },
    { id: "broken", path: "/broken", expect: ["http-500"] },
    { id: "refused", path: `http://127.0.0.1:${await freePort()}/feed`, expect: ["connection"] },
  ];
  if (options.heavyParsing) {
    // Parsed or refused, each within the parse time limit: never a hang.
    const heavy = ["ok", "parse-error", "parse-timeout"];
    Object.assign(routes, {
      "/deep": serve(deepNesting()),
      "/huge-title": serve(hugeTitle()),
      "/strings": serve(pathologicalStrings()),
    });
    sources.push(
      { id: "deep", path: "/deep", expect: heavy },
      { id: "huge-title", path: "/huge-title", expect: heavy },
      { id: "strings", path: "/strings", expect: heavy },
    );
  }
  return { routes, sources };
}

/** The URL of a catalogue source on a server at `origin`. */
export const sourceUrl = (origin: string, source: CatalogueSource): string =>
  source.path.startsWith("/") ? `${origin}${source.path}` : source.path;
