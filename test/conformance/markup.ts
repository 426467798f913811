// HTML comparisons for the conformance test, independent of the sanitiser under test: a small
// tokenizer, a canonical form, the projection of feedparser's sanitised HTML onto Tributary's
// allow-list (the policy *data* exported by src/ingest/normalise/sanitise.ts, applied by code here), and
// the scan for anything executable.
import { decodeHTML } from "entities";
import {
  ALLOWED_ATTRIBUTES,
  ALLOWED_TAGS,
  DROP_WITH_CONTENT,
} from "../../src/ingest/normalise/sanitise.js";

type Token =
  | { type: "open"; name: string; attrs: [string, string][]; selfClosing: boolean }
  | { type: "close"; name: string }
  | { type: "text"; value: string };

const TAG =
  /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[^\s=/>]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?)*)\s*(\/?)>/y;
const ATTRIBUTE = /([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g;

/** Tokens of an HTML fragment; comments are skipped, a `<` that starts no tag is text. */
export function tokenize(html: string): Token[] {
  const tokens: Token[] = [];
  let text = "";
  let i = 0;
  const flush = () => {
    if (text !== "") tokens.push({ type: "text", value: decodeHTML(text) });
    text = "";
  };
  while (i < html.length) {
    if (html.startsWith("<!--", i)) {
      const end = html.indexOf("-->", i + 4);
      i = end === -1 ? html.length : end + 3;
      continue;
    }
    if (html[i] === "<") {
      TAG.lastIndex = i;
      const m = TAG.exec(html);
      if (m) {
        flush();
        const name = (m[2] ?? "").toLowerCase().replace(/^.*:/, "");
        if (m[1] === "/") tokens.push({ type: "close", name });
        else {
          const attrs: [string, string][] = [];
          for (const a of (m[3] ?? "").matchAll(ATTRIBUTE)) {
            attrs.push([(a[1] ?? "").toLowerCase(), decodeHTML(a[2] ?? a[3] ?? a[4] ?? "")]);
          }
          tokens.push({ type: "open", name, attrs, selfClosing: m[4] === "/" });
        }
        i = TAG.lastIndex;
        continue;
      }
    }
    text += html[i];
    i++;
  }
  flush();
  return tokens;
}

const URL_ATTRIBUTES = new Set(["href", "src", "cite"]);
const VOID = new Set([
  "br",
  "hr",
  "img",
  "area",
  "input",
  "source",
  "col",
  "wbr",
  "embed",
  "meta",
  "link",
  "base",
]);

function canonicalUrl(value: string): string {
  try {
    return new URL(value.trim()).href;
  } catch {
    return value.trim();
  }
}

const escapeText = (text: string): string =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** One canonical string: sorted attributes, absolute URLs normalised, whitespace collapsed. */
export function canonical(tokens: Token[]): string {
  let out = "";
  for (const token of tokens) {
    if (token.type === "text") out += escapeText(token.value);
    else if (token.type === "close") {
      if (!VOID.has(token.name)) out += `</${token.name}>`;
    } else {
      const attrs = [...token.attrs]
        .map(([k, v]): [string, string] => [k, URL_ATTRIBUTES.has(k) ? canonicalUrl(v) : v])
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => ` ${k}="${v}"`)
        .join("");
      out += `<${token.name}${attrs}>`;
      // An element written `<a/>` is an empty element, as feedparser writes `<a></a>`.
      if (token.selfClosing && !VOID.has(token.name)) out += `</${token.name}>`;
    }
  }
  return out
    .replace(/\s+/g, " ")
    .replace(/\s*(<[^>]*>)\s*/g, "$1")
    .trim();
}

export const canonicalHtml = (html: string): string => canonical(tokenize(html));

const allowedTags = new Set(ALLOWED_TAGS);
const dropWithContent = new Set(DROP_WITH_CONTENT);
const RENAMED: Record<string, string> = { h1: "h2", strike: "s" };

export interface Projection {
  html: string;
  /** What Tributary's allow-list removes that feedparser's keeps: `<span>`, `style` on `<a>`… */
  removed: Set<string>;
}

/**
 * feedparser's sanitised HTML as Tributary's policy would leave it: elements outside the
 * allow-list unwrapped (or dropped with their content), attributes outside it removed, `h1`
 * and `strike` renamed, `img` without `src` dropped. `removed` names every difference, so a file that only
 * passes because of the narrower policy is reported as such.
 */
export function projectOntoPolicy(html: string): Projection {
  const removed = new Set<string>();
  const kept: Token[] = [];
  let dropping: string | undefined;
  let depth = 0;
  for (const token of tokenize(html)) {
    if (dropping !== undefined) {
      if (token.type === "open" && token.name === dropping && !token.selfClosing) depth++;
      if (token.type === "close" && token.name === dropping && --depth === 0) dropping = undefined;
      continue;
    }
    if (token.type === "text") {
      kept.push(token);
      continue;
    }
    const name = RENAMED[token.name] ?? token.name;
    if (!allowedTags.has(name)) {
      removed.add(`<${token.name}>`);
      if (token.type === "open" && dropWithContent.has(token.name) && !token.selfClosing) {
        dropping = token.name;
        depth = 1;
      }
      continue;
    }
    if (token.type === "close") {
      kept.push({ type: "close", name });
      continue;
    }
    const allowed = new Set([
      ...(ALLOWED_ATTRIBUTES[name] ?? []),
      ...(ALLOWED_ATTRIBUTES["*"] ?? []),
    ]);
    const attrs = token.attrs.filter(([key, value]) => {
      if (!allowed.has(key)) {
        // One rule, whatever the attribute: only the allow-list's attributes are kept.
        removed.add("attributes");
        return false;
      }
      if (value === "" && key !== "alt") {
        removed.add("empty attributes");
        return false;
      }
      // Only absolute http(s) (and mailto: on links) survive in URL attributes.
      if (URL_ATTRIBUTES.has(key) && !/^(?:https?:|mailto:)/i.test(value.trim())) {
        removed.add(`${key}=${value.trim().split(":")[0]}:`);
        return false;
      }
      return true;
    });
    if (name === "img" && !attrs.some(([key]) => key === "src")) {
      removed.add("<img> without src");
      continue;
    }
    kept.push({ ...token, name, attrs });
  }
  return { html: canonical(kept), removed };
}

const DANGEROUS_ELEMENTS = new Set([
  "script",
  "style",
  "iframe",
  "frame",
  "frameset",
  "object",
  "embed",
  "applet",
  "meta",
  "link",
  "base",
  "form",
]);

/** What is executable in `html`, as short descriptions; empty when nothing is. */
export function executableIn(html: string): string[] {
  const found: string[] = [];
  for (const token of tokenize(html)) {
    if (token.type !== "open") continue;
    if (DANGEROUS_ELEMENTS.has(token.name)) found.push(`<${token.name}>`);
    for (const [key, value] of token.attrs) {
      if (key.startsWith("on")) found.push(`${key}= on <${token.name}>`);
      if (/^(?:javascript|vbscript|data):/i.test(value.replace(/[\s\0]+/g, ""))) {
        found.push(`${key}="${value.slice(0, 40)}" on <${token.name}>`);
      }
    }
  }
  return found;
}

/** For plain-text fields: markup that would be executable if someone inserted it as HTML. */
export function executableInText(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/<\s*([a-z]+)\b/gi)) {
    if (DANGEROUS_ELEMENTS.has((m[1] ?? "").toLowerCase())) found.push(m[0]);
  }
  if (/\bjavascript:|\bvbscript:/i.test(text)) found.push("script URL in text");
  return found;
}
