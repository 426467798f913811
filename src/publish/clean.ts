// String cleaning and escaping for the published feeds. Partners send anything; every string
// that reaches an output format goes through `cleanText` first, so the XML we emit is
// well-formed whatever they sent, and the three formats carry the same text.

// Characters XML 1.0 forbids (C0 controls other than TAB/LF/CR, U+FFFE/U+FFFF) plus lone
// surrogates. With the `u` flag a valid surrogate pair is one code point outside the
// D800–DFFF class, so only unpaired halves match.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
const XML_ILLEGAL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF\uD800-\uDFFF]/gu;

/** Removes the characters XML 1.0 cannot carry, leaving everything else as it is. */
export function stripXmlIllegal(value: string): string {
  return value.replace(XML_ILLEGAL, "");
}

/**
 * Removes XML-illegal characters and normalises line endings to LF (an XML parser turns
 * CR LF into LF anyway, and in attributes into a space, so emitting LF keeps a round trip exact).
 */
export function cleanText(value: string): string {
  return stripXmlIllegal(value).replace(/\r\n?/g, "\n");
}

/** Plain text → HTML text (for fields whose format declares them HTML). */
export function escapeHtml(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

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

/** Plain text → XML character data. */
export function escapeXmlText(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * HTML that will be wrapped in a CDATA section: every `]]>` becomes `]]&gt;`, which an HTML
 * reader decodes back to `]]>` (in text and in attribute values), so no occurrence can end the
 * section early. (feed@6/xml-js only split the first `]]>`.)
 */
export function cdataSafeHtml(html: string): string {
  return html.replace(/]]>/g, "]]&gt;");
}

/** The normalised href of an absolute http(s) URL, or undefined for anything else. */
export function httpUrl(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(cleanText(value).trim());
  } catch {
    return undefined;
  }
  return url.protocol === "http:" || url.protocol === "https:" ? url.href : undefined;
}
