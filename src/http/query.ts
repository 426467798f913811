// Validation of the query values shared by the feed routes and the JSON API. Pure: values in,
// typed values out, an HttpError (400) with a message naming the parameter otherwise.
//
// Decision: an empty value (`?source=`) means "not given" for every parameter — partner sites
// build these URLs from forms with empty selects — while a repeated parameter is an error,
// since silently picking one would hide a bug in the caller's URL.
import type { Config, SourceConfig } from "../config/types.js";
import { UNCATEGORISED } from "../model/category.js";
import { canonicalLanguage } from "../model/language.js";
import { ALL } from "../store/store.js";
import { badRequest } from "./errors.js";

/** What Koa's `ctx.query` holds for one name. */
export type RawValue = string | string[] | undefined;

export interface PageQuery {
  limit: number;
  source?: string;
  /** `lang`: a canonical BCP 47 range, matched by RFC 4647 basic filtering. */
  language?: string;
  cursor?: string;
}

/**
 * `limit`, `source` and `cursor`, as the feeds and /api/updates both accept them, for a page of
 * `category` (a known category id or `all`).
 */
export function parsePageQuery(
  query: Record<string, RawValue>,
  config: Config,
  category: string,
): PageQuery {
  const page: PageQuery = { limit: parseLimit(query.limit, config) };
  const source = parseSource(query.source, config, category);
  if (source !== undefined) page.source = source;
  const language = parseLanguage(query.lang);
  if (language !== undefined) page.language = language;
  const cursor = parseCursor(query.cursor);
  if (cursor !== undefined) page.cursor = cursor;
  return page;
}

export function parseLimit(raw: RawValue, config: Config): number {
  const { defaultLimit, maxLimit } = config.feeds;
  const value = singleValue("limit", raw);
  if (value === undefined) return defaultLimit;
  // Digits only: Number() would also accept "1e2", "0x10", " 5" and "5.0".
  const limit = /^\d{1,9}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(limit) || limit < 1 || limit > maxLimit) {
    throw badRequest(`limit: must be an integer between 1 and ${maxLimit}, got ${quote(value)}`);
  }
  return limit;
}

/**
 * A configured source id (enabled or not: a disabled source's old entries stay readable) that
 * publishes in `category`. A source outside the category would be an empty page that looks like
 * a quiet partner (and is cached as one), so it is the caller's mistake, named with the
 * categories that source is in.
 */
export function parseSource(raw: RawValue, config: Config, category: string): string | undefined {
  const value = singleValue("source", raw);
  if (value === undefined) return undefined;
  const source = config.sources.find((candidate) => candidate.id === value);
  if (!source) {
    const known = config.sources.map((candidate) => candidate.id).join(", ");
    throw badRequest(`source: unknown source ${quote(value)}; known sources: ${known}`);
  }
  const reachable = reachableCategories(source, config);
  if (category !== ALL && !reachable.includes(category)) {
    throw badRequest(
      `source: ${quote(value)} is not in category ${quote(category)}; its categories: ${reachable.join(", ")}`,
    );
  }
  return value;
}

/**
 * `lang`: one well-formed BCP 47 tag (`fr`, `fr-CA`, `zh-Hans`), in its canonical spelling, so
 * `?lang=FR` and `?lang=fr` are one page (and one cache entry).
 */
export function parseLanguage(raw: RawValue): string | undefined {
  const value = singleValue("lang", raw);
  if (value === undefined) return undefined;
  const language = canonicalLanguage(value);
  if (language === undefined) {
    throw badRequest(
      `lang: must be a BCP 47 language tag such as fr, fr-CA, ar or zh-Hans, got ${quote(value)}`,
    );
  }
  return language;
}

/** Opaque to HTTP: the store decides validity (and rejects with InvalidCursorError). */
export function parseCursor(raw: RawValue): string | undefined {
  return singleValue("cursor", raw);
}

/**
 * The categories a source's entries can be in: its own, those rules can add (global and its
 * own), and the uncategorised view when it has no default category.
 */
function reachableCategories(source: SourceConfig, config: Config): string[] {
  const added = [...config.rules, ...(source.rules ?? [])].flatMap((rule) => rule.add ?? []);
  const none = source.categories.length === 0 ? [UNCATEGORISED] : [];
  return [...new Set([...source.categories, ...added, ...none])];
}

/**
 * The `category` query parameter of /api/updates: `all` when absent; `uncategorised` lists the
 * entries in no category (their source has none, and no rule gave them one).
 */
export function parseCategory(raw: RawValue, config: Config): string {
  const value = singleValue("category", raw);
  if (value === undefined) return ALL;
  if (value === UNCATEGORISED) return value;
  if (!isKnownCategory(value, config)) {
    throw badRequest(`category: ${unknownCategoryMessage(value, config)}`);
  }
  return value;
}

export function isKnownCategory(id: string, config: Config): boolean {
  return id === ALL || config.categories.some((category) => category.id === id);
}

/** Shared by the 400 of the API and the 404 of the feed routes, so both name the same list. */
export function unknownCategoryMessage(id: string, config: Config): string {
  const known = [ALL, ...config.categories.map((category) => category.id)].join(", ");
  return `unknown category ${quote(id)}; known categories: ${known}`;
}

/** One value of `name`, undefined when absent or empty, a 400 when repeated. */
export function singleValue(name: string, raw: RawValue): string | undefined {
  if (Array.isArray(raw)) {
    if (raw.length > 1) throw badRequest(`${name}: must be given at most once`);
    return singleValue(name, raw[0]);
  }
  return raw === undefined || raw === "" ? undefined : raw;
}

/** JSON-quoted and cut short: the value is echoed back, so it must stay small and unambiguous. */
export function quote(value: string): string {
  const max = 100;
  return JSON.stringify(value.length > max ? `${value.slice(0, max)}…` : value);
}
