// The security headers of the HTML pages. Pages carry no script at all and one inline
// stylesheet, allowed by its hash (pages/templates.ts computes it), so the policy needs no
// 'unsafe-inline'. Only the embed page may be framed, and only by `embed.allowedOrigins`.

const POLICY = [
  "default-src 'none'",
  // The icon is `data:` so the browser asks for no /favicon.ico.
  "img-src data:",
  "form-action 'self'",
  "base-uri 'none'",
];

/** CSP with the stylesheet's hash and who may frame the page. */
export function pageCsp(styleSource: string, frameAncestors: string): string {
  return [...POLICY, `style-src ${styleSource}`, `frame-ancestors ${frameAncestors}`].join("; ");
}

// Built once per stylesheet (and origin list), not per request: every page answer sends them.
const built = new Map<string, Readonly<Record<string, string>>>();

function memo(key: string, build: () => Record<string, string>): Readonly<Record<string, string>> {
  let headers = built.get(key);
  if (headers === undefined) {
    headers = build();
    // Stylesheets change only with a reload of templates: a handful of keys at most.
    if (built.size > 64) built.clear();
    built.set(key, headers);
  }
  return headers;
}

/** A page for people: never framed (clickjacking), no referrer beyond the origin. */
export function pageHeaders(styleSource: string): Readonly<Record<string, string>> {
  return memo(styleSource, () => ({
    "Content-Security-Policy": pageCsp(styleSource, "'none'"),
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
  }));
}

/**
 * The iframe list: framed by the allowed origins (`*` is any site). X-Frame-Options cannot
 * express a list, so it is not sent; browsers that know CSP follow frame-ancestors.
 */
export function embedHeaders(
  styleSource: string,
  allowedOrigins: readonly string[],
): Record<string, string> {
  return {
    "Content-Security-Policy": pageCsp(styleSource, allowedOrigins.join(" ")),
    "Referrer-Policy": "strict-origin-when-cross-origin",
  };
}

/** The policy of the plain fallback page (no stylesheet at all). */
export const FALLBACK_CSP = "default-src 'none'; base-uri 'none'; frame-ancestors 'none'";
