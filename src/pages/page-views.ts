// What each page shows, assembled from values already read (entries, counts, statuses): pure,
// so the templates get the same data for the same content and pages can be tested without a
// store. Navigation links are root-relative (they follow the host a person used); feed links and
// embed snippets are absolute, from `service.baseUrl`, because they are copied elsewhere.
import type { Config } from "../config/types.js";
import { ALL, ALL_CATEGORY } from "../model/category.js";
import type { Update } from "../model/update.js";
import { categoryPageUrl, feedUrl, feedUrls } from "../publish/feed-urls.js";
import type { FeedFormat } from "../publish/types.js";
import type { SourceView } from "../status/sources.js";
import type { LanguageCount } from "../store/store.js";
import { embedScriptUrl } from "./embed-script.js";
import {
  type DateView,
  type EntryView,
  entryView,
  type PartnerInfo,
  type SiteView,
  sitePath,
} from "./views.js";

export const EMBED_THEMES = ["auto", "light", "dark"] as const;
export type EmbedTheme = (typeof EMBED_THEMES)[number];

/** The limit an embed snippet starts with. */
export const EMBED_DEFAULT_LIMIT = 5;
export const EMBED_MAX_LIMIT = 50;

const FEED_LABELS: Record<FeedFormat, { label: string; type: string }> = {
  rss: { label: "RSS", type: "application/rss+xml" },
  atom: { label: "Atom", type: "application/atom+xml" },
  json: { label: "JSON Feed", type: "application/feed+json" },
};

export interface FeedLinkView {
  label: string;
  type: string;
  url: string;
}

export interface CategoryLinkView {
  id: string;
  title: string;
  description: string;
  url: string;
  entries?: number;
  feeds: FeedLinkView[];
}

export interface StaleView {
  since: DateView;
}

/** The values every page template receives. */
interface PageBase {
  site: SiteView;
  /** The text of `<title>`. */
  title: string;
  /** Set on the copy served while the store cannot be read. */
  stale?: StaleView;
}

export interface HomePage extends PageBase {
  entries: EntryView[];
  categories: CategoryLinkView[];
  /** The merged feed of every category, for subscribing to everything. */
  all: CategoryLinkView;
  /** Where the list of latest entries goes on. */
  more: string;
}

export interface CategoryPage extends PageBase {
  category: CategoryLinkView;
  /** The feeds advertised with `<link rel="alternate">`: this category, filtered like the page. */
  alternates: FeedLinkView[];
  entries: EntryView[];
  partners: { id: string; title: string; selected: boolean }[];
  /** The partner this page is filtered to. */
  partner?: { id: string; title: string };
  paging: { newer?: string; older?: string; newest?: string };
  embed: { element: string; iframe: string; preview: string };
  /**
   * The page in each language its entries are in (`?lang=`), for `<link rel="alternate"
   * hreflang>` and the language switcher; empty when they are all in one language or none.
   */
  languages: LanguageLinkView[];
  /** The page in every language (`hreflang="x-default"`), set when `languages` is not empty. */
  allLanguages?: { url: string; selected: boolean };
}

export interface LanguageLinkView {
  /** BCP 47 primary subtag, for `hreflang` and `lang`. */
  code: string;
  /** The language's name in itself ("Français", "العربية"). */
  name: string;
  url: string;
  /** The category's entries in the language; absent on a page filtered to one source. */
  entries?: number;
  selected: boolean;
}

export interface SourcesPage extends PageBase {
  sources: SourceRowView[];
}

export interface SourceRowView {
  id: string;
  title: string;
  homepage?: string;
  categories: { title: string; url: string }[];
  /** ok, failing, stale, waiting, gone, disabled: a CSS hook and the word shown. */
  state: "ok" | "failing" | "stale" | "waiting" | "gone" | "disabled";
  status: string;
  detail?: string;
  lastSuccess?: DateView;
  entries: number;
  feed: string;
}

export interface EmbedPage extends PageBase {
  /** The layout's compact variant: no site header or footer. */
  embed: true;
  category: CategoryLinkView;
  entries: EntryView[];
  theme: EmbedTheme;
  /** The category's page on the service (opens in the top window). */
  more: string;
}

export interface ErrorPage extends PageBase {
  status: number;
  heading: string;
  message: string;
  categories: CategoryLinkView[];
}

export function siteView(config: Config): SiteView {
  const path = sitePath(config.service.baseUrl);
  return {
    title: config.service.title,
    language: config.service.language,
    baseUrl: config.service.baseUrl,
    links: {
      home: path("/"),
      sources: path("/sources"),
      opml: path("/opml"),
      opmlSources: path("/opml/sources"),
    },
  };
}

export function partnersOf(config: Config): Map<string, PartnerInfo> {
  return new Map(
    config.sources.map((source) => [
      source.id,
      source.homepage === undefined
        ? { title: source.title }
        : { title: source.title, homepage: source.homepage },
    ]),
  );
}

function feedLinks(urls: Record<FeedFormat, string>): FeedLinkView[] {
  return (Object.keys(FEED_LABELS) as FeedFormat[]).map((format) => ({
    ...FEED_LABELS[format],
    url: urls[format],
  }));
}

/**
 * `all` first, then the configured ones, with counts when given. `language`: the links lead to
 * the category pages in that language (a home page's `?lang=`).
 */
export function categoryLinks(
  config: Config,
  counts?: ReadonlyMap<string, number>,
  language?: string,
): CategoryLinkView[] {
  const path = sitePath(config.service.baseUrl);
  const query = language === undefined ? "" : `?${new URLSearchParams({ lang: language })}`;
  return [ALL_CATEGORY, ...config.categories].map(({ id, title, description }) => {
    const entries = counts?.get(id);
    return {
      id,
      title,
      description,
      url: `${path(`/categories/${encodeURIComponent(id)}`)}${query}`,
      ...(entries === undefined ? {} : { entries }),
      feeds: feedLinks(feedUrls(config.service.baseUrl, id)),
    };
  });
}

function categoryLink(config: Config, id: string, count?: number): CategoryLinkView {
  const counts = count === undefined ? undefined : new Map([[id, count]]);
  const found = categoryLinks(config, counts).find((category) => category.id === id);
  // Routes answer 404 for unknown categories before a page is built.
  if (found === undefined) throw new RangeError(`unknown category ${JSON.stringify(id)}`);
  return found;
}

function entryViews(updates: Update[], config: Config): EntryView[] {
  const partners = partnersOf(config);
  const options = { maxLength: config.pages.summaryLength };
  return updates.map((update) => entryView(update, partners, config.service, options));
}

export function homePage(
  config: Config,
  updates: Update[],
  counts: ReadonlyMap<string, number>,
  language?: string,
): HomePage {
  // Asked in one language, the home page counts and links that language's entries.
  const categories = categoryLinks(config, counts, language);
  const [all, ...configured] = categories;
  return {
    site: siteView(config),
    title: config.service.title,
    entries: entryViews(updates, config),
    categories: configured,
    all: all as CategoryLinkView,
    more: (all as CategoryLinkView).url,
  };
}

export interface CategoryPageInput {
  category: string;
  source?: string;
  language?: string;
  updates: Update[];
  count: number;
  /** `before` cursor of the newer page; null on the newest page. */
  previous: string | null;
  /** `cursor` of the older page; null on the last page. */
  next: string | null;
  /** The request was for a page other than the newest. */
  paged: boolean;
  /** The languages of the category's entries (Store.languages), most first. */
  languages?: readonly LanguageCount[];
}

export function categoryPage(config: Config, input: CategoryPageInput): CategoryPage {
  const { baseUrl } = config.service;
  const category = categoryLink(config, input.category, input.count);
  const partner = config.sources.find((source) => source.id === input.source);
  const pageUrl = (query: Record<string, string | undefined>): string => {
    const params = new URLSearchParams();
    if (input.source !== undefined) params.set("source", input.source);
    if (input.language !== undefined) params.set("lang", input.language);
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined) params.set(name, value);
    }
    const search = params.toString();
    return search === "" ? category.url : `${category.url}?${search}`;
  };
  const filtered = { source: input.source, lang: input.language };
  const alternates = feedLinks({
    rss: feedUrl(baseUrl, input.category, "rss", filtered),
    atom: feedUrl(baseUrl, input.category, "atom", filtered),
    json: feedUrl(baseUrl, input.category, "json", filtered),
  });
  const paging: CategoryPage["paging"] = {};
  if (input.previous !== null) paging.newer = pageUrl({ before: input.previous });
  if (input.next !== null) paging.older = pageUrl({ cursor: input.next });
  if (input.paged) paging.newest = pageUrl({});
  const title = partner
    ? `${category.title} from ${partner.title} — ${config.service.title}`
    : `${category.title} — ${config.service.title}`;
  return {
    site: siteView(config),
    title,
    category,
    alternates,
    entries: entryViews(input.updates, config),
    partners: config.sources
      .filter((source) => input.category === ALL || source.categories.includes(input.category))
      .map((source) => ({
        id: source.id,
        title: source.title,
        selected: source.id === input.source,
      })),
    ...(partner === undefined ? {} : { partner: { id: partner.id, title: partner.title } }),
    paging,
    embed: embedSnippets(config, input.category, category.title, input.source),
    ...languageLinks(input, (lang) => {
      const params = new URLSearchParams();
      if (input.source !== undefined) params.set("source", input.source);
      if (lang !== undefined) params.set("lang", lang);
      const search = params.toString();
      return search === "" ? category.url : `${category.url}?${search}`;
    }),
  };
}

/** The language variants of a category page: every language present, when there are several. */
function languageLinks(
  input: CategoryPageInput,
  urlOf: (lang: string | undefined) => string,
): Pick<CategoryPage, "languages" | "allLanguages"> {
  const present = input.languages ?? [];
  if (present.length < 2 && input.language === undefined) return { languages: [] };
  return {
    languages: present.map(({ language, entries }) => ({
      code: language,
      name: nameOfLanguage(language),
      url: urlOf(language),
      // The counts are the category's: with a source filter they would not be the page's.
      ...(input.source === undefined ? { entries } : {}),
      selected: input.language === language,
    })),
    allLanguages: { url: urlOf(undefined), selected: input.language === undefined },
  };
}

/** A language's name in itself, capitalised as a list item ("Français"), else its code. */
function nameOfLanguage(code: string): string {
  try {
    const name = new Intl.DisplayNames([code], { type: "language" }).of(code);
    return name === undefined || name === code
      ? code
      : name.charAt(0).toLocaleUpperCase(code) + name.slice(1);
  } catch {
    return code;
  }
}

/** Copy-and-paste snippets for partner sites, built from the service's public base URL. */
export function embedSnippets(
  config: Config,
  category: string,
  categoryTitle: string,
  source?: string,
): CategoryPage["embed"] {
  const { baseUrl, title } = config.service;
  const query = new URLSearchParams({ limit: String(EMBED_DEFAULT_LIMIT) });
  if (source !== undefined) query.set("source", source);
  const preview = `${baseUrl}/embed/${encodeURIComponent(category)}?${query}`;
  const sourceAttribute = source === undefined ? "" : ` source="${attribute(source)}"`;
  const name = attribute(`${categoryTitle} — ${title}`);
  return {
    element: [
      `<script src="${attribute(embedScriptUrl(baseUrl))}" defer></script>`,
      `<tributary-feed category="${attribute(category)}" limit="${EMBED_DEFAULT_LIMIT}"${sourceAttribute} theme="auto">`,
      `  <a href="${attribute(categoryPageUrl(baseUrl, category))}">${text(categoryTitle)} on ${text(title)}</a>`,
      "</tributary-feed>",
    ].join("\n"),
    iframe: `<iframe src="${attribute(preview)}" title="${name}" width="100%" height="520" style="border:0" loading="lazy"></iframe>`,
    preview,
  };
}

// The snippets are text shown in a <textarea> (the template escapes them again for that);
// the markup they hold must itself be valid when pasted, so values are escaped for HTML here.
function attribute(value: string): string {
  return text(value).replace(/"/g, "&quot;");
}

function text(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function embedPage(
  config: Config,
  category: string,
  updates: Update[],
  theme: EmbedTheme,
): EmbedPage {
  const link = categoryLink(config, category);
  return {
    site: siteView(config),
    title: `${link.title} — ${config.service.title}`,
    embed: true,
    category: link,
    entries: entryViews(updates, config),
    theme,
    more: categoryPageUrl(config.service.baseUrl, category),
  };
}

/** A source's health in words: what a partner or an operator checks first. */
export function sourceRow(config: Config, source: SourceView): SourceRowView {
  const { language } = config.service;
  const configured = config.sources.find((candidate) => candidate.id === source.id);
  const path = sitePath(config.service.baseUrl);
  const titles = new Map(config.categories.map((category) => [category.id, category.title]));
  const at = (iso: string | null | undefined) =>
    iso === null || iso === undefined ? undefined : dateTimeView(new Date(iso), language);
  const lastSuccess = at(source.lastSuccessAt);
  const since = at(source.failingSince ?? source.lastFetchAt);
  const status = ((): Pick<SourceRowView, "state" | "status" | "detail"> => {
    if (source.status === "disabled") return { state: "disabled", status: "disabled" };
    if (source.status === "pending") {
      return { state: "waiting", status: "waiting for its first poll" };
    }
    if (source.status === "gone") {
      return {
        state: "gone",
        status: since ? `gone since ${since.text}` : "gone",
        detail: "The partner says this feed no longer exists (HTTP 410).",
      };
    }
    if (source.status === "error") {
      const detail = source.lastError ?? source.errorKind ?? undefined;
      return {
        state: "failing",
        status: since ? `failing since ${since.text}` : "failing",
        ...(detail ? { detail } : {}),
      };
    }
    if (source.stale) {
      return {
        state: "stale",
        status: lastSuccess ? `stale: no successful poll since ${lastSuccess.text}` : "stale",
      };
    }
    return { state: "ok", status: "ok" };
  })();
  return {
    id: source.id,
    title: source.title,
    ...(configured?.homepage === undefined ? {} : { homepage: configured.homepage }),
    categories: source.categories.map((id) => ({
      title: titles.get(id) ?? id,
      url: path(`/categories/${encodeURIComponent(id)}`),
    })),
    ...status,
    ...(lastSuccess === undefined ? {} : { lastSuccess }),
    entries: source.entries,
    feed: source.url,
  };
}

export function sourcesPage(config: Config, rows: SourceRowView[]): SourcesPage {
  return { site: siteView(config), title: `Partners — ${config.service.title}`, sources: rows };
}

export function errorPage(
  config: Config,
  status: number,
  heading: string,
  message: string,
): ErrorPage {
  return {
    site: siteView(config),
    title: `${heading} — ${config.service.title}`,
    status,
    heading,
    message,
    categories: categoryLinks(config),
  };
}

const dateTimes = new Map<string, Intl.DateTimeFormat>();

/** "2 December 2026 at 10:05 UTC": statuses need the time, entries only the day. */
export function dateTimeView(date: Date, language: string): DateView {
  let format = dateTimes.get(language);
  if (format === undefined) {
    format = new Intl.DateTimeFormat(language, {
      dateStyle: "long",
      timeStyle: "short",
      timeZone: "UTC",
      hourCycle: "h23",
    });
    dateTimes.set(language, format);
  }
  return { iso: date.toISOString(), text: `${format.format(date)} UTC` };
}

export function staleView(since: Date, language: string): StaleView {
  return { since: dateTimeView(since, language) };
}
