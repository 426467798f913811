// Which source entries an OPML reading list adds to a config: ids made from the feeds' titles
// (unique against the config and each other), categories from --category, else from the OPML
// `category` attribute or the enclosing folders, and feeds already configured skipped.
// Pure: the command (src/cli/import-opml.ts) does the file IO, yaml-append.ts the YAML edit.
import { canonicalUrlKey } from "../model/urls.js";
import type { OpmlFeed } from "./opml-read.js";
import { ID_PATTERN } from "./schema.js";
import type { CategoryConfig, SourceConfig } from "./types.js";

/** A source entry as it is written to the YAML (defaults left out). */
export interface NewSource {
  id: string;
  title: string;
  url: string;
  homepage?: string;
  categories: string[];
}

export interface SkippedFeed {
  title: string;
  url: string;
  reason: string;
}

export interface ImportPlan {
  added: NewSource[];
  skipped: SkippedFeed[];
}

export interface ImportContext {
  categories: readonly CategoryConfig[];
  sources: readonly Pick<SourceConfig, "id" | "url">[];
}

/** One line per problem, like ConfigError: the operator fixes the OPML or passes --category. */
export class ImportError extends Error {
  override name = "ImportError";
  readonly problems: string[];
  constructor(problems: string[]) {
    super(problems.join("\n"));
    this.problems = problems;
  }
}

const MAX_ID_LENGTH = 48;

/** "Médecins Sans Frontières — News" → "medecins-sans-frontieres-news". */
export function slugify(text: string): string {
  const slug = text
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/&/g, " and ")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  if (slug.length <= MAX_ID_LENGTH) return slug;
  // Cut at a word boundary so ids stay readable.
  const cut = slug.slice(0, MAX_ID_LENGTH + 1);
  const boundary = cut.lastIndexOf("-");
  return (boundary > 8 ? cut.slice(0, boundary) : slug.slice(0, MAX_ID_LENGTH)).replace(/-+$/, "");
}

function httpUrl(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    const url = new URL(value.trim());
    return (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== ""
      ? url.href
      : undefined;
  } catch {
    return undefined;
  }
}

function hostLabel(url: string): string {
  return new URL(url).hostname.replace(/^www\./, "");
}

/** Matches a folder title, a category path segment or a --category value to a category id. */
export function categoryMatcher(categories: readonly CategoryConfig[]) {
  const byKey = new Map<string, string>();
  for (const category of categories) {
    byKey.set(category.id, category.id);
    byKey.set(category.title.toLowerCase(), category.id);
    byKey.set(slugify(category.title), category.id);
  }
  return (label: string): string | undefined => {
    const key = label.trim().toLowerCase();
    return byKey.get(key) ?? byKey.get(slugify(label));
  };
}

/** "/Tributary/migration" → ["migration", "Tributary"]: the most specific segment first. */
const pathSegments = (path: string): string[] =>
  path
    .split("/")
    .map((segment) => segment.trim())
    .filter((segment) => segment !== "")
    .reverse();

function categoriesOf(
  feed: OpmlFeed,
  forced: readonly string[],
  match: (label: string) => string | undefined,
): string[] {
  if (forced.length > 0) return [...forced];
  // The OPML 2.0 category attribute names categories explicitly; each path counts once.
  const fromAttribute = feed.categories.flatMap((path) => {
    const id = pathSegments(path)
      .map(match)
      .find((found) => found !== undefined);
    return id === undefined ? [] : [id];
  });
  if (fromAttribute.length > 0) return [...new Set(fromAttribute)];
  // Otherwise the nearest folder that names a category.
  for (const folder of feed.folders.toReversed()) {
    const id = match(folder);
    if (id !== undefined) return [id];
  }
  return [];
}

/**
 * Plans the import. Throws ImportError when a --category is unknown or when some feeds cannot
 * be given a category (listing them and the known categories), so nothing half-done is written.
 */
export function planImport(
  feeds: readonly OpmlFeed[],
  context: ImportContext,
  forcedCategories: readonly string[] = [],
): ImportPlan {
  const match = categoryMatcher(context.categories);
  const known = context.categories.map((c) => `${c.id} (${c.title})`).join(", ") || "none";
  const unknownForced = forcedCategories.filter(
    (id) => !context.categories.some((c) => c.id === id),
  );
  if (unknownForced.length > 0) {
    throw new ImportError(
      unknownForced.map((id) => `--category: unknown category "${id}" (known: ${known})`),
    );
  }

  const takenIds = new Set(context.sources.map((s) => s.id));
  const configured = new Map<string, string>();
  for (const source of context.sources) {
    const key = canonicalUrlKey(source.url);
    if (key !== undefined) configured.set(key, source.id);
  }
  const planned = new Map<string, NewSource>();
  const skipped: SkippedFeed[] = [];
  const uncategorised: OpmlFeed[] = [];

  for (const feed of feeds) {
    const url = httpUrl(feed.xmlUrl);
    const title = feed.title || (url === undefined ? feed.xmlUrl : hostLabel(url));
    if (url === undefined) {
      skipped.push({ title, url: feed.xmlUrl, reason: "not an http(s) URL" });
      continue;
    }
    const key = canonicalUrlKey(url) ?? url;
    const existing = configured.get(key);
    if (existing !== undefined) {
      skipped.push({ title, url, reason: `already configured as source "${existing}"` });
      continue;
    }
    const categories = categoriesOf(feed, forcedCategories, match);
    const twin = planned.get(key);
    if (twin !== undefined) {
      // The same feed filed in two folders is one source in both categories.
      twin.categories = [...new Set([...twin.categories, ...categories])];
      continue;
    }
    const source: NewSource = {
      id: uniqueId(slugify(feed.title) || slugify(hostLabel(url)) || "source", takenIds),
      title,
      url,
      categories,
    };
    const homepage = httpUrl(feed.htmlUrl);
    if (homepage !== undefined) source.homepage = homepage;
    takenIds.add(source.id);
    planned.set(key, source);
    if (categories.length === 0) uncategorised.push(feed);
  }

  const added = [...planned.values()];
  const stillUncategorised = uncategorised.filter((feed) =>
    added.some((s) => s.url === httpUrl(feed.xmlUrl) && s.categories.length === 0),
  );
  if (stillUncategorised.length > 0) {
    throw new ImportError([
      ...stillUncategorised.map((feed) => {
        const where =
          feed.folders.length > 0 ? ` in folder "${feed.folders.join(" / ")}"` : " (no folder)";
        return `${feed.title || feed.xmlUrl} <${feed.xmlUrl}>${where}: no category`;
      }),
      `known categories: ${known}; pass --category ID, or file the feeds in folders named after a category`,
    ]);
  }
  return { added, skipped };
}

/** `base`, else `base-2`, `base-3`…, valid as a config id and not yet taken. */
function uniqueId(base: string, taken: ReadonlySet<string>): string {
  const start = ID_PATTERN.test(base) ? base : `source-${base}`.replace(/-+$/, "");
  if (!taken.has(start)) return start;
  for (let n = 2; ; n++) {
    const candidate = `${start}-${n}`;
    if (!taken.has(candidate)) return candidate;
  }
}
