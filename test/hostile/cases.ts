// The hostile-partner case table (issue 3): one row per behaviour the service must survive.
// Every test in test/hostile names its row through `caseTitle`, and cases.test.ts checks
// that each row is proven by at least one test and counts them.
export const ROWS = {
  timeout: "never answers, or drips one byte every few hundred ms",
  "too-large": "a body larger than polling.maxBytes, with or without Content-Length",
  bombs: "gzip/brotli bomb, or a chain of many Content-Encodings",
  redirects: "redirect loop, or more redirects than polling.maxRedirects",
  "blocked-address": "redirects to or is configured at a private address, in any spelling",
  "non-http": "a non-http(s) URL anywhere (config or redirect)",
  "permanent-redirect": "301/308 proposed after several polls; 302/307 change nothing",
  "not-modified": "304: counted, validators kept, nothing parsed or written",
  gone: "410 Gone: marked gone, not polled until the config changes, entries kept",
  "retry-after": "429 or 503 with Retry-After (seconds or HTTP date)",
  backoff: "5xx, connection refused, DNS failure: backoff with jitter, then back to normal",
  "not-a-feed": "an HTML page served with 200",
  entities: "a bare & or an HTML entity XML does not define",
  "xml-attacks": "malformed XML, XXE, billion laughs",
  pathological: "deep nesting, a 10 MB title, pathological strings; parse time limit",
  shrinking: "a good feed turns empty or drops half of its entries",
  duplicates: "duplicate GUIDs; GUIDs differing by scheme or trailing slash",
  "unsafe-urls": "javascript:, data:, vbscript: URLs in links, enclosures, images",
  "header-injection": "CR/LF, control characters, ]]> in titles and categories",
  "live-markup":
    "markup in titles and summaries, in any format (JSON Feed, Atom text, escaped twice)",
  "bad-entry": "one malformed element or empty entry (an Atom <link/> without href, an <entry/>)",
  isolation: "good and hostile sources polled at once",
} as const;

export type RowId = keyof typeof ROWS;

/** `[row] what this test proves`: the row is how cases.test.ts finds it. */
export const caseTitle = (row: RowId, what: string): string => `[${row}] ${what}`;
