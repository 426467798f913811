// The HTML pages as published bytes: each page is read from the store and rendered once per
// content version, like the feeds (publish/version-cache.ts). The versions:
// - the front page and every category page: the store's category version (`all` for the front
//   page; it moves whenever any entry does, and so do the counts it shows);
// - the partners page: a digest of what it shows, since statuses move with every poll whether
//   entries changed or not — the view is read per request, the page rendered only on a change.
// One PagePublisher serves one config (a reload builds a new one, with new templates).

import { createHash } from "node:crypto";
import type { Config } from "../config/types.js";
import { ALL } from "../model/category.js";
import { languageIndex, primaryLanguage } from "../model/language.js";
import type { RenderGate } from "../publish/render-gate.js";
import type { Representation } from "../publish/types.js";
import { type PageSource, type PageStamp, VersionedCache } from "../publish/version-cache.js";
import type { SourceView } from "../status/sources.js";
import type { Page, Store } from "../store/store.js";

import {
  categoryPage,
  type EmbedTheme,
  embedPage,
  errorPage,
  homePage,
  sourceRow,
  sourcesPage,
  staleView,
} from "./page-views.js";
import type { PageTemplate, Templates } from "./templates.js";

const HTML_TYPE = "text/html; charset=utf-8";

export interface PagesDeps {
  config: Config;
  store: Store;
  templates: Templates;
  /** The feeds' render gate: pages and feeds share one render budget. */
  gate: RenderGate;
  /** The partners' statuses as /api/sources reports them (bound to the running schedule). */
  sourceStatus(): Promise<SourceView[]>;
}

export interface CategoryPageRequest {
  category: string;
  source?: string;
  /** `?lang=`: a canonical BCP 47 range; the page lists that language's index. */
  language?: string;
  /** Older entries, after this position. */
  cursor?: string;
  /** Newer entries, before this position. */
  before?: string;
}

export interface EmbedRequest {
  category: string;
  source?: string;
  limit: number;
  theme: EmbedTheme;
}

export interface PagePublisher {
  /** `language`: `?lang=`, a canonical BCP 47 range (the newest entries in that language). */
  home(language?: string): Promise<Representation>;
  category(request: CategoryPageRequest): Promise<Representation>;
  sources(): Promise<Representation>;
  embed(request: EmbedRequest): Promise<Representation>;
  /** An error as a page (never cached: errors are rare and their messages vary). */
  error(status: number, heading: string, message: string): string;
  /** The CSP source of the inline stylesheet every page carries. */
  readonly styleSource: string;
}

export function createPages(deps: PagesDeps): PagePublisher {
  const { config, store, templates } = deps;
  const cache = new VersionedCache(deps.gate);
  const perPage = config.pages.perPage;

  /** Renders `page` with the view, plus the outage notice on the stale copy. */
  const render =
    <V extends object>(page: PageTemplate) =>
    (view: V, staleSince?: Date): string =>
      templates.render(page, {
        ...view,
        style: templates.style.text,
        ...(staleSince === undefined
          ? {}
          : { stale: staleView(staleSince, config.service.language) }),
      });

  const versionOf = async (category: string): Promise<PageStamp<never>> => {
    const stamp = await store.categoryVersion(category);
    return { version: String(stamp.version), changedAt: stamp.changedAt };
  };

  /** Every category's count, of `language`'s entries when the home page was asked in one. */
  const counts = async (language?: string): Promise<Map<string, number>> => {
    const ids = [ALL, ...config.categories.map((category) => category.id)];
    const values = await Promise.all(
      ids.map((id) =>
        countOf(store, { category: id, ...(language === undefined ? {} : { language }) }),
      ),
    );
    return new Map(ids.map((id, i) => [id, values[i] ?? 0]));
  };

  // When the partners page's content last changed, as this instance saw it: statuses carry no
  // version of their own, and a failure changes the page without any new success to date it.
  let partners = { digest: "", at: new Date(0) };

  const get = <V extends object>(
    key: unknown[],
    source: Omit<PageSource<V>, "contentType" | "serveStale">,
  ) => cache.get(JSON.stringify(key), { ...source, contentType: HTML_TYPE, serveStale: true });

  return {
    styleSource: templates.style.cspSource,

    home: (language) =>
      get(["home", language], {
        stamp: () => versionOf(language === undefined ? ALL : languageIndex(ALL, language)),
        view: async () => {
          const [page, byCategory] = await Promise.all([
            store.list({
              category: ALL,
              limit: perPage,
              ...(language === undefined ? {} : { language }),
            }),
            counts(language),
          ]);
          return homePage(config, page.items, byCategory, language);
        },
        render: render("home"),
      }),

    category: (request) =>
      get(
        [
          "category",
          request.category,
          request.source,
          request.language,
          request.cursor,
          request.before,
        ],
        {
          stamp: () =>
            versionOf(
              request.language === undefined
                ? request.category
                : languageIndex(request.category, request.language),
            ),
          view: async () => {
            const [page, count, languages] = await Promise.all([
              readPage(store, request, perPage),
              countOf(store, request),
              store.languages(request.category),
            ]);
            return categoryPage(config, {
              category: request.category,
              ...(request.language === undefined ? {} : { language: request.language }),
              ...(request.source === undefined ? {} : { source: request.source }),
              updates: page.items,
              count,
              previous: page.previous,
              next: page.next,
              paged: request.cursor !== undefined || request.before !== undefined,
              languages,
            });
          },
          render: render("category"),
        },
      ),

    sources: () =>
      get(["sources"], {
        stamp: async () => {
          const rows = (await deps.sourceStatus()).map((source) => sourceRow(config, source));
          const view = sourcesPage(config, rows);
          const version = digest(view);
          if (version !== partners.digest) partners = { digest: version, at: new Date() };
          return { version, changedAt: partners.at, view };
        },
        // The stamp always hands the view over.
        view: () => Promise.reject(new Error("the partners page is read by its stamp")),
        render: render("sources"),
      }),

    embed: (request) =>
      get(["embed", request.category, request.source, request.limit, request.theme], {
        stamp: () => versionOf(request.category),
        view: async () => {
          const page = await store.list({
            category: request.category,
            limit: request.limit,
            ...(request.source === undefined ? {} : { source: request.source }),
          });
          return embedPage(config, request.category, page.items, request.theme);
        },
        render: render("embed"),
      }),

    error: (status, heading, message) =>
      render("error")(errorPage(config, status, heading, message)),
  };
}

/**
 * How many entries the page's listing has. A primary language (`fr`) is its index's size; a
 * longer range (`fr-CA`) filters the `@fr` index, so it is counted by reading, up to a bound.
 */
const MAX_COUNTED = 1000;

function countOf(store: Store, request: CategoryPageRequest): Promise<number> {
  const { language, source } = request;
  if (language === undefined) return store.count(request.category, source);
  if (source === undefined && language === primaryLanguage(language)) {
    return store.count(languageIndex(request.category, language));
  }
  const { cursor: _cursor, before: _before, ...first } = request;
  return readPage(store, first, MAX_COUNTED).then((page) => page.items.length);
}

function readPage(store: Store, request: CategoryPageRequest, limit: number): Promise<Page> {
  return store.list({
    category: request.category,
    limit,
    ...(request.source === undefined ? {} : { source: request.source }),
    ...(request.language === undefined ? {} : { language: request.language }),
    ...(request.cursor === undefined ? {} : { cursor: request.cursor }),
    ...(request.before === undefined ? {} : { before: request.before }),
  });
}

function digest(value: unknown): string {
  return createHash("sha256").update(JSON.stringify(value)).digest("base64url").slice(0, 22);
}
