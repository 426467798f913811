// Entry languages: BCP 47 tags as partners declare them, in one canonical spelling, matched by
// RFC 4647 basic filtering, and the names of the per-language store indexes. Pure.

/**
 * The canonical form of a declared tag (`EN_us` → `en-US`, `zh-hans` → `zh-Hans`), undefined
 * for anything that is not a well-formed tag: a bad declaration is dropped, never published.
 * `pt_BR` is a common feed spelling, so `_` is read as `-`. `x-…`/`i-…` grandfathered or
 * private-use tags name no language we could filter by, so they are dropped too.
 */
export function canonicalLanguage(value: string | undefined): string | undefined {
  const tag = value?.trim().replace(/_/g, "-");
  if (!tag || tag.length > 64 || !/^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*$/.test(tag)) {
    return undefined;
  }
  try {
    const [canonical] = Intl.getCanonicalLocales(tag);
    return canonical !== undefined && /^[a-z]{2,3}(?:-|$)/.test(canonical) ? canonical : undefined;
  } catch {
    return undefined;
  }
}

/** `zh-Hans-CN` → `zh`: what the per-language indexes are keyed by. */
export function primaryLanguage(tag: string): string {
  return tag.split("-")[0]?.toLowerCase() ?? tag;
}

/**
 * RFC 4647 §3.3.1 basic filtering: `range` matches `tag` when equal, or a prefix of it ending
 * at a `-` (case-insensitive): `fr` matches `fr` and `fr-CA`, `fr-CA` matches only `fr-CA…`.
 */
export function matchesLanguage(range: string, tag: string | undefined): boolean {
  if (tag === undefined) return false;
  const r = range.toLowerCase();
  const t = tag.toLowerCase();
  return t === r || t.startsWith(`${r}-`);
}

/**
 * Separates a category id from a language in index names (`migration@fr`). Category ids are
 * `[a-z0-9-]` (config ID_PATTERN) and `all`/`uncategorised`, so they never contain it.
 */
export const LANGUAGE_SEPARATOR = "@";

/** The index listing `category`'s entries in `language`'s primary subtag. */
export function languageIndex(category: string, language: string): string {
  return `${category}${LANGUAGE_SEPARATOR}${primaryLanguage(language)}`;
}

/** Scripts written right to left, for `dir="rtl"` on pages. */
const RTL_LANGUAGES = new Set(["ar", "he", "fa", "ur", "ps", "sd", "yi", "dv", "ug", "ckb"]);
const RTL_SCRIPTS = new Set(["Arab", "Hebr", "Thaa", "Syrc", "Nkoo", "Adlm"]);

export function isRightToLeft(tag: string): boolean {
  const [language, script] = tag.split("-");
  if (script !== undefined && script.length === 4) return RTL_SCRIPTS.has(script);
  return RTL_LANGUAGES.has(language ?? "");
}
