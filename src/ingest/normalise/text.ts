// Plain text from partner markup: titles, summaries, tag and author names. Partners send HTML
// (escaped or not) where text belongs, so everything that becomes plain text passes through
// here. All of it runs in linear time: feeds are hostile input, and the obvious regex
// (`/<(?:.|\n)*?>/`, what rss-parser's contentSnippet uses) is quadratic on `<<<<…`.
import { decodeHTML } from "entities";

export const SUMMARY_MAX = 300;
const TITLE_WORDS = 10;
const TITLE_MAX = 500;

/** Tags whose end starts a new line of text, so words on either side do not run together. */
const BLOCK_TAGS = new Set([
  "address",
  "article",
  "aside",
  "blockquote",
  "br",
  "dd",
  "div",
  "dl",
  "dt",
  "figcaption",
  "figure",
  "footer",
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "header",
  "hr",
  "img",
  "li",
  "ol",
  "p",
  "pre",
  "section",
  "table",
  "td",
  "th",
  "tr",
  "ul",
]);

/** Elements whose content is not text a reader would see. */
const HIDDEN_CONTENT_TAGS = new Set([
  "head",
  "iframe",
  "noscript",
  "object",
  "script",
  "select",
  "style",
  "svg",
  "template",
  "textarea",
  "title",
]);

// C0 controls except tab/LF/CR, DEL, C1 controls, non-characters U+FFFE/U+FFFF.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF]/g;
const LONE_SURROGATES = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

// windows-1252's characters at 0x80–0x9F, where ISO-8859-1 and Unicode have C1 controls.
// Undefined positions (0x81, 0x8D, 0x8F, 0x90, 0x9D) stay controls and are removed.
const WINDOWS_1252_C1 = "€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008DŽ\u008F\u0090‘’“”•–—˜™š›œ\u009DžŸ";
const C1_CONTROLS = /[\u0080-\u009F]/g;
/** Every character the three passes of singleLineText's first step can change. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const SPECIAL_CHARS = /[\u0000-\u001F\u007F-\u009F\uD800-\uDFFF\uFFFE\uFFFF]/;
/** Whitespace that collapsing would change: a run of it, or any but a plain space. */
const UNCOLLAPSED_SPACE = /\s\s|[^\S ]/;

/**
 * C1 controls read as the windows-1252 characters they almost always are: `don&#146;t`, or a
 * windows-1252 byte in a feed labelled ISO-8859-1, means "don’t". No text uses C1 controls,
 * and HTML maps such references the same way (HTML Standard, numeric character references).
 */
export function mapC1Controls(text: string): string {
  return text.replace(C1_CONTROLS, (c) => WINDOWS_1252_C1.charAt(c.charCodeAt(0) - 0x80));
}

/**
 * Control characters removed, broken surrogates replaced, whitespace collapsed to single spaces,
 * trimmed: the text of a one-line field.
 */
export function singleLineText(text: string): string {
  // Most text has none of these characters and no run of whitespace: two tests, no copies.
  const clean = SPECIAL_CHARS.test(text)
    ? mapC1Controls(text).replace(CONTROL_CHARS, "").replace(LONE_SURROGATES, "\uFFFD")
    : text;
  return (UNCOLLAPSED_SPACE.test(clean) ? clean.replace(/\s+/g, " ") : clean).trim();
}

const isTagStart = (code: number): boolean =>
  (code >= 65 && code <= 90) ||
  (code >= 97 && code <= 122) ||
  code === 47 ||
  code === 33 ||
  code === 63;

/**
 * Removes markup, keeping the text a browser would show: tags go (block tags leave a space),
 * comments and script/style/… content go, an unterminated tag at the end goes. A `<` that
 * cannot start a tag (`a < b`, `<<<`) is text. Each character is visited a bounded number of
 * times: searches that found nothing are remembered, and every other search moves past what it
 * consumed.
 */
export function stripTags(html: string): string {
  if (!html.includes("<")) return html;
  const out: string[] = [];
  const n = html.length;
  let i = 0;
  let textStart = 0;
  const tags = new TagEnds(html);
  while (i < n) {
    const lt = html.indexOf("<", i);
    if (lt === -1) break;
    if (!isTagStart(html.charCodeAt(lt + 1))) {
      i = lt + 1;
      continue;
    }
    out.push(html.slice(textStart, lt));
    if (html.startsWith("<!--", lt)) {
      const end = html.indexOf("-->", lt + 4);
      if (end === -1) return finish(out);
      i = textStart = end + 3;
      continue;
    }
    const gt = tags.after(lt + 1);
    // No `>` anywhere after this point: the rest is one unterminated tag.
    if (gt === -1) return finish(out);
    const closing = html.charCodeAt(lt + 1) === 47;
    const name = /^[a-z][a-z0-9]*/i
      .exec(html.slice(lt + (closing ? 2 : 1), Math.min(gt, lt + 20)))?.[0]
      ?.toLowerCase();
    i = textStart = gt + 1;
    if (name === undefined) continue;
    if (BLOCK_TAGS.has(name)) out.push(" ");
    if (!closing && HIDDEN_CONTENT_TAGS.has(name) && html.charCodeAt(gt - 1) !== 47) {
      const close = new RegExp(`</${name}\\s*>`, "gi");
      close.lastIndex = gt + 1;
      const m = close.exec(html);
      if (!m) return finish(out);
      i = textStart = m.index + m[0].length;
    }
  }
  out.push(html.slice(textStart));
  return finish(out);
}

const finish = (parts: string[]): string => parts.join("");

const NONE = Number.POSITIVE_INFINITY;

/**
 * Finds where tags end. A `>` inside a quoted attribute value (`<img alt="a<br />b">`) does not
 * end a tag; a quote that is never closed is not a quote (the tag ends at its first `>`). Tags
 * are asked about left to right, so the next `>`, `"` and `'` are cached and each search resumes
 * where the previous one stopped: the whole scan stays linear.
 */
class TagEnds {
  // Next position of each character at or after the last position asked about; NONE = none left.
  private gt = -1;
  private dq = -1;
  private sq = -1;

  constructor(private readonly html: string) {}

  private find(c: string, from: number): number {
    const at = this.html.indexOf(c, from);
    return at === -1 ? NONE : at;
  }

  private quote(c: '"' | "'", from: number): number {
    if (c === '"') {
      if (this.dq < from) this.dq = this.find(c, from);
      return this.dq;
    }
    if (this.sq < from) this.sq = this.find(c, from);
    return this.sq;
  }

  private close(from: number): number {
    if (this.gt < from) this.gt = this.find(">", from);
    return this.gt;
  }

  /** The `>` ending the tag whose name starts at `from`, or -1 when there is none. */
  after(from: number): number {
    const first = this.close(from);
    if (first === NONE) return -1;
    // The common case, and the only cost most tags pay: no quote before the `>`.
    if (this.quote('"', from) > first && this.quote("'", from) > first) return first;
    let i = from;
    for (;;) {
      const end = this.close(i);
      if (end === NONE) return first;
      const open = Math.min(this.quote('"', i), this.quote("'", i));
      if (open > end) return end;
      const mark = this.html.charAt(open) as '"' | "'";
      if (this.quote(mark, open + 1) === NONE) {
        // The caches ran ahead of `first`: searches restart there (at most once per quote
        // character, which is now known to have no match left).
        this.gt = -1;
        if (mark === '"') this.sq = -1;
        else this.dq = -1;
        return first;
      }
      i = this.quote(mark, open + 1) + 1;
    }
  }
}

const NUMERIC_REF = /&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));?/g;

function codePointText(code: number): string {
  const valid = Number.isSafeInteger(code) && code > 0 && code <= 0x10ffff;
  if (!valid || (code >= 0xd800 && code <= 0xdfff)) return "\uFFFD";
  return mapC1Controls(String.fromCodePoint(code));
}

/**
 * HTML entities decoded. Numeric references are decoded here, because `entities` throws
 * ("Invalid code point NaN") on an overlong one like `&#x999…9`; named ones by `entities`,
 * one stretch between numeric references at a time so nothing is decoded twice.
 */
export function decodeEntities(text: string): string {
  if (!text.includes("&")) return text;
  let out = "";
  let last = 0;
  for (const m of text.matchAll(NUMERIC_REF)) {
    out += decodeHTML(text.slice(last, m.index));
    out += codePointText(m[1] === undefined ? Number(m[2]) : Number.parseInt(m[1], 16));
    last = m.index + m[0].length;
  }
  return out + decodeHTML(text.slice(last));
}

/**
 * HTML → plain text: tags stripped, entities decoded, controls removed, whitespace collapsed.
 * With `limit`, only about that many characters of text are decoded: summaries and titles need
 * a few hundred, and decoding megabytes of `&&&&` costs seconds for nothing.
 */
export function htmlToText(html: string, limit = Number.POSITIVE_INFINITY): string {
  let text = stripTags(html).replace(/\s+/g, " ");
  if (text.length > limit) text = text.slice(0, limit);
  return withoutMarkup(singleLineText(decodeEntities(text)));
}

/**
 * Text construct → plain text, the one path of every title and summary whatever the format.
 * `html` is markup; `text` (JSON Feed, Atom `type="text"`) is literal, but entities are still
 * decoded because partners double-escape (`&amp;amp;`) even there.
 */
export function toPlainText(
  value: string,
  type: "text" | "html",
  limit = Number.POSITIVE_INFINITY,
): string {
  if (type === "html") return htmlToText(value, limit);
  return withoutMarkup(
    singleLineText(decodeEntities(value.length > limit ? value.slice(0, limit) : value)),
  );
}

/**
 * Plain text is published as it is (`/api/updates`, JSON Feed `summary`), and readers and
 * partner pages put it into HTML. Tags still in it — a literal value such as a JSON Feed title
 * `x <img src=x onerror=…>`, or HTML escaped twice that decoding turned back into tags — would
 * run there, so they go too; a `<` that starts no tag ("a < b", "<3") stays.
 */
function withoutMarkup(text: string): string {
  return text.includes("<") ? singleLineText(stripTags(text)) : text;
}

// Partner boilerplate at the end of excerpts. Only the tail is examined (linear time), and the
// phrases are matched as partners write them (capitalised, at the very end) so that a summary
// which merely ends in "…we need to read more" keeps its words.
const BOILERPLATE_TAIL = 600;
// Each pattern with the words it cannot match without: most excerpts contain none of them, and
// an includes() is far cheaper than a regex tried at every position of the tail.
const BOILERPLATE: [RegExp, string, readonly string[]][] = [
  // WordPress: "The post <title> appeared first on <site>."
  [/\s*The post\s[\s\S]{1,400}?\sappeared first on\s[\s\S]{1,200}?\.?\s*$/, "", ["The post"]],
  // "Read More", "Read more »", "[Read more…]", "READ MORE", "Read the full story"
  [
    /\s*[[(]?\s*(?:Read|READ|View|See|Find out) (?:[Mm]ore|MORE|the full (?:story|article|post|report))(?: here)?[\s.…»›→>:)\]]*$/,
    "",
    ["Read ", "READ ", "View ", "See ", "Find out "],
  ],
  // WordPress themes: "Continue reading <title> →", "Continue reading…"
  [/\s*Continue reading\b[^\n]{0,200}$/, "", ["Continue reading"]],
  // WordPress excerpt marker "[…]" / "[...]": the excerpt was cut, say so with one ellipsis.
  [/\s*\[(?:…|\.\.\.)\]\s*$/, "…", ["[…]", "[...]"]],
];

/** Removes trailing "Read more", "Continue reading →", "The post X appeared first on Y." … */
export function stripBoilerplate(text: string): string {
  const cut = Math.max(0, text.length - BOILERPLATE_TAIL);
  let tail = text.slice(cut);
  for (let pass = 0; pass < 2; pass++) {
    for (const [pattern, replacement, words] of BOILERPLATE) {
      if (words.some((word) => tail.includes(word))) tail = tail.replace(pattern, replacement);
    }
  }
  return (text.slice(0, cut) + tail).trim();
}

/**
 * Cuts `text` to at most `max` characters at a word boundary, ending in "…" when cut. A single
 * overlong word (a URL, CJK text without spaces) is cut mid-word rather than dropped.
 */
export function truncateText(text: string, max: number = SUMMARY_MAX): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, max - 1);
  // Never split a surrogate pair.
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  const space = cut.lastIndexOf(" ");
  if (space > max / 2) cut = cut.slice(0, space);
  return `${cut.replace(/[\s,;:\-–—.…]+$/, "")}…`;
}

/** The plain-text summary: boilerplate removed, then cut to ~300 characters. */
export function summarise(text: string, max: number = SUMMARY_MAX): string {
  return truncateText(stripBoilerplate(text), max);
}

/** A title made from the first words of the text, for entries that have none. */
export function titleFromText(text: string, words: number = TITLE_WORDS): string {
  const all = stripBoilerplate(text).split(" ");
  const first = all.slice(0, words).join(" ");
  const title = all.length > words ? `${first.replace(/[\s,;:\-–—.…]+$/, "")}…` : first;
  return truncateText(title, 120);
}

/** A partner title as plain text, capped so one runaway title cannot bloat every feed. */
export function cleanTitle(value: string, type: "text" | "html"): string {
  return truncateText(toPlainText(value, type, TITLE_MAX * 4), TITLE_MAX);
}

/**
 * How much decoded text summaries and derived titles need: the summary is ~300 characters,
 * and boilerplate at the end of a longer text is cut off with the rest anyway.
 */
export const TEXT_LIMIT = SUMMARY_MAX * 20;
