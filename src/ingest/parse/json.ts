// JSON Feed 1.0 / 1.1 (https://jsonfeed.org/version/1.1) → ParsedFeed. Field helpers return
// undefined for values of the wrong type instead of throwing: one odd item must not cost the feed.

import { FeedParseError } from "./errors.js";
import type { ParsedAuthor, ParsedFeed, ParsedItem } from "./types.js";

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const str = (value: unknown): string | undefined =>
  typeof value === "string" && value.trim() !== "" ? value : undefined;

/** JSON Feed ids are strings, but numbers are common in the wild (spec: "coerce to string"). */
const idOf = (value: unknown): string | undefined =>
  typeof value === "number" && Number.isFinite(value) ? String(value) : str(value);

/** 1.1 `authors` array, or 1.0's single `author`. */
function authorsOf(holder: Json): ParsedAuthor[] {
  const list = Array.isArray(holder.authors) ? holder.authors : [holder.author];
  return list.filter(isObject).map((a) => ({ name: str(a.name), url: str(a.url) }));
}

function itemOf(raw: unknown): ParsedItem {
  const item: ParsedItem = { links: [], authors: [], categories: [], enclosures: [] };
  if (!isObject(raw)) return { ...item, problem: "JSON Feed item is not an object" };
  item.guid = idOf(raw.id);
  for (const href of [str(raw.url), str(raw.external_url)]) {
    if (href !== undefined) item.links.push({ href });
  }
  const title = str(raw.title);
  if (title !== undefined) item.title = { value: title, type: "text" };
  const summary = str(raw.summary);
  if (summary !== undefined) item.summary = { value: summary, type: "text" };
  const html = str(raw.content_html);
  const text = str(raw.content_text);
  if (html !== undefined) item.content = { value: html, type: "html" };
  else if (text !== undefined) item.content = { value: text, type: "text" };
  item.published = str(raw.date_published);
  item.updated = str(raw.date_modified);
  item.authors = authorsOf(raw);
  if (Array.isArray(raw.tags)) {
    item.categories = raw.tags.filter((t): t is string => typeof t === "string");
  }
  if (Array.isArray(raw.attachments)) {
    for (const a of raw.attachments.filter(isObject)) {
      const url = str(a.url);
      if (url === undefined) continue;
      const size = a.size_in_bytes;
      item.enclosures.push({
        url,
        type: str(a.mime_type),
        length: typeof size === "number" || typeof size === "string" ? String(size) : undefined,
      });
    }
  }
  const image = str(raw.image) ?? str(raw.banner_image);
  if (image !== undefined) item.image = { url: image };
  item.language = str(raw.language);
  return item;
}

/** Parses JSON Feed text; `not-a-feed` for JSON without a JSON Feed `version`. */
export function parseJsonFeed(text: string): ParsedFeed {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new FeedParseError("parse-error", (error as Error).message, { cause: error });
  }
  if (!isObject(doc) || !str(doc.version)?.startsWith("https://jsonfeed.org/version/")) {
    throw new FeedParseError("not-a-feed", "JSON document without a JSON Feed version");
  }
  if (doc.items !== undefined && !Array.isArray(doc.items)) {
    throw new FeedParseError("parse-error", "JSON Feed `items` is not an array");
  }
  const items = Array.isArray(doc.items) ? doc.items : [];
  return {
    format: "json",
    title: str(doc.title),
    titleType: "text",
    link: str(doc.home_page_url),
    language: str(doc.language),
    authors: authorsOf(doc),
    ...webSubLinksOf(doc),
    items: items.map(itemOf),
  };
}

/** JSON Feed 1.1 `hubs` ([{ type, url }]; WebSub hubs only) and `feed_url` as the self link. */
function webSubLinksOf(doc: Record<string, unknown>): Pick<ParsedFeed, "websub"> {
  if (!Array.isArray(doc.hubs)) return {};
  const hubs = doc.hubs
    .filter(isObject)
    .filter((hub) => /^websub$/i.test(str(hub.type) ?? ""))
    .map((hub) => str(hub.url))
    .filter((url): url is string => url !== undefined)
    .slice(0, 8);
  if (hubs.length === 0) return {};
  const self = str(doc.feed_url);
  return { websub: self === undefined ? { hubs } : { hubs, self } };
}
