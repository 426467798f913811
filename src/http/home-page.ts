// The HTML of `GET /`: a list of categories with their feed links. Every string comes from
// the config, so every one is escaped; the page has no script and its CSP says so.

import { escapeQuoted } from "../model/escape.js";
import { FEED_FORMATS, type FeedFormat } from "../publish/types.js";
import type { CategoryView } from "../status/categories.js";
import { htmlPage } from "./html.js";

export interface HomePageView {
  title: string;
  categories: CategoryView[];
  /** The category whose feeds are advertised with `<link rel="alternate">` (the merged one). */
  alternate: CategoryView | undefined;
  /**
   * Set when the store is unavailable and this is the page as last rendered at that time: the
   * counts may be out of date, and the page says so.
   */
  staleSince?: Date;
}

const FORMAT_LABELS: Record<FeedFormat, { label: string; type: string }> = {
  rss: { label: "RSS", type: "application/rss+xml" },
  atom: { label: "Atom", type: "application/atom+xml" },
  json: { label: "JSON Feed", type: "application/feed+json" },
};

export function renderHomePage(view: HomePageView): string {
  const title = escapeQuoted(view.title);
  const alternates = view.alternate
    ? FEED_FORMATS.map((format) =>
        alternateLink(view.title, view.alternate as CategoryView, format),
      )
    : [];
  return htmlPage(view.title, alternates, [
    `<h1>${title}</h1>`,
    ...(view.staleSince ? [staleNotice(view.staleSince)] : []),
    "<ul>",
    ...view.categories.map(categoryItem),
    "</ul>",
  ]);
}

function staleNotice(since: Date): string {
  const at = `${since.toISOString().slice(0, 16).replace("T", " ")} UTC`;
  return `<p class="notice" role="status">The archive cannot be reached right now: this is the page as it was at ${at}, and the entry counts may be out of date. The feeds keep being served.</p>`;
}

function alternateLink(siteTitle: string, category: CategoryView, format: FeedFormat): string {
  const { label, type } = FORMAT_LABELS[format];
  const title = escapeQuoted(`${siteTitle}: ${category.title} (${label})`);
  return `<link rel="alternate" type="${type}" title="${title}" href="${escapeQuoted(category.feeds[format])}">`;
}

function categoryItem(category: CategoryView): string {
  const links = FEED_FORMATS.map(
    (format) =>
      `<a href="${escapeQuoted(category.feeds[format])}" type="${FORMAT_LABELS[format].type}">${FORMAT_LABELS[format].label}</a>`,
  ).join(" · ");
  const entries = `${category.entries} ${category.entries === 1 ? "entry" : "entries"}`;
  return [
    `<li id="category-${escapeQuoted(category.id)}">`,
    `<h2>${escapeQuoted(category.title)}</h2>`,
    `<p>${escapeQuoted(category.description)}</p>`,
    `<p>${entries} — ${links}</p>`,
    "</li>",
  ].join("\n");
}
