// The merged pseudo-category: every entry belongs to it, it has no entry in the config, and
// config validation, the store's indexes, feed rendering and every listing of categories must
// agree on its id and on how it presents itself.

/** The id of the merged feed of every category; no configured category may take it. */
export const ALL = "all";

/**
 * The view of entries in no category (`/api/updates?category=uncategorised`): what matched no
 * category rule on a source without default categories, so an editor can write the rule.
 */
export const UNCATEGORISED = "uncategorised";

/** How the merged pseudo-category presents itself wherever categories are listed. */
export const ALL_CATEGORY = {
  id: ALL,
  title: "All updates",
  description: "Every category merged, newest first.",
} as const;
