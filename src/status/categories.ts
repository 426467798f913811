// The subscribable categories as every listing shows them — /api/categories, the home page and
// the OPML subscription list — so all of them name the same categories, in the same order, with
// the same feed URLs.
import type { Config } from "../config/types.js";
import { ALL_CATEGORY } from "../model/category.js";
import { feedUrls } from "../publish/feed-urls.js";
import type { FeedFormat } from "../publish/types.js";
import type { LanguageCount, Store } from "../store/store.js";

/** A category and where to subscribe to it: all the OPML list needs, no store read. */
export interface CategoryLinks {
  id: string;
  title: string;
  description: string;
  feeds: Record<FeedFormat, string>;
}

export interface CategoryView extends CategoryLinks {
  entries: number;
  /** The languages its entries are in (primary subtags), most entries first: `?lang=` values. */
  languages: LanguageCount[];
}

/** `all` first, then the configured categories in config order. */
export function listCategories(config: Config): CategoryLinks[] {
  return [ALL_CATEGORY, ...config.categories].map(({ id, title, description }) => ({
    id,
    title,
    description,
    feeds: feedUrls(config.service.baseUrl, id),
  }));
}

/** The listing with each category's entry count; the keys in the order /api/categories shows. */
export async function describeCategories(config: Config, store: Store): Promise<CategoryView[]> {
  return Promise.all(
    listCategories(config).map(async ({ id, title, description, feeds }) => ({
      id,
      title,
      description,
      entries: await store.count(id),
      languages: await store.languages(id),
      feeds,
    })),
  );
}
