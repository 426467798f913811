// Escaping for every writer of HTML or XML: the feeds, the OPML lists, the service's HTML pages,
// the HTML made of plain-text content, the XML repair and the demo pages. One function per
// escape set, named for where its output is safe, so a writer picks by context instead of
// keeping a copy of its own.

/** `& < >`: plain text → HTML text or XML character data (not an attribute value). */
export function escapeText(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** `& < > "`: safe in HTML text and in double-quoted HTML attribute values. */
export function escapeDoubleQuoted(value: string): string {
  return escapeText(value).replace(/"/g, "&quot;");
}

/** `& < > " '`: safe in HTML text and in attribute values in either quote. */
export function escapeQuoted(value: string): string {
  return value.replace(/[&<>"']/g, (char) => QUOTED_ESCAPES[char] ?? char);
}

const QUOTED_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/**
 * A value for a double-quoted XML attribute. Whitespace other than a space is written as a
 * character reference because attribute-value normalisation would turn it into a space.
 */
export function escapeXmlAttribute(value: string): string {
  return value
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/\t/g, "&#9;")
    .replace(/\n/g, "&#10;")
    .replace(/\r/g, "&#13;");
}

/**
 * HTML that will be wrapped in a CDATA section: every `]]>` becomes `]]&gt;`, which an HTML
 * reader decodes back to `]]>` (in text and in attribute values), so no occurrence can end the
 * section early. (feed@6/xml-js only split the first `]]>`.)
 */
export function cdataSafeHtml(html: string): string {
  return html.replace(/]]>/g, "]]&gt;");
}
