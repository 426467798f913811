// The key two partners' links to one story share (issue: one entry per story). Partners link the
// same article with campaign parameters (`utm_*`, Matomo's `mtm_*`, click ids), over http or
// https, with or without `www.`, a default port, a fragment or a trailing slash; journals are
// linked by DOI in any of its URL forms (doi.org, dx.doi.org, `doi:` URIs, publisher pages
// under `/doi/…`). The key folds all of that; the published link stays the partner's own.
// This is for matching only: entry ids keep their own key (urls.ts `canonicalUrlKey`), so
// ids published before stay stable.
import { parseUrl } from "./urls.js";

/**
 * Query parameters that track a click rather than name a page, dropped for matching: Google
 * Analytics and Matomo/Piwik campaign tags, the big ad networks' click ids, Mailchimp's and
 * HubSpot's mail tags, and the common `ref`/`ref_src` referrer tags.
 */
const TRACKING_PREFIXES = ["utm_", "mtm_", "pk_", "_hs"];
const TRACKING_NAMES = new Set([
  "fbclid",
  "gclid",
  "dclid",
  "gbraid",
  "wbraid",
  "msclkid",
  "yclid",
  "twclid",
  "igshid",
  "mc_cid",
  "mc_eid",
  "mkt_tok",
  "ref",
  "ref_src",
  "_ga",
  "_gl",
]);

const isTracking = (name: string): boolean => {
  const lower = name.toLowerCase();
  return TRACKING_NAMES.has(lower) || TRACKING_PREFIXES.some((prefix) => lower.startsWith(prefix));
};

/** DOI syntax (Crossref's advice for matching): `10.` + registrant, `/`, then a suffix. */
const DOI = /\b(10\.\d{4,9}\/[^\s"<>?#]+)/i;
const DOI_HOSTS = new Set(["doi.org", "dx.doi.org", "www.doi.org", "hdl.handle.net"]);

/**
 * The DOI a link names, lower-cased (DOIs are case-insensitive), or undefined: `doi:10.…`,
 * `https://doi.org/10.…` (and dx. / www. / handle forms), a publisher page whose path holds
 * `/doi/…/10.…` (Taylor & Francis, Wiley, SAGE…), or a `doi=10.…` query parameter.
 */
export function doiOf(link: string | undefined): string | undefined {
  if (link === undefined) return undefined;
  const trimmed = link.trim();
  if (/^doi:/i.test(trimmed)) return clean(DOI.exec(trimmed.slice(4))?.[1]);
  return doiOfUrl(parseUrl(trimmed));
}

/** doiOf for a link already parsed (one parse per link: entries are keyed by the thousand). */
function doiOfUrl(url: URL | undefined): string | undefined {
  if (url === undefined) return undefined;
  // Every DOI form holds "10" (its "10." prefix, maybe encoded): most links can be passed over without decoding.
  if (!url.href.includes("10")) return undefined;
  const path = safeDecode(url.pathname);
  if (DOI_HOSTS.has(url.hostname)) return clean(DOI.exec(path)?.[1]);
  const inPath = /\/doi\/(?:[a-z]+\/)*(10\.\d{4,9}\/[^\s"<>?#]+)/i.exec(path)?.[1];
  if (inPath !== undefined) return clean(inPath);
  return clean(DOI.exec(url.searchParams.get("doi") ?? "")?.[1]);
}

/** A DOI as matched: lower case, without the punctuation a sentence or a path leaves after it. */
function clean(doi: string | undefined): string | undefined {
  return doi?.replace(/[.,;:)\]/]+$/, "").toLowerCase();
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/**
 * The matching key of an entry's link: `doi:<doi>` when it names one, else `url:` + host
 * without `www.` + port unless default + path without trailing slash + the query without
 * tracking parameters, sorted; scheme and fragment left out. Undefined for what is not an
 * absolute http(s) link (nothing to match on).
 */
export function storyLinkKey(link: string | undefined): string | undefined {
  if (link !== undefined && /^\s*doi:/i.test(link)) {
    const doi = doiOf(link);
    return doi === undefined ? undefined : `doi:${doi}`;
  }
  const url = parseUrl(link);
  const doi = doiOfUrl(url);
  if (doi !== undefined) return `doi:${doi}`;
  if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:")) {
    return undefined;
  }
  if (url.hostname === "") return undefined;
  const host = url.hostname.replace(/^www\./, "");
  const port = url.port === "" || url.port === "80" || url.port === "443" ? "" : `:${url.port}`;
  const path = url.pathname.replace(/\/+$/, "");
  if (url.search.length <= 1) return `url:${host}${port}${path}`;
  const kept = [...url.searchParams].filter(([name]) => !isTracking(name));
  kept.sort(([a, av], [b, bv]) => (a === b ? (av < bv ? -1 : av > bv ? 1 : 0) : a < b ? -1 : 1));
  const query = kept.length === 0 ? "" : `?${new URLSearchParams(kept).toString()}`;
  return `url:${host}${port}${path}${query}`;
}
