// What every HTML page of the service shares: the content security policy and the style. Pages
// carry no script; every string in them comes from the config or the request, so every one is
// escaped (with `escapeQuoted`, safe in text and in attributes).
import { escapeQuoted } from "../model/escape.js";

/** No script, no remote anything: inline styles only. */
export const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'";

/** The shared inline style: readable text in a narrow column. */
export const PAGE_STYLE =
  "<style>body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;line-height:1.5}li{margin-bottom:1rem}.notice{border-left:4px solid #b45309;padding:.5rem 1rem;background:#fffbeb}</style>";

/**
 * A whole page: the document head every page shares, `head` lines after the title (feed
 * autodiscovery links), and `body` lines. `title` is escaped here; `head` and `body` must be
 * markup already escaped by the caller.
 */
export function htmlPage(title: string, head: readonly string[], body: readonly string[]): string {
  return [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeQuoted(title)}</title>`,
    ...head,
    PAGE_STYLE,
    "</head>",
    "<body>",
    ...body,
    "</body>",
    "</html>",
    "",
  ].join("\n");
}
