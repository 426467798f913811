// String cleaning for the published feeds (escaping is in `escape`). Partners send anything;
// every string that reaches an output format goes through `xmlSafeText` first, so the XML we
// emit is well-formed whatever they sent, and the three formats carry the same text.

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
export function xmlSafeText(value: string): string {
  return stripXmlIllegal(value).replace(/\r\n?/g, "\n");
}

/** The normalised href of an absolute http(s) URL, or undefined for anything else. */
export function httpUrl(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(xmlSafeText(value).trim());
  } catch {
    return undefined;
  }
  return url.protocol === "http:" || url.protocol === "https:" ? url.href : undefined;
}
