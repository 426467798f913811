// What every HTML page of the service shares: escaping and the content security policy. Pages
// carry no script; every string in them comes from the config or the request, so every one is
// escaped.

/** No script, no remote anything: inline styles only. */
export const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'";

/** Safe in text and in double- or single-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);
}

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** The shared inline style: readable text in a narrow column. */
export const PAGE_STYLE =
  "<style>body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;line-height:1.5}li{margin-bottom:1rem}.notice{border-left:4px solid #b45309;padding:.5rem 1rem;background:#fffbeb}</style>";
