// Hub discovery (WebSub §4): the hub and self URLs a fetched feed advertises, from its HTTP
// Link headers (RFC 8288) first, then from the document (Atom/RSS `atom:link rel="hub"|"self"`,
// JSON Feed `hubs`). Pure. Everything here came from a partner: URLs that are not absolute
// http(s) (after resolving against the feed's URL) are ignored, and the counts are bounded.
import type { WebSubLinks } from "../model/websub.js";

/** What one fetch offers to discovery. */
export interface Advertised {
  /** The response's Link header values (joined with ", " when there were several). */
  linkHeader?: string;
  /** The links the parsed document declares. */
  body?: WebSubLinks;
  /** Where the feed was fetched from after redirects: the topic when no self link is given. */
  feedUrl: string;
}

export interface Discovered {
  hubs: string[];
  topic: string;
}

/** A hostile header of thousands of links costs a bounded parse and yields a few hubs. */
const MAX_HEADER_CHARS = 16_384;
const MAX_HUBS = 4;

/** The hubs and topic to subscribe to, or undefined when the feed advertises no usable hub. */
export function discover(advertised: Advertised): Discovered | undefined {
  const header = linksOfHeader(advertised.linkHeader);
  // §4: the subscriber MUST use the Link headers when present, else the document's.
  const fromHeader = header.hubs.length > 0;
  const hubs = (fromHeader ? header.hubs : (advertised.body?.hubs ?? []))
    .map((href) => absoluteHttp(href, advertised.feedUrl))
    .filter((href): href is string => href !== undefined);
  const unique = [...new Set(hubs)].slice(0, MAX_HUBS);
  if (unique.length === 0) return undefined;
  const self = fromHeader ? (header.self ?? advertised.body?.self) : advertised.body?.self;
  const topic =
    (self === undefined ? undefined : absoluteHttp(self, advertised.feedUrl)) ??
    absoluteHttp(advertised.feedUrl, advertised.feedUrl);
  return topic === undefined ? undefined : { hubs: unique, topic };
}

/** `<url>; rel="hub"` links of a Link header value (rel may hold several space-separated names). */
export function linksOfHeader(value: string | undefined): WebSubLinks {
  const found: WebSubLinks = { hubs: [] };
  if (value === undefined) return found;
  const text = value.slice(0, MAX_HEADER_CHARS);
  // Each link-value: <uri-reference> followed by ;-separated params; commas inside <> or quotes
  // do not separate links, so this matches link by link instead of splitting on ",".
  const pattern = /<([^>]*)>((?:\s*;\s*[^;,=\s]+(?:\s*=\s*(?:"[^"]*"|[^;,\s]*))?)*)/g;
  for (const match of text.matchAll(pattern)) {
    const [, href = "", params = ""] = match;
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^;,\s]*))/i.exec(params);
    const rels = (rel?.[1] ?? rel?.[2] ?? "").toLowerCase().split(/\s+/);
    if (rels.includes("hub")) found.hubs.push(href.trim());
    if (rels.includes("self") && found.self === undefined) found.self = href.trim();
  }
  return found;
}

function absoluteHttp(href: string, base: string): string | undefined {
  try {
    const url = new URL(href, base);
    if (url.protocol !== "http:" && url.protocol !== "https:") return undefined;
    if (url.hostname === "") return undefined;
    url.hash = "";
    return url.href;
  } catch {
    return undefined;
  }
}
