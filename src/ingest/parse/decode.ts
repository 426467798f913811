// Bytes → text for feed documents. rss-parser's parseString always decodes UTF-8, and
// partners still publish windows-1252, ISO-8859-x, KOI8-R, Shift_JIS, Big5… so the fetch
// layer decides the charset, in the order browsers and feed readers use (WHATWG-ish):
//   1. a byte order mark — unambiguous, so it beats a server default like `charset=ISO-8859-1`;
//   2. the Content-Type `charset` parameter;
//   3. for XML, the `<?xml … encoding="…"?>` declaration (UTF-16 and UTF-32 without a BOM
//      are recognised from the `<?` / `<` byte patterns, XML 1.0 Appendix F);
//   4. JSON (JSON Feed) is UTF-8 by definition (RFC 8259), and so is everything else.
// Node 20's TextDecoder maps 0x80–0x9F wrongly for windows-1252, hence iconv-lite.
import iconv from "iconv-lite";

export interface DecodedFeed {
  text: string;
  /** The charset actually used, lower-case (`utf-8`, `windows-1252`, `utf-16le`…). */
  charset: string;
}

const UTF8 = "utf-8";

/**
 * Labels browsers decode as windows-1252 (WHATWG Encoding Standard): feeds labelled
 * ISO-8859-1 routinely contain curly quotes and € in 0x80–0x9F.
 */
const WINDOWS_1252_LABELS: ReadonlySet<string> = new Set([
  "iso-8859-1",
  "iso8859-1",
  "iso_8859-1",
  "iso-ir-100",
  "latin1",
  "l1",
  "cp819",
  "ibm819",
  "us-ascii",
  "ascii",
  "ansi_x3.4-1968",
  "windows-1252",
  "cp1252",
  "x-cp1252",
]);

/** WHATWG maps these to GBK, a superset that real "gb2312" content needs. */
const GBK_LABELS: ReadonlySet<string> = new Set([
  "gb2312",
  "gb_2312",
  "gb_2312-80",
  "chinese",
  "csgb2312",
  "x-gbk",
  "gbk",
]);

/** Lower-cases a label and maps aliases; undefined when iconv-lite does not know it. */
function canonicalCharset(label: string): string | undefined {
  const name = label
    .trim()
    .replace(/^["']|["']$/g, "")
    .toLowerCase();
  if (name === "utf-8" || name === "utf8" || name === "unicode-1-1-utf-8") return UTF8;
  if (WINDOWS_1252_LABELS.has(name)) return "windows-1252";
  if (GBK_LABELS.has(name)) return "gbk";
  // Plain "utf-16" without a BOM means little-endian in practice (WHATWG).
  if (name === "utf-16" || name === "unicode" || name === "ucs-2") return "utf-16le";
  if (name === "utf-32" || name === "ucs-4") return "utf-32le";
  return iconv.encodingExists(name) ? name : undefined;
}

function charsetFromContentType(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined;
  const match = /;\s*charset\s*=\s*("[^"]*"|[^;\s]*)/i.exec(contentType);
  return match?.[1] === undefined ? undefined : canonicalCharset(match[1]);
}

function charsetFromBom(body: Buffer): string | undefined {
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) return UTF8;
  // UTF-32 first: its little-endian BOM starts with the UTF-16LE one.
  if (body[0] === 0xff && body[1] === 0xfe && body[2] === 0 && body[3] === 0) return "utf-32le";
  if (body[0] === 0 && body[1] === 0 && body[2] === 0xfe && body[3] === 0xff) return "utf-32be";
  if (body[0] === 0xff && body[1] === 0xfe) return "utf-16le";
  if (body[0] === 0xfe && body[1] === 0xff) return "utf-16be";
  return undefined;
}

/** `<` as UTF-32 or `<?` as UTF-16, without a BOM: the declaration can only be read once decoded. */
function wideWithoutBom(body: Buffer): string | undefined {
  if (body[0] === 0x3c && body[1] === 0 && body[2] === 0 && body[3] === 0) return "utf-32le";
  if (body[0] === 0 && body[1] === 0 && body[2] === 0 && body[3] === 0x3c) return "utf-32be";
  if (body[0] === 0x3c && body[1] === 0x00 && body[2] === 0x3f && body[3] === 0x00) {
    return "utf-16le";
  }
  if (body[0] === 0x00 && body[1] === 0x3c && body[2] === 0x00 && body[3] === 0x3f) {
    return "utf-16be";
  }
  return undefined;
}

function charsetFromXmlDeclaration(body: Buffer): string | undefined {
  // The declaration is ASCII-compatible in every encoding it can name except UTF-16/32,
  // and must come first; 1 KiB of latin1 is plenty to find it.
  const head = body.subarray(0, 1024).toString("latin1");
  const declaration = /^\s*<\?xml\s[^>]*?encoding\s*=\s*["']([^"']+)["']/i.exec(head);
  if (declaration?.[1] === undefined) return undefined;
  const charset = canonicalCharset(declaration[1]);
  // A document that really is in UTF-16/32 carries a BOM or the `<\0?\0` / `<\0\0\0` pattern,
  // handled earlier; a single-byte document saying "utf-16" is lying, so read it as UTF-8.
  return charset?.startsWith("utf-16") || charset?.startsWith("utf-32") ? undefined : charset;
}

function detectCharset(body: Buffer, contentType: string | undefined): string {
  return (
    charsetFromBom(body) ??
    charsetFromContentType(contentType) ??
    wideWithoutBom(body) ??
    charsetFromXmlDeclaration(body) ??
    UTF8
  );
}

function decodeWith(body: Buffer, charset: string): string {
  const text = charset === UTF8 ? body.toString("utf8") : iconv.decode(body, charset);
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Decodes a fetched feed document. Never throws: an unknown charset label falls back to
 * UTF-8 (invalid sequences become U+FFFD), and the BOM is stripped from the text.
 */
export function decodeFeedBytes(body: Buffer, contentType?: string): DecodedFeed {
  const charset = detectCharset(body, contentType);
  return { text: decodeWith(body, charset), charset };
}
