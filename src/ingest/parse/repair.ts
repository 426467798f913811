// Light text passes over an XML feed before sax sees it. sax (under rss-parser) is a strict
// XML parser, and one slip by a partner's CMS would otherwise cost the whole feed:
//   • a bare `&` (`?a=1&b=2`, "Tom & Jerry"), a `<` that starts no markup ("a < b"), or an
//     entity XML does not define (`&eacute;`, `&nbsp;` from HTML templates, unknown `&foo;`)
//     — each rejected outright;
//   • a character reference to a character XML forbids (`&#0;`, `&#x1;`, surrogates);
//   • raw XHTML inside <description>/<content:encoded>, and Atom `type="xhtml"` constructs,
//     which xml2js turns into an object that has lost the order of text and elements.
// Every pass is linear: searches that find nothing are never repeated.
import { decodeHTMLStrict, decodeXML } from "entities";
import { escapeText } from "../../model/escape.js";

export interface RootElement {
  /** Qualified name as written: `rss`, `rdf:RDF`, `feed`, `html`… */
  name: string;
  attrs: Record<string, string>;
}

export interface Prolog {
  root?: RootElement;
  /**
   * The internal subset declares a general entity we will not expand: external (XXE), or
   * with a value holding references or markup (billion laughs and friends).
   */
  unsafeEntities: boolean;
  /** General entities with a plain-text value (`<!ENTITY id "tag:example.com,">`), by name. */
  entities: Map<string, string>;
  /** Where the DOCTYPE declaration starts and ends, when there is one. */
  doctypeRange?: [number, number];
  /** The DOCTYPE's root name, e.g. `html` for `<!DOCTYPE html>`. */
  doctype?: string;
}

const CHARACTER_REFERENCE = /&#(?:x([0-9a-fA-F]{1,6})|([0-9]{1,7}));/g;

function characterOf(_reference: string, hex?: string, decimal?: string): string {
  const code = hex === undefined ? Number(decimal) : Number.parseInt(hex, 16);
  return isXmlChar(code) ? String.fromCodePoint(code) : "";
}

const ENTITY_DECLARATION =
  /<!ENTITY\s+(%\s+)?([A-Za-z_][\w.:-]*)\s+(?:"([^"]*)"|'([^']*)'|((?:SYSTEM|PUBLIC)\b[^>]*))\s*>/g;

/**
 * Reads the entity declarations of an internal subset. Parameter entities (`<!ENTITY % …>`)
 * only matter inside the DTD, which is never read, so they are ignored.
 */
function readEntities(subset: string, prolog: Prolog): void {
  const declared = (subset.match(/<!ENTITY/gi) ?? []).length;
  let understood = 0;
  for (const m of subset.matchAll(ENTITY_DECLARATION)) {
    understood++;
    if (m[1] !== undefined) continue;
    // Character references in a value are expanded where it is declared (XML 1.0 §4.5);
    // a reference to another entity, or markup, makes it one we will not expand.
    const written = m[3] ?? m[4];
    if (written === undefined || /&(?!#(?:x[0-9a-fA-F]{1,6}|[0-9]{1,7});)|[%<]/.test(written)) {
      prolog.unsafeEntities = true;
    } else if (m[2] !== undefined) {
      prolog.entities.set(m[2], written.replace(CHARACTER_REFERENCE, characterOf));
    }
  }
  if (understood < declared) prolog.unsafeEntities = true;
}

const ROOT_TAG = /^<([A-Za-z_][\w.:-]*)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*\/?>/;
const ATTRIBUTE = /([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

/**
 * Reads the prolog (XML declaration, comments, processing instructions, DOCTYPE) and the root
 * start tag. `root` is undefined when the text does not start like an XML document.
 */
export function inspectProlog(text: string): Prolog {
  const prolog: Prolog = { unsafeEntities: false, entities: new Map() };
  const n = text.length;
  let i = 0;
  while (i < n) {
    while (i < n && /\s/.test(text.charAt(i))) i++;
    if (text.startsWith("<?", i)) {
      const end = text.indexOf("?>", i + 2);
      if (end === -1) return prolog;
      i = end + 2;
    } else if (text.startsWith("<!--", i)) {
      const end = text.indexOf("-->", i + 4);
      if (end === -1) return prolog;
      i = end + 3;
    } else if (/^<!DOCTYPE/i.test(text.slice(i, i + 9))) {
      const gt = text.indexOf(">", i);
      const bracket = text.indexOf("[", i);
      prolog.doctype = /^<!DOCTYPE\s+([^\s>[]+)/i.exec(text.slice(i, i + 200))?.[1];
      const start = i;
      if (bracket !== -1 && (gt === -1 || bracket < gt)) {
        // The subset ends at the first `]` followed by `>`: quoted `]` in an entity value and
        // `]` in comments are rare enough that a declaration cut there is read as unknown.
        const close = text.slice(bracket).search(/\]\s*>/);
        const subset = text.slice(bracket, close === -1 ? n : bracket + close);
        if (/<!ENTITY/i.test(subset)) readEntities(subset, prolog);
        const end = close === -1 ? -1 : text.indexOf(">", bracket + close);
        if (end === -1) return prolog;
        i = end + 1;
      } else {
        if (gt === -1) return prolog;
        i = gt + 1;
      }
      prolog.doctypeRange = [start, i];
    } else {
      const m = ROOT_TAG.exec(text.slice(i, i + 16_384));
      if (m?.[1]) {
        const attrs: Record<string, string> = {};
        for (const a of (m[2] ?? "").matchAll(ATTRIBUTE)) {
          if (a[1]) attrs[a[1]] = decodeXML(a[2] ?? a[3] ?? "");
        }
        prolog.root = { name: m[1], attrs };
      }
      return prolog;
    }
  }
  return prolog;
}

/** How much longer than the document its entity expansion may make it. */
const MAX_EXPANSION = 1024 * 1024;

const ENTITY_REFERENCE =
  /<!\[CDATA\[[\s\S]*?(?:\]\]>|$)|<!--[\s\S]*?(?:-->|$)|&([A-Za-z_][\w.:-]*);/g;

const escapeEntityValue = (value: string): string =>
  value
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");

/**
 * Expands the plain-text general entities of the internal subset (`prolog.entities`) and drops
 * the DOCTYPE, because sax itself expands none: `<guid>&id;2006</guid>` would otherwise be an
 * undefined entity. Values hold no references (see readEntities), so one pass is complete and
 * linear; the growth is still capped. Returns undefined when the cap is exceeded.
 */
export function expandInternalEntities(text: string, prolog: Prolog): string | undefined {
  const range = prolog.doctypeRange;
  if (prolog.entities.size === 0 || range === undefined) return text;
  const body = text.slice(0, range[0]) + text.slice(range[1]);
  let growth = 0;
  let exceeded = false;
  const expanded = body.replace(ENTITY_REFERENCE, (token, name?: string) => {
    const value = name === undefined || exceeded ? undefined : prolog.entities.get(name);
    if (value === undefined) return token;
    const replacement = escapeEntityValue(value);
    growth += replacement.length - token.length;
    // Checked before the text is built, so a huge value times many references costs nothing.
    if (growth > MAX_EXPANSION) exceeded = true;
    return exceeded ? token : replacement;
  });
  return exceeded ? undefined : expanded;
}

const XML_ENTITIES = new Set(["amp", "lt", "gt", "quot", "apos"]);

/** XML 1.0 Char production: references to anything else make sax reject the document. */
function isXmlChar(code: number): boolean {
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}

const numericRefs = (chars: string): string =>
  Array.from(chars, (c) => `&#${c.codePointAt(0)};`).join("");

/** `&name;` → itself (XML's five), numeric references (HTML's ~2,000), or escaped text. */
function repairNamedEntity(name: string): string {
  if (XML_ENTITIES.has(name)) return `&${name};`;
  const decoded = decodeHTMLStrict(`&${name};`);
  if (decoded !== `&${name};` && !decoded.includes("&") && !decoded.includes(";")) {
    return numericRefs(decoded);
  }
  return `&amp;${name};`;
}

// CDATA sections, comments and processing instructions match whole (to their end, or to the
// end of the text when unterminated, which keeps the scan linear) and are copied untouched:
// `&` is literal there. References XML already understands are not matched at all.
const ENTITY_SCAN =
  /<!\[CDATA\[[\s\S]*?(?:\]\]>|$)|<!--[\s\S]*?(?:-->|$)|<\?[\s\S]*?(?:\?>|$)|<(?![A-Za-z_:/!?])|&(?!(?:amp|lt|gt|quot|apos);)(?:#([0-9]{1,10}|[xX][0-9a-fA-F]{1,8});|([A-Za-z][A-Za-z0-9]{0,31});)?/g;

/**
 * Escapes bare `&` and a `<` that cannot start markup ("a < b"), maps HTML entity names to
 * numeric references (leaving XML's five), and drops references to characters XML forbids.
 */
export function repairEscapes(text: string): string {
  return text.replace(ENTITY_SCAN, (token, numeric?: string, named?: string) => {
    if (token === "<") return "&lt;";
    if (token.charCodeAt(0) === 60 /* < */) return token;
    if (numeric !== undefined) {
      const hex = numeric.startsWith("x") || numeric.startsWith("X");
      const code = Number.parseInt(hex ? numeric.slice(1) : numeric, hex ? 16 : 10);
      return isXmlChar(code) ? token : "";
    }
    return named === undefined ? "&amp;" : repairNamedEntity(named);
  });
}

/**
 * Elements whose content is HTML (or text) in every feed format we read. When a partner writes
 * raw markup in them instead of escaping it — legal for Atom `type="xhtml"`, a common slip in
 * RSS — the markup is turned back into escaped text, so the element's value is the HTML source.
 */
const MARKUP_ELEMENTS = [
  "description",
  "content:encoded",
  "xhtml:body",
  "body",
  "content",
  "summary",
  "title",
  "subtitle",
];

/**
 * CDATA, comments and the start tags of MARKUP_ELEMENTS, also under the prefixes the document
 * binds to the feed format's own namespace (`<a:content>` in `<a:feed xmlns:a="…Atom">`).
 */
function markupScan(prefixes: ReadonlySet<string>): RegExp {
  const names = [...MARKUP_ELEMENTS];
  for (const prefix of prefixes) {
    for (const name of MARKUP_ELEMENTS) {
      if (!name.includes(":")) names.push(`${prefix.replace(/[.]/g, "\\.")}:${name}`);
    }
  }
  return new RegExp(`<!\\[CDATA\\[|<!--|<(${names.join("|")})((?:\\s[^<>]*)?)>`, "g");
}

/** Splits `inner` into its CDATA sections and the markup between them. */
function* segments(inner: string): Generator<{ cdata: boolean; text: string }> {
  let i = 0;
  while (i < inner.length) {
    const start = inner.indexOf("<![CDATA[", i);
    if (start === -1) break;
    const end = inner.indexOf("]]>", start + 9);
    yield { cdata: false, text: inner.slice(i, start) };
    yield { cdata: true, text: inner.slice(start + 9, end === -1 ? inner.length : end) };
    i = end === -1 ? inner.length : end + 3;
  }
  yield { cdata: false, text: inner.slice(i) };
}

function hasChildElements(inner: string): boolean {
  if (!inner.includes("<")) return false;
  for (const seg of segments(inner)) {
    if (!seg.cdata && /<[A-Za-z_/]/.test(seg.text)) return true;
  }
  return false;
}

/** HTML elements that have no end tag; `<br/>` means the same in XML and HTML. */
const VOID_ELEMENTS = new Set(
  "area base br col embed hr img input link meta param source track wbr".split(" "),
);

/**
 * XML's `<iframe/>` is an empty element; in HTML it is an open one that swallows the rest of
 * the text. Empty non-void elements are written out with their end tag.
 */
const expandEmptyElements = (xhtml: string): string =>
  xhtml.replace(/<([A-Za-z][\w.-]*)((?:\s[^<>]*?)?)\s*\/>/g, (tag, name: string, attrs: string) =>
    VOID_ELEMENTS.has(name.toLowerCase()) ? tag : `<${name}${attrs}></${name}>`,
  );

/** The HTML source of mixed content, as escaped XML text. Namespace prefixes (`xhtml:p`) go. */
function markupAsText(inner: string): string {
  let out = "";
  for (const seg of segments(inner)) {
    out += seg.cdata
      ? escapeText(escapeText(seg.text))
      : escapeText(
          expandEmptyElements(seg.text.replace(/(<\/?)[A-Za-z_][\w.-]*:(?=[A-Za-z_])/g, "$1")),
        );
  }
  return out;
}

/** Finds `</name>` from `from`; -1 when there is none. */
function findClose(text: string, name: string, from: number): number {
  let at = text.indexOf(`</${name}`, from);
  while (at !== -1) {
    const after = text.charAt(at + name.length + 2);
    if (after === ">" || /\s/.test(after)) return at;
    at = text.indexOf(`</${name}`, at + 1);
  }
  return -1;
}

/**
 * Turns raw child markup of HTML-bearing elements into escaped text (see MARKUP_ELEMENTS).
 * `prefixes` are those the parser drops from element names (xml.ts).
 */
export function escapeEmbeddedMarkup(
  text: string,
  prefixes: ReadonlySet<string> = new Set(),
): string {
  const out: string[] = [];
  let last = 0;
  const unclosed = new Set<string>();
  const scan = markupScan(prefixes);
  for (let m = scan.exec(text); m !== null; m = scan.exec(text)) {
    const name = m[1];
    if (name === undefined) {
      const terminator = m[0] === "<!--" ? "-->" : "]]>";
      const end = text.indexOf(terminator, scan.lastIndex);
      if (end === -1) break;
      scan.lastIndex = end + terminator.length;
      continue;
    }
    if ((m[2] ?? "").trimEnd().endsWith("/") || unclosed.has(name)) continue;
    const start = scan.lastIndex;
    const close = findClose(text, name, start);
    if (close === -1) {
      unclosed.add(name);
      continue;
    }
    const inner = text.slice(start, close);
    if (hasChildElements(inner)) {
      out.push(text.slice(last, start), markupAsText(inner));
      last = close;
    }
    scan.lastIndex = close;
  }
  if (last === 0) return text;
  out.push(text.slice(last));
  return out.join("");
}

/**
 * RSS with no <channel> (`<rss version="2.0"></rss>`, an empty feed; or items placed directly
 * under <rss>, which old generators wrote) makes rss-parser fail on `channel[0]`. Wrapping the
 * root's content in a channel reads both as what they mean. RDF gets an empty channel.
 * `root` is the root element's name as written (`rss`, `r:rss`, `rdf:RDF`).
 */
export function ensureChannel(text: string, root: string, format: "rss" | "rdf"): string {
  if (/<(?:[\w.-]+:)?channel[\s>/]/.test(text)) return text;
  const open = new RegExp(`<${root.replace(/[.:-]/g, "\\$&")}(?:\\s[^>]*)?>`).exec(text);
  if (!open || open[0].endsWith("/>")) return text;
  const start = open.index + open[0].length;
  if (format !== "rss") return `${text.slice(0, start)}<channel/>${text.slice(start)}`;
  const end = text.lastIndexOf(`</${root}`);
  if (end < start) return text;
  return `${text.slice(0, start)}<channel>${text.slice(start, end)}</channel>${text.slice(end)}`;
}

/**
 * A document whose very last characters are the root's end tag without its `>` (`…</rss`) is
 * complete but for one character; sax rejects it as an unclosed root. Anything else cut short
 * stays an error: a body truncated mid-entry is not a feed we should half-publish.
 */
export function closeRootEndTag(text: string, root: string): string {
  const end = text.trimEnd();
  return end.endsWith(`</${root}`) ? `${end}>` : text;
}
