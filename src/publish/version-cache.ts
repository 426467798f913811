// Rendered answers — the HTML pages, the /api/updates pages — kept per key and content version
// like the feeds' bytes: a request costs the version check, an answer is rendered only when its
// content moved, through a render gate (so a flood of uncached requests cannot starve cached
// readers), and its bytes carry the same strong ETag and lazily compressed codings
// (representation.ts). While the store cannot be read, a source that allows it gets the last
// answer rendered again, re-rendered once with a notice that says so; otherwise the
// StoreUnavailableError reaches the HTTP layer (a 503).
import { StoreUnavailableError } from "../store/store.js";
import type { RenderGate } from "./render-gate.js";
import { buildRepresentation } from "./representation.js";
import type { Representation } from "./types.js";

/** What identifies an answer's content: when it moves, the answer is rendered again. */
export interface PageStamp<V> {
  version: string;
  /** Last-Modified; undefined when the content never changed. */
  changedAt: Date | undefined;
  /** Pages whose version is a digest of their view (the partners page) hand the view over. */
  view?: V;
}

export interface PageSource<V> {
  contentType: string;
  /** Serve the last answer, re-rendered with `staleSince`, while the store is down. */
  serveStale: boolean;
  stamp(): Promise<PageStamp<V>>;
  /** The page's values, read from the store; called only when the version moved. */
  view(): Promise<V>;
  /** The text of the answer; `staleSince` set for the copy served while the store is down. */
  render(view: V, staleSince?: Date): string;
}

interface Cached {
  version: string;
  view: unknown;
  representation: Representation;
  /** When the store last confirmed `version` (ms). */
  checkedAtMs: number;
  /** The copy with the outage notice, for `checkedAtMs`. */
  stale?: { sinceMs: number; representation: Representation };
}

const DEFAULT_MAX_PAGES = 256;

export class VersionedCache {
  readonly #gate: RenderGate;
  readonly #max: number;
  /** Map order is recency order (LRU). */
  readonly #pages = new Map<string, Cached>();
  readonly #inFlight = new Map<string, Promise<Cached>>();

  constructor(gate: RenderGate, maxPages = DEFAULT_MAX_PAGES) {
    this.#gate = gate;
    this.#max = Math.max(1, maxPages);
  }

  async get<V>(key: string, source: PageSource<V>): Promise<Representation> {
    let stamp: PageStamp<V>;
    try {
      stamp = await source.stamp();
    } catch (error) {
      return this.#staleOr(key, source, error);
    }
    const cached = this.#pages.get(key);
    if (cached?.version === stamp.version) {
      cached.checkedAtMs = Date.now();
      this.#remember(key, cached);
      return cached.representation;
    }
    try {
      return (await this.#render(key, source, stamp)).representation;
    } catch (error) {
      return this.#staleOr(key, source, error);
    }
  }

  /** Identical misses share one render. */
  #render<V>(key: string, source: PageSource<V>, stamp: PageStamp<V>): Promise<Cached> {
    const flight = `${key}#${stamp.version}`;
    let pending = this.#inFlight.get(flight);
    if (pending === undefined) {
      pending = this.#gate
        .run(async (timed) => {
          const view = stamp.view ?? (await source.view());
          const representation = timed(() =>
            buildRepresentation(
              source.render(view, undefined),
              source.contentType,
              stamp.changedAt,
              this.#gate.charge,
            ),
          );
          const page: Cached = {
            version: stamp.version,
            view,
            representation,
            checkedAtMs: Date.now(),
          };
          this.#remember(key, page);
          return page;
        })
        .finally(() => this.#inFlight.delete(flight));
      this.#inFlight.set(flight, pending);
    }
    return pending;
  }

  /** The last answer, marked stale, when the store is down and the source allows it. */
  #staleOr<V>(key: string, source: PageSource<V>, error: unknown): Representation {
    const cached = this.#pages.get(key);
    const usable = source.serveStale && error instanceof StoreUnavailableError;
    if (!usable || cached === undefined) throw error;
    if (cached.stale?.sinceMs !== cached.checkedAtMs) {
      const since = new Date(cached.checkedAtMs);
      // Rendered once per outage and page, outside the gate: it replaces an error page.
      const text = source.render(cached.view as V, since);
      const representation = buildRepresentation(
        text,
        source.contentType,
        cached.representation.lastModified,
      );
      cached.stale = {
        sinceMs: cached.checkedAtMs,
        representation: { ...representation, stale: { since } },
      };
    }
    return cached.stale.representation;
  }

  #remember(key: string, page: Cached): void {
    this.#pages.delete(key);
    this.#pages.set(key, page);
    for (const oldest of this.#pages.keys()) {
      if (this.#pages.size <= this.#max) break;
      this.#pages.delete(oldest);
    }
  }
}
