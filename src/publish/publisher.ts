// Renders each feed page once per content change. A request costs one `store.categoryVersion`
// call; a page is rendered only when the category's version moved (or the page was never
// rendered / fell out of the LRU), and its entries are read once per category version for
// every `limit`: one read of the default page, or of the largest page, is sliced for each.
// Renders pass a RenderGate, so uncached requests can never starve cached ones. When the
// store is unreachable, or is being refilled after it lost its data, the last bytes rendered
// for that page are served, marked stale, rather than an error or an empty feed.
import { languageIndex } from "../model/language.js";
import { indexKeyOf } from "../store/compare.js";
import { encodeCursor } from "../store/cursor.js";
import {
  type CategoryVersion,
  type Page,
  type Store,
  StoreUnavailableError,
} from "../store/store.js";
import { hubLinksOf, linkHeader } from "../websub/hub-links.js";
import { categoryPageUrl, feedUrl } from "./feed-urls.js";
import { renderFeed } from "./render.js";
import { RenderGate } from "./render-gate.js";
import { buildRepresentation, contentHash } from "./representation.js";
import type { StoreRecovery } from "./store-recovery.js";
import {
  CONTENT_TYPES,
  type FeedPublisher,
  type FeedRequest,
  type Representation,
} from "./types.js";
import type { FeedContext, SourceInfo } from "./view.js";

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
  /**
   * The largest `limit` (config `feeds.maxLimit`). A page longer than the default page reads
   * this many entries, once per version, and every other `limit` is a slice of them.
   */
  maxLimit?: number;
  /**
   * WebSub hubs (config `websub.hubs`): the unfiltered feeds then name them and their topic URL
   * in the body and in `Representation.links` (see websub/hub-links.ts). Empty or absent: none.
   */
  hubs?: readonly string[];
  /** Admission of renders; shared by the publishers a config reload replaces. */
  gate?: RenderGate;
  /** Notices a store that lost its data; shared likewise. Without it, none is noticed. */
  recovery?: StoreRecovery;
}

const DEFAULTS = { maxEntries: 256, maxWindows: 64 } as const;

/**
 * How long a shared render stays in the store: long enough for instances that start or miss
 * the page meanwhile, short enough that pages of versions long gone do not pile up.
 */
export const SHARED_RENDER_TTL_MS = 10 * 60_000;

interface Cached {
  version: number;
  representation: Representation;
  /** Date.now() when the store last confirmed `version` (a number: this is the hot path). */
  checkedAtMs: number;
  /** Rendered while the store was being refilled after a loss: not a copy from before it. */
  partial: boolean;
}

/** Entries read once per category version for one (category, source, cursor). */
interface EntriesWindow {
  version: number;
  /** Entries asked for: the page of every `limit` up to this is a prefix of the read. */
  size: number;
  read: Promise<Page>;
  /** Known once read: the read holds every entry there is, so it answers any `limit`. */
  complete: boolean;
}

/** The cached bytes, marked as not confirmed by the store since `checkedAtMs`. */
const staleCopy = (cached: Cached): Representation => ({
  ...cached.representation,
  stale: { since: new Date(cached.checkedAtMs), partial: cached.partial },
});

/** Bytes rendered from a store that is still being refilled: nobody may cache them. */
const partialCopy = (representation: Representation, lostAt: Date): Representation => ({
  ...representation,
  stale: { since: lostAt, partial: true },
});

export function createPublisher(deps: PublisherDeps): FeedPublisher {
  const maxEntries = Math.max(1, deps.maxEntries ?? DEFAULTS.maxEntries);
  const baseUrl = deps.service.baseUrl.replace(/\/+$/, "");
  const gate = deps.gate ?? new RenderGate();
  // One entry per page (request without version): a new version replaces the old bytes, and
  // the old bytes stay available while the store is down. Map order is recency order.
  const cache = new Map<string, Cached>();
  const inFlight = new Map<string, Promise<Cached>>();
  const windows = new Map<string, EntriesWindow>();
  // Looked up once: through the store wrappers (Proxies) each property read costs a trap or two,
  // and this is called for every cached feed request.
  const peekVersion = deps.store.peekVersion?.bind(deps.store);

  const remember = <T>(map: Map<string, T>, key: string, value: T, max: number): void => {
    map.delete(key);
    map.set(key, value);
    // Every cached request comes here: no iterator unless something must go.
    if (map.size <= max) return;
    for (const oldest of map.keys()) {
      if (map.size <= max) break;
      map.delete(oldest);
    }
  };

  /** How many entries to read for a page of `limit`: the default page, or the largest one. */
  const readSize = (limit: number): number => {
    const page = deps.defaultLimit ?? limit;
    return limit <= page ? page : Math.max(limit, deps.maxLimit ?? limit);
  };

  /** The entries of the page of `limit` at `version`, from the window's read when it has them. */
  const entries = async (request: Omit<FeedRequest, "format">, version: number): Promise<Page> => {
    const key = JSON.stringify([
      request.category,
      request.source ?? null,
      request.language ?? null,
      request.cursor ?? null,
    ]);
    let window = windows.get(key);
    if (
      window === undefined ||
      window.version !== version ||
      (window.size < request.limit && !window.complete)
    ) {
      const size = readSize(request.limit);
      const read = deps.store.list({
        category: request.category,
        source: request.source,
        language: request.language,
        limit: size,
        cursor: request.cursor,
      });
      const opened: EntriesWindow = { version, size, read, complete: false };
      window = opened;
      read.then(
        (page) => {
          opened.complete = page.next === null;
        },
        () => {
          if (windows.get(key) === opened) windows.delete(key);
        },
      );
    }
    remember(windows, key, window, DEFAULTS.maxWindows);
    return pageOf(await window.read, request.limit);
  };

  /**
   * Names a page's text for every instance of the deployment: the same config, data set,
   * category version and request give the same bytes, so one instance's render serves all.
   */
  const configHash = contentHash(
    Buffer.from(
      JSON.stringify([
        deps.service,
        [...deps.categories],
        [...deps.sources],
        deps.defaultLimit ?? null,
        deps.maxLimit ?? null,
        deps.hubs ?? [],
      ]),
    ),
  );
  const sharedKey = (request: FeedRequest, stamp: CategoryVersion): string | undefined =>
    stamp.generation === undefined || deps.store.renders === undefined
      ? undefined
      : JSON.stringify([
          configHash,
          stamp.generation,
          stamp.version,
          request.category,
          request.format,
          request.limit,
          request.source ?? null,
          request.language ?? null,
          request.cursor ?? null,
        ]);

  /**
   * The page at `stamp`: another instance's render of it when the store shares renders (a new
   * or restarted instance renders nothing it can fetch), else rendered here and then shared.
   * Pages rendered while the store is being refilled are neither taken nor shared.
   */
  const render = async (
    request: FeedRequest,
    stamp: CategoryVersion,
    partial: boolean,
  ): Promise<Representation> => {
    const shared = partial ? undefined : sharedKey(request, stamp);
    const renders = deps.store.renders;
    const contentType = CONTENT_TYPES[request.format];
    if (shared !== undefined && renders !== undefined) {
      const text = await renders.get(shared).catch(() => undefined);
      if (text !== undefined) {
        return buildRepresentation(text, contentType, stamp.changedAt, gate.charge);
      }
    }
    const { text, representation } = await renderHere(request, stamp);
    if (shared !== undefined && renders !== undefined) {
      // Not awaited: the reader who asked should not wait for the others' copy.
      void renders.put(shared, text, SHARED_RENDER_TTL_MS).catch(() => {});
    }
    return representation;
  };

  const renderHere = async (request: FeedRequest, stamp: CategoryVersion) =>
    gate.run(async (timed) => {
      const page = await entries(request, stamp.version);
      // RFC 5005 "previous" names the page right before this one. Keyset cursors only go
      // forward, so that page is known only when it is the first one: its `next` is this
      // page's cursor. From page 3 on (or once new entries have shifted page 1) there is no
      // previous link rather than a wrong one; `first` is always there to start over. The
      // first page comes from its own window, read once per version whatever the limit.
      const previousIsFirst =
        request.cursor !== undefined &&
        (await entries({ ...request, cursor: undefined }, stamp.version)).next === request.cursor;
      return timed(() => {
        const ctx = feedContext(deps, baseUrl, request, page.next, previousIsFirst);
        const text = renderFeed(ctx, page.items);
        // When the category's content last changed, as the store recorded it with the
        // version: every page of the version, on every instance, sends the same date.
        const representation = buildRepresentation(
          text,
          CONTENT_TYPES[request.format],
          stamp.changedAt,
          gate.charge,
        );
        return { text, representation };
      });
    });

  /** The page at `stamp.version`, rendered unless cached; identical misses share one render. */
  const current = (
    key: string,
    request: FeedRequest,
    stamp: CategoryVersion,
    partial: boolean,
  ): Promise<Cached> => {
    const cached = cache.get(key);
    if (cached?.version === stamp.version) return Promise.resolve(cached);
    const flightKey = `${key}#${stamp.version}`;
    let pending = inFlight.get(flightKey);
    if (!pending) {
      pending = render(request, stamp, partial)
        .then((rendered) => withHubLinks(rendered, baseUrl, deps.hubs, request))
        .then((representation) => {
          const checkedAtMs = Date.now();
          const rendered = { version: stamp.version, representation, checkedAtMs, partial };
          remember(cache, key, rendered, maxEntries);
          return rendered;
        })
        .finally(() => inFlight.delete(flightKey));
      inFlight.set(flightKey, pending);
    }
    return pending;
  };

  /**
   * The cached bytes of `request` when they are those of the store's current version and can be
   * answered as they are: no render, no read beyond the version (from memory while versions are
   * pushed), and undefined for everything `get` would answer otherwise (a miss, a store that
   * cannot answer or lost its data, a stale copy), so the caller hands those to `get`. When the
   * store knows the version without IO (`peekVersion`), the answer is synchronous: no promise.
   */
  const peek = (
    request: FeedRequest,
  ): Representation | Promise<Representation | undefined> | undefined => {
    const key = peekKey(request);
    if (!cache.has(key)) return undefined;
    const known = peekVersion?.(listingOf(request));
    if (known !== undefined) return currentBytes(key, known);
    // A `then`, not an async function: this runs for every cached feed request the store
    // cannot answer from memory.
    return deps.store.categoryVersion(listingOf(request)).then(
      (stamp) => currentBytes(key, stamp),
      () => undefined,
    );
  };

  /** The cached bytes of page `key` if they are those of `stamp`, confirmed; else undefined. */
  const currentBytes = (key: string, stamp: CategoryVersion): Representation | undefined => {
    // Asynchronously, a render that finished meanwhile may have replaced the entry.
    const page = cache.get(key);
    if (page === undefined || page.version !== stamp.version) return undefined;
    // What `get` checks before trusting a cached page: a loss being refilled is its business.
    if (deps.recovery?.observe(stamp.generation) !== undefined) return undefined;
    confirmed(key, page);
    return page.representation;
  };

  /** The store has just confirmed `page` as current (the end of every fresh `get`). */
  const confirmed = (key: string, page: Cached): void => {
    page.checkedAtMs = Date.now();
    // A page rendered while the store was refilled is its current content.
    page.partial = false;
    remember(cache, key, page, maxEntries);
  };

  const publisher: FeedPublisher = {
    async get(request) {
      const key = pageKey(request);
      const cached = cache.get(key);
      let stamp: CategoryVersion;
      try {
        stamp = await deps.store.categoryVersion(listingOf(request));
      } catch (error) {
        if (cached && error instanceof StoreUnavailableError) return staleCopy(cached);
        throw error;
      }
      // The store lost its data and is being refilled: the copy from before the loss beats
      // whatever it holds now (readers would drop every entry, then see them all come back as
      // new). Versions only grow, so 0 after a rendered version is such a loss too.
      const lostAt = deps.recovery?.observe(stamp.generation);
      const lost =
        lostAt !== undefined || (stamp.version === 0 && cached !== undefined && cached.version > 0);
      if (lost && cached && !cached.partial) return staleCopy(cached);
      let page: Cached;
      try {
        page = await current(key, request, stamp, lostAt !== undefined);
      } catch (error) {
        const stale = cache.get(key);
        if (stale && error instanceof StoreUnavailableError) return staleCopy(stale);
        throw error;
      }
      if (lostAt !== undefined) return partialCopy(page.representation, lostAt);
      confirmed(key, page);
      return page.representation;
    },
  };
  cachedLookups.set(publisher, peek);
  return publisher;
}

/**
 * Answers a feed request from cached bytes only (see `peek` in createPublisher): undefined at
 * once when nothing is cached for the page (or, known without IO, not current); the bytes at
 * once when the store knows the version without IO; else a promise of either, settled once the
 * store confirmed (or not) its version. The promise never rejects.
 */
export type CachedFeedLookup = (
  request: FeedRequest,
) => Representation | Promise<Representation | undefined> | undefined;

const cachedLookups = new WeakMap<FeedPublisher, CachedFeedLookup>();

/**
 * The cache-only lookup of a publisher made by createPublisher; undefined for any other
 * FeedPublisher, whose every request then takes the full route.
 */
export const cachedLookupOf = (publisher: FeedPublisher): CachedFeedLookup | undefined =>
  cachedLookups.get(publisher);

/**
 * The bytes with the `Link` header value of their hub links, when the page advertises any: made
 * once per render, so a request (or a 304) only copies it.
 */
function withHubLinks(
  representation: Representation,
  baseUrl: string,
  hubs: readonly string[] | undefined,
  request: FeedRequest,
): Representation {
  const links = hubLinksOf(baseUrl, hubs ?? [], request);
  return links === undefined ? representation : { ...representation, links: linkHeader(links) };
}

/** The first `limit` entries of a read of at least that many, with the cursor after them. */
function pageOf(read: Page, limit: number): Page {
  if (read.items.length <= limit) return read;
  const items = read.items.slice(0, limit);
  // The cursors the store itself would have returned for a read of `limit`: the slice starts
  // where the read does, so what is newer than its first item is the read's `previous`.
  const last = items[limit - 1];
  return { items, next: last ? encodeCursor(indexKeyOf(last)) : null, previous: read.previous };
}

// The fast path asks with the same request object for the same URL (it keeps them per URL), so
// its page key is made once, not serialised per request.
const peekKeys = new WeakMap<FeedRequest, string>();

function peekKey(request: FeedRequest): string {
  let key = peekKeys.get(request);
  if (key === undefined) {
    key = pageKey(request);
    peekKeys.set(request, key);
  }
  return key;
}

/**
 * The index whose version a page follows: its category's, or for `?lang=` that category's
 * per-language index, which moves exactly when that language's listing changes.
 */
function listingOf(request: Pick<FeedRequest, "category" | "language">): string {
  return request.language === undefined
    ? request.category
    : languageIndex(request.category, request.language);
}

/** Unambiguous key of one page (JSON of the fields, absent ones as null). */
function pageKey(request: FeedRequest): string {
  return JSON.stringify([
    request.category,
    request.format,
    request.limit,
    request.source ?? null,
    request.language ?? null,
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
      lang: request.language,
      cursor,
    });
  const first = url(undefined);
  const hubLinks = hubLinksOf(baseUrl, deps.hubs ?? [], request);
  return {
    format: request.format,
    category,
    service: { title: deps.service.title, baseUrl },
    // With a hub, self is the topic URL on every page (what the hub is pinged with), so a
    // subscriber that found the hub on page 2 subscribes to the feed, not to that page.
    selfUrl: hubLinks?.self ?? url(request.cursor),
    hubs: hubLinks?.hubs ?? [],
    // The category's archive page: where a reader's "open website" takes a person.
    htmlUrl: categoryPageUrl(baseUrl, request.category),
    links: {
      first,
      next: next === null ? undefined : url(next),
      previous: previousIsFirst ? first : undefined,
    },
    sources: deps.sources,
    categories: deps.categories,
    // A feed declares a language only when filtered to one; its entries carry their own.
    ...(request.language === undefined ? {} : { language: request.language }),
  };
}
