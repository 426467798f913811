// Partner HTML → HTML that is safe to insert into a page (partner sites embed our JSON Feed).
// An allow-list, never a block-list: anything not named here is removed (its text kept, except
// for elements whose content is code or chrome). URLs are made absolute against the entry's
// base first, so relative links keep working on a page that is not the partner's.
import sanitizeHtml from "sanitize-html";
import { resolveWebUrl } from "../../model/urls.js";
import { mapC1Controls } from "./text.js";

// The policy is exported as data so the conformance test can project a reference sanitiser's
// output onto it (test/conformance/markup.ts) without calling this module.
export const ALLOWED_TAGS: readonly string[] = [
  "p",
  "br",
  "hr",
  "a",
  "ul",
  "ol",
  "li",
  "dl",
  "dt",
  "dd",
  "em",
  "strong",
  "b",
  "i",
  "u",
  "s",
  "small",
  "sub",
  "sup",
  "abbr",
  "cite",
  "q",
  "blockquote",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "img",
  "figure",
  "figcaption",
  "table",
  "caption",
  "thead",
  "tbody",
  "tfoot",
  "tr",
  "th",
  "td",
  "pre",
  "code",
  // Structure and meaning worth keeping: unwrapping a <div> runs its text into the next
  // block's, and dropping <del> turns "<del>$10</del> $8" into "$10 $8". No attributes.
  "div",
  "span",
  "section",
  "article",
  "aside",
  "header",
  "footer",
  "address",
  "details",
  "summary",
  "del",
  "ins",
  "mark",
  "kbd",
  "samp",
  "var",
  "dfn",
  "time",
];

/** Disallowed elements whose content goes too: code, styles, embedded documents, form chrome. */
export const DROP_WITH_CONTENT: readonly string[] = [
  "script",
  "style",
  "textarea",
  "option",
  "select",
  "xmp",
  "noscript",
  "noembed",
  "noframes",
  "iframe",
  "frame",
  "frameset",
  "object",
  "embed",
  "applet",
  "template",
  "title",
  "head",
  "svg",
  "math",
];

/** Attributes kept, per element; every other attribute (style, class, id, on*…) is removed. */
export const ALLOWED_ATTRIBUTES: Readonly<Record<string, string[]>> = {
  // Partners publish in Arabic, French, Spanish…: direction and language are part of the text.
  "*": ["dir", "lang"],
  a: ["href", "title"],
  img: ["src", "alt", "title", "width", "height"],
  abbr: ["title"],
  time: ["datetime"],
  del: ["datetime"],
  ins: ["datetime"],
  blockquote: ["cite"],
  q: ["cite"],
  ol: ["start", "type"],
  th: ["colspan", "rowspan", "scope"],
  td: ["colspan", "rowspan"],
};

/** `href` may also be mailto:; anything else that is not http(s) loses the attribute. */
function safeHref(href: string | undefined, base: string | undefined): string | undefined {
  if (href === undefined) return undefined;
  const trimmed = href.trim();
  if (/^mailto:[^\s<>"]+$/i.test(trimmed)) return trimmed;
  return resolveWebUrl(trimmed, base);
}

function withUrl(
  attribs: sanitizeHtml.Attributes,
  name: string,
  url: string | undefined,
): sanitizeHtml.Attributes {
  if (url !== undefined) return { ...attribs, [name]: url };
  const { [name]: _unusable, ...rest } = attribs;
  return rest;
}

function options(base: string | undefined): sanitizeHtml.IOptions {
  return {
    allowedTags: [...ALLOWED_TAGS],
    allowedAttributes: ALLOWED_ATTRIBUTES,
    allowedSchemes: ["http", "https", "mailto"],
    allowedSchemesByTag: { img: ["http", "https"] },
    allowedSchemesAppliedToAttributes: ["href", "src", "cite"],
    allowProtocolRelative: false,
    nonTextTags: [...DROP_WITH_CONTENT],
    disallowedTagsMode: "discard",
    transformTags: {
      // Our pages own the <h1>; a partner's heading becomes the next level down.
      h1: "h2",
      // The obsolete name of <s>.
      strike: "s",
      a: (tagName, attribs) => ({
        tagName,
        attribs: withUrl(attribs, "href", safeHref(attribs.href, base)),
      }),
      img: (tagName, attribs) => ({
        tagName,
        attribs: withUrl(attribs, "src", resolveWebUrl(attribs.src, base)),
      }),
      blockquote: (tagName, attribs) => ({
        tagName,
        attribs: withUrl(attribs, "cite", resolveWebUrl(attribs.cite, base)),
      }),
      q: (tagName, attribs) => ({
        tagName,
        attribs: withUrl(attribs, "cite", resolveWebUrl(attribs.cite, base)),
      }),
    },
    // An image whose source was unusable shows nothing; drop it rather than keep an empty tag.
    exclusiveFilter: (frame) => frame.tag === "img" && !frame.attribs.src,
  };
}

const MARKUP_CHARS = /[<>&]/;

/**
 * Sanitised HTML with relative URLs resolved against `base`, or undefined when nothing but
 * whitespace is left (so a content of only `<script>` counts as no content).
 */
export function sanitiseHtml(html: string, base?: string): string | undefined {
  const mapped = mapC1Controls(html);
  // Nothing to sanitise: without `<` there is no markup, and without `&` and `>` sanitize-html
  // would give the text back as it is (it only re-escapes those), after a full parse.
  const clean = (MARKUP_CHARS.test(mapped) ? sanitizeHtml(mapped, options(base)) : mapped).trim();
  return clean === "" ? undefined : clean;
}
