// Cached feed pages answered on the raw node:http request, before Koa. A feed reader's poll is
// the most frequent request and almost always a cached page or a 304; Koa's context, header
// setting and middleware chain cost more than the answer itself. This path answers only what it
// can answer exactly as the route in routes/feeds.ts does — a GET or HEAD of
// `/feeds/{category}.{format}` with a query the route accepts, whose bytes the publisher holds
// for the store's current version — and hands everything else to Koa untouched: a miss, a
// query it does not know, a stale copy, an outage, another path or method.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import type { Config } from "../config/types.js";
import type { Metrics } from "../metrics.js";
import { cachedLookupOf } from "../publish/publisher.js";
import type { FeedPublisher, FeedRequest, Representation } from "../publish/types.js";
import { STORE_RETRY_AFTER_SECONDS } from "./errors.js";
import { buildResponse, type FeedRequestHeaders, publicMaxAge } from "./feed-response.js";
import { PUBLIC_PATH_HEADERS } from "./headers.js";
import { requestLog } from "./observe.js";
import { parsePageQuery, type RawValue } from "./query.js";
import { FEED_ROUTE, parseFeedFile } from "./routes/feeds.js";

export interface FastPathDeps {
  /** Read per request, as the routes do: a reload replaces the config and the publisher. */
  getConfig(): Config;
  getPublisher(): FeedPublisher;
  logger: Logger;
  metrics?: Metrics;
}

/** Request URLs remembered with what they ask for (or that they are not for this path). */
const MAX_URLS = 1024;

/** `/feeds/{file}` where the file needs no decoding (the router would decode `%xx`). */
const FEED_PATH = /^\/feeds\/([A-Za-z0-9._-]+)$/;

/** The query parameters the feed route reads; any other one sends the request to Koa. */
const PAGE_PARAMETERS = new Set(["limit", "source", "cursor", "lang"]);

type Handler = (req: IncomingMessage, res: ServerResponse) => unknown;

/**
 * The node:http request handler: the fast path first, Koa's callback for whatever it declines.
 * Requests that are not for it go to Koa at once, in the same turn, as without it.
 */
export function withFeedFastPath(
  deps: FastPathDeps,
  koa: Handler,
): (req: IncomingMessage, res: ServerResponse) => void {
  const log = requestLog({ logger: deps.logger, metrics: deps.metrics, route: FEED_ROUTE });
  let config: Config | undefined;
  let cacheControl = "";
  let requests = new Map<string, FeedRequest | null>();
  // Set when Koa answered a feed request stale or with the 503 of a store that did not answer:
  // until Koa answers one normally again, feed requests keep going through Koa, so the outage
  // log of observe.ts sees the store answer again on this route and ends the outage it reported.
  // (A render-busy 503, with its own Retry-After, is no outage: cached pages stay fast.)
  let outage = false;

  /** What `url` asks for under the config in force, or null when the full route must answer. */
  const requestOf = (url: string): FeedRequest | null => {
    const current = deps.getConfig();
    if (current !== config) {
      config = current;
      cacheControl = publicMaxAge(current.feeds.maxAge);
      requests = new Map();
    }
    let request = requests.get(url);
    if (request === undefined) {
      request = parseRequest(url, current);
      // Distinct URLs are few (feeds × a handful of pages); a client inventing queries only
      // makes this start over.
      if (requests.size >= MAX_URLS) requests.clear();
      requests.set(url, request);
    }
    return request;
  };

  /** A feed request for Koa, whose answer is watched for the outage rule above. */
  const handOver = (req: IncomingMessage, res: ServerResponse): void => {
    res.once("finish", () => {
      if (res.hasHeader(STALE_HEADER) || isStoreUnavailable(res)) outage = true;
      else if (res.statusCode < 400) outage = false;
    });
    koa(req, res);
  };

  return (req, res) => {
    const started = performance.now();
    const method = req.method;
    const url = req.url ?? "";
    if ((method !== "GET" && method !== "HEAD") || !url.startsWith("/feeds/")) {
      koa(req, res);
      return;
    }
    const request = requestOf(url);
    const lookup = outage ? undefined : cachedLookupOf(deps.getPublisher());
    if (request === null || lookup === undefined) {
      handOver(req, res);
      return;
    }
    let found: ReturnType<typeof lookup>;
    try {
      found = lookup(request);
    } catch (error) {
      failed(error, req, res);
      return;
    }
    if (found === undefined) {
      handOver(req, res);
      return;
    }
    // The store knew the version without IO (pushed versions, the memory store): answered in
    // this turn, with no promise. Otherwise one `then` for the whole answer.
    if (found instanceof Promise) {
      found.then(
        (representation) => respond(req, res, method, url, representation, started),
        (error: unknown) => failed(error, req, res),
      );
    } else {
      respond(req, res, method, url, found, started);
    }
  };

  /** Answers with `representation` when it is current, else hands the request to Koa. */
  function respond(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    url: string,
    representation: Representation | undefined,
    started: number,
  ): void {
    // Stale copies carry Warning and Age, computed per request: the full route sends them.
    if (representation === undefined || representation.stale !== undefined) {
      handOver(req, res);
      return;
    }
    try {
      const status = answer(req, res, representation, cacheControl);
      deps.metrics?.countFastAnswer();
      log.record(method, status, url, performance.now() - started);
    } catch (error) {
      failed(error, req, res);
    }
  }

  /** A bug here: logged, and the request answered by Koa unless the answer had started. */
  function failed(error: unknown, req: IncomingMessage, res: ServerResponse): void {
    deps.logger.error({ err: error }, "feed fast path failed; answering through Koa");
    if (!res.headersSent) koa(req, res);
    else res.destroy();
  }
}

/** The header of every stale answer (feed-response.ts). */
const STALE_HEADER = "X-Tributary-Stale";

/** The error boundary's answer to a StoreUnavailableError (errors.ts). */
const isStoreUnavailable = (res: ServerResponse): boolean =>
  res.statusCode === 503 && res.getHeader("Retry-After") === STORE_RETRY_AFTER;

const STORE_RETRY_AFTER = String(STORE_RETRY_AFTER_SECONDS);

/** Writes the response of a cached, current representation; returns its status. */
function answer(
  req: IncomingMessage,
  res: ServerResponse,
  representation: Representation,
  cacheControl: string,
): number {
  const response = buildResponse(representation, requestHeaders(req), cacheControl);
  res.writeHead(response.status, flatHeaders(response.headers));
  // A HEAD gets the headers of the GET (Content-Length included) and no body, as from Koa.
  if (response.body === undefined || req.method === "HEAD") res.end();
  else res.end(response.body);
  return response.status;
}

/** As headers.ts reads them for Koa: an empty header counts as absent. */
function requestHeaders(req: IncomingMessage): FeedRequestHeaders {
  const { headers } = req;
  return {
    acceptEncoding: headers["accept-encoding"] || undefined,
    ifNoneMatch: headers["if-none-match"] || undefined,
    ifModifiedSince: headers["if-modified-since"] || undefined,
  };
}

// The records buildResponse returns for a current page are made once per page and coding
// (feed-response.ts); their wire form, with the headers app.ts adds to every public answer,
// is made once too and kept as long as the record.
const wireHeaders = new WeakMap<Readonly<Record<string, string>>, string[]>();

function flatHeaders(headers: Readonly<Record<string, string>>): string[] {
  let flat = wireHeaders.get(headers);
  if (flat === undefined) {
    flat = [];
    // Koa's order: the route's headers, then what standardHeaders sets after it.
    for (const record of [headers, PUBLIC_PATH_HEADERS]) {
      for (const [name, value] of Object.entries(record)) flat.push(name, value);
    }
    wireHeaders.set(headers, flat);
  }
  return flat;
}

/** The page `url` asks for, or null when it is anything the full route must answer. */
export function parseRequest(url: string, config: Config): FeedRequest | null {
  const q = url.indexOf("?");
  const path = q < 0 ? url : url.slice(0, q);
  const file = FEED_PATH.exec(path)?.[1];
  if (file === undefined) return null;
  const query = parseQuery(q < 0 ? "" : url.slice(q + 1));
  if (query === null) return null;
  try {
    // The route's own validation: a 404 or 400 it would answer is Koa's to send.
    const { category, format } = parseFeedFile(file, config);
    return { category, format, ...parsePageQuery(query, config, category) };
  } catch {
    return null;
  }
}

/** As Koa parses a query (URLSearchParams, repeated names as arrays); null for other names. */
function parseQuery(search: string): Record<string, RawValue> | null {
  const query: Record<string, RawValue> = {};
  if (search === "") return query;
  const params = new URLSearchParams(search);
  for (const name of params.keys()) {
    if (!PAGE_PARAMETERS.has(name)) return null;
    const values = params.getAll(name);
    query[name] = values.length <= 1 ? values[0] : values;
  }
  return query;
}
