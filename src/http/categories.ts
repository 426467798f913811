// The list of subscribable categories with their feed URLs, shared by /api/categories and the
// home page so both always agree.
import type { Config } from "../config/types.js";
import { FEED_FORMATS, type FeedFormat } from "../publish/types.js";
import { ALL, type Store } from "../store/store.js";

export interface CategoryView {
  id: string;
  title: string;
  description: string;
  entries: number;
  feeds: Record<FeedFormat, string>;
}

/** How the merged pseudo-category presents itself; it has no entry in the config. */
export const ALL_CATEGORY = {
  title: "All updates",
  description: "Every category merged, newest first.",
} as const;

/** `all` first, then the configured categories in config order. */
export async function describeCategories(config: Config, store: Store): Promise<CategoryView[]> {
  const categories = [{ id: ALL, ...ALL_CATEGORY }, ...config.categories];
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

/** Absolute feed URLs: readers and partner sites copy them from the API as they are. */
export function feedUrls(baseUrl: string, categoryId: string): Record<FeedFormat, string> {
  const base = baseUrl.replace(/\/+$/, "");
  const urls = {} as Record<FeedFormat, string>;
  for (const format of FEED_FORMATS) {
    urls[format] = `${base}/feeds/${encodeURIComponent(categoryId)}.${format}`;
  }
  return urls;
}
