// URL helpers for entries: resolving partner URLs against a base, keeping only the schemes we
// are willing to republish, and a canonical form for ids. Helpers return `undefined` for an
// unusable URL; none of them throws.

const WEB_SCHEMES = new Set(["http:", "https:"]);

/**
 * Parses `ref` (possibly relative) against `base`. Partners pad URLs with whitespace and line
 * breaks (CDATA blocks, pretty-printed XML), so the reference is trimmed first; the WHATWG parser
 * itself drops tabs and newlines inside, which also defeats `java\tscript:` obfuscation.
 */
export function parseUrl(ref: string | undefined, base?: string): URL | undefined {
  if (ref === undefined) return undefined;
  const trimmed = ref.trim();
  if (trimmed === "" || trimmed.length > 8192) return undefined;
  try {
    return base === undefined ? new URL(trimmed) : new URL(trimmed, base);
  } catch {
    return undefined;
  }
}

/** `ref` resolved against `base` when it is http(s); javascript:, data:, mailto:… give undefined. */
export function resolveWebUrl(ref: string | undefined, base?: string): string | undefined {
  const url = parseUrl(ref, base);
  return url !== undefined && WEB_SCHEMES.has(url.protocol) && url.hostname !== ""
    ? url.href
    : undefined;
}

/** True when `ref` is an absolute http(s) URL on its own (no base needed). */
export function isAbsoluteWebUrl(ref: string | undefined): boolean {
  return resolveWebUrl(ref) !== undefined;
}

/**
 * The base in effect after an `xml:base` attribute: relative bases resolve against the outer
 * one (XML Base §4.2). A base that does not parse, or is not http(s) (`javascript:`, `data:`),
 * leaves the outer base in force.
 */
export function applyBase(
  outer: string | undefined,
  xmlBase: string | undefined,
): string | undefined {
  if (xmlBase === undefined || xmlBase.trim() === "") return outer;
  return resolveWebUrl(xmlBase, outer) ?? outer;
}

/**
 * A comparison key for URLs that partners treat as the same entry: `http://x/a/` and
 * `https://x/a` differ only in scheme and a trailing slash, which feeds flip between when a
 * site moves to TLS or changes its permalink settings. Host case is folded by the parser.
 * Returns undefined for anything that is not an absolute http(s) URL.
 */
export function canonicalUrlKey(ref: string): string | undefined {
  const url = parseUrl(ref);
  if (url === undefined || !WEB_SCHEMES.has(url.protocol) || url.hostname === "") return undefined;
  const path = url.pathname.replace(/\/+$/, "");
  const port = url.port === "" || url.port === "80" || url.port === "443" ? "" : `:${url.port}`;
  return `${url.hostname}${port}${path}${url.search}${url.hash}`;
}
