// Renders each feed page once per content change. A request costs one `store.version` call;
// entries are read, rendered and compressed only when the category's version moved (or the
// page was never rendered / fell out of the LRU). When the store is unreachable, the last
// bytes rendered for that page are served, marked stale, rather than an error.
import { type Store, StoreUnavailableError } from "../store/store.js";
import { type FeedContext, lastUpdated, renderFeed, type SourceInfo } from "./render.js";
import { buildRepresentationAsync } from "./representation.js";
import {
  CONTENT_TYPES,
  type FeedFormat,
  type FeedPublisher,
  type FeedRequest,
  type Representation,
} from "./types.js";

export interface CategoryInfo {
  id: string;
  title: string;
  description: string;
}

export interface PublisherDeps {
  store: Store;
  /** Every category a request may name, including "all". */
  categories: ReadonlyMap<string, CategoryInfo>;
  sources: ReadonlyMap<string, SourceInfo>;
  /** `baseUrl` absolute; a trailing slash is ignored. */
  service: { title: string; baseUrl: string };
  /** How many rendered pages are kept (LRU). Default 256. */
  maxEntries?: number;
  /**
   * The `limit` a request gets when it names none (config `feeds.defaultLimit`). Links leave
   * `limit` out when it equals this, so a subscriber's URL and the feed's self link match.
   * Without it, links always carry `limit`.
   */
  defaultLimit?: number;
}

const DEFAULTS = { maxEntries: 256 } as const;

interface Cached {
  version: number;
  representation: Representation;
  /** Date.now() when the store last confirmed `version` (a number: this is the hot path). */
  checkedAtMs: number;
}

/** The cached bytes, marked as not confirmed by the store since `checkedAtMs`. */
const staleCopy = (cached: Cached): Representation => ({
  ...cached.representation,
  stale: { since: new Date(cached.checkedAtMs) },
});

export function createPublisher(deps: PublisherDeps): FeedPublisher {
  const maxEntries = Math.max(1, deps.maxEntries ?? DEFAULTS.maxEntries);
  const baseUrl = deps.service.baseUrl.replace(/\/+$/, "");
  // One entry per page (request without version): a new version replaces the old bytes, and
  // the old bytes stay available while the store is down. Map order is recency order.
  const cache = new Map<string, Cached>();
  const inFlight = new Map<string, Promise<Representation>>();

  const remember = (key: string, value: Cached): void => {
    cache.delete(key);
    cache.set(key, value);
    for (const oldest of cache.keys()) {
      if (cache.size <= maxEntries) break;
      cache.delete(oldest);
    }
  };

  const render = async (request: FeedRequest): Promise<Representation> => {
    const page = await deps.store.list({
      category: request.category,
      source: request.source,
      limit: request.limit,
      cursor: request.cursor,
    });
    // RFC 5005 "previous" names the page right before this one. Keyset cursors only go
    // forward, so that page is known only when it is the first one: its `next` is this page's
    // cursor. From page 3 on (or once new entries have shifted page 1) there is no previous
    // link rather than a wrong one; `first` is always there to start over.
    const previousIsFirst =
      request.cursor !== undefined &&
      (
        await deps.store.list({
          category: request.category,
          source: request.source,
          limit: request.limit,
        })
      ).next === request.cursor;
    const ctx = feedContext(deps, baseUrl, request, page.next, previousIsFirst);
    const text = renderFeed(ctx, page.items);
    // The same instant as the feed's own `updated`, so Last-Modified and the body agree.
    const lastModified = lastUpdated(page.items);
    return buildRepresentationAsync(text, CONTENT_TYPES[request.format], lastModified);
  };

  return {
    async get(request) {
      const key = pageKey(request);
      const cached = cache.get(key);
      let version: number;
      try {
        version = await deps.store.version(request.category);
      } catch (error) {
        if (cached && error instanceof StoreUnavailableError) return staleCopy(cached);
        throw error;
      }
      if (cached?.version === version) {
        cached.checkedAtMs = Date.now();
        remember(key, cached);
        return cached.representation;
      }
      // Versions only grow, so 0 after a rendered version means the store lost its data (a
      // Redis restarted without persistence). Until a poll writes again, the last bytes beat
      // an empty feed: readers would drop every entry, then see them all come back as new.
      if (version === 0 && cached) return staleCopy(cached);
      // Identical concurrent misses share one read, render and compression.
      const flightKey = `${key}#${version}`;
      let pending = inFlight.get(flightKey);
      if (!pending) {
        pending = render(request)
          .then((representation) => {
            remember(key, { version, representation, checkedAtMs: Date.now() });
            return representation;
          })
          .finally(() => inFlight.delete(flightKey));
        inFlight.set(flightKey, pending);
      }
      try {
        return await pending;
      } catch (error) {
        const stale = cache.get(key);
        if (stale && error instanceof StoreUnavailableError) return staleCopy(stale);
        throw error;
      }
    },
  };
}

/** Unambiguous key of one page (JSON of the fields, absent ones as null). */
function pageKey(request: FeedRequest): string {
  return JSON.stringify([
    request.category,
    request.format,
    request.limit,
    request.source ?? null,
    request.cursor ?? null,
  ]);
}

function feedContext(
  deps: PublisherDeps,
  baseUrl: string,
  request: FeedRequest,
  next: string | null,
  previousIsFirst: boolean,
): FeedContext {
  const category = deps.categories.get(request.category);
  // The HTTP layer answers 404 for unknown categories before calling; reaching this is a bug.
  if (!category) throw new RangeError(`unknown category ${JSON.stringify(request.category)}`);
  const url = (cursor: string | undefined) =>
    feedUrl(baseUrl, request.category, request.format, {
      limit: request.limit === deps.defaultLimit ? undefined : String(request.limit),
      source: request.source,
      cursor,
    });
  const first = url(undefined);
  return {
    format: request.format,
    category,
    service: { title: deps.service.title, baseUrl },
    selfUrl: url(request.cursor),
    // The home page lists every category under `id="category-<id>"`.
    htmlUrl: `${baseUrl}/#category-${encodeURIComponent(request.category)}`,
    links: {
      first,
      next: next === null ? undefined : url(next),
      previous: previousIsFirst ? first : undefined,
    },
    sources: deps.sources,
    categories: deps.categories,
  };
}

const EXTENSIONS: Record<FeedFormat, string> = { rss: "rss", atom: "atom", json: "json" };

/** `${baseUrl}/feeds/<category>.<ext>` with the query in a fixed order (limit, source, cursor). */
export function feedUrl(
  baseUrl: string,
  category: string,
  format: FeedFormat,
  query: { limit?: string; source?: string; cursor?: string },
): string {
  const params = new URLSearchParams();
  for (const name of ["limit", "source", "cursor"] as const) {
    const value = query[name];
    if (value !== undefined) params.set(name, value);
  }
  const search = params.toString();
  const path = `${baseUrl}/feeds/${encodeURIComponent(category)}.${EXTENSIONS[format]}`;
  return search === "" ? path : `${path}?${search}`;
}
