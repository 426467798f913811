// The list of subscribable categories with their feed URLs, shared by /api/categories and the
// home page so both always agree.
import type { Config } from "../config/types.js";
import { ALL_CATEGORY } from "../model/category.js";
import { feedUrls } from "../publish/feed-urls.js";
import type { FeedFormat } from "../publish/types.js";
import type { Store } from "../store/store.js";

export interface CategoryView {
  id: string;
  title: string;
  description: string;
  entries: number;
  feeds: Record<FeedFormat, string>;
}

/** `all` first, then the configured categories in config order. */
export async function describeCategories(config: Config, store: Store): Promise<CategoryView[]> {
  const categories = [ALL_CATEGORY, ...config.categories];
  return Promise.all(
    categories.map(async ({ id, title, description }) => ({
      id,
      title,
      description,
      entries: await store.count(id),
      feeds: feedUrls(config.service.baseUrl, id),
    })),
  );
}
