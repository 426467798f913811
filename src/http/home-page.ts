// The HTML of `GET /`: a list of categories with their feed links. Every string comes from
// the config, so every one is escaped; the page has no script and its CSP says so.
import { FEED_FORMATS, type FeedFormat } from "../publish/types.js";
import type { CategoryView } from "./categories.js";

export interface HomePageView {
  title: string;
  categories: CategoryView[];
  /** The category whose feeds are advertised with `<link rel="alternate">` (the merged one). */
  alternate: CategoryView | undefined;
}

export const HOME_PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'";

const FORMAT_LABELS: Record<FeedFormat, { label: string; type: string }> = {
  rss: { label: "RSS", type: "application/rss+xml" },
  atom: { label: "Atom", type: "application/atom+xml" },
  json: { label: "JSON Feed", type: "application/feed+json" },
};

export function renderHomePage(view: HomePageView): string {
  const title = escapeHtml(view.title);
  const alternates = view.alternate
    ? FEED_FORMATS.map((format) =>
        alternateLink(view.title, view.alternate as CategoryView, format),
      )
    : [];
  return [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${title}</title>`,
    ...alternates,
    "<style>body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;line-height:1.5}li{margin-bottom:1rem}</style>",
    "</head>",
    "<body>",
    `<h1>${title}</h1>`,
    "<ul>",
    ...view.categories.map(categoryItem),
    "</ul>",
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

function alternateLink(siteTitle: string, category: CategoryView, format: FeedFormat): string {
  const { label, type } = FORMAT_LABELS[format];
  const title = escapeHtml(`${siteTitle}: ${category.title} (${label})`);
  return `<link rel="alternate" type="${type}" title="${title}" href="${escapeHtml(category.feeds[format])}">`;
}

function categoryItem(category: CategoryView): string {
  const links = FEED_FORMATS.map(
    (format) =>
      `<a href="${escapeHtml(category.feeds[format])}" type="${FORMAT_LABELS[format].type}">${FORMAT_LABELS[format].label}</a>`,
  ).join(" · ");
  const entries = `${category.entries} ${category.entries === 1 ? "entry" : "entries"}`;
  return [
    `<li id="category-${escapeHtml(category.id)}">`,
    `<h2>${escapeHtml(category.title)}</h2>`,
    `<p>${escapeHtml(category.description)}</p>`,
    `<p>${entries} — ${links}</p>`,
    "</li>",
  ].join("\n");
}

/** Safe in text and in double- or single-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);
}

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};
