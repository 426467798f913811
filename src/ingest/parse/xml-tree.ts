// A fast reader for the well-formed XML most feeds are, producing the element tree xml2js would
// (default options: text in `_`, attributes in `$`, children as arrays, whitespace-only text
// dropped unless CDATA carried it, an empty element as its whitespace or ""), so the mappings in
// rss.ts and atom.ts read it unchanged. sax, under xml2js, walks the text one character at a
// time through a state machine; here indexOf finds the markup and plain text is sliced whole.
//
// It reads only what it fully understands and gives up (UNREAD) on anything else: a document
// sax would reject, or accept in a way that takes more than this module knows (HTML entity
// names, non-ASCII element names, an internal DTD subset…). The caller then parses the same
// text with xml2js, so errors and odd cases keep sax's exact messages and results.
import type { Node } from "./xml-nodes.js";

/** This reader does not decide this document: parse it with xml2js instead. */
export const UNREAD: unique symbol = Symbol("unread");

interface OpenElement {
  /** The name as written: the end tag must repeat it exactly. */
  written: string;
  /** The name after `rename`, under which the parent keeps it. */
  key: string;
  obj: Record<string, unknown>;
  text: string;
  /** A non-empty CDATA section was read: xml2js then keeps whitespace-only text. */
  cdata: boolean;
  /** Attributes or children: the element is an object, not its text. */
  keyed: boolean;
}

// ASCII XML names only; sax also accepts most of Unicode, which we leave to it.
const NAME = /[A-Za-z_:][\w.:-]*/y;
// A Map, not an object literal: `&constructor;` must not find Object.prototype's.
const XML_ENTITY: ReadonlyMap<string, string> = new Map([
  ["amp", "&"],
  ["lt", "<"],
  ["gt", ">"],
  ["quot", '"'],
  ["apos", "'"],
]);
const NUMERIC_REFERENCE = /^#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}))$/;

/** sax's whitespace: XML's four characters, not JavaScript's \s. */
const isSaxSpace = (code: number): boolean =>
  code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;

/** XML 1.0 Char production (what sax accepts from a character reference). */
const isXmlChar = (code: number): boolean =>
  code === 0x9 ||
  code === 0xa ||
  code === 0xd ||
  (code >= 0x20 && code <= 0xd7ff) ||
  (code >= 0xe000 && code <= 0xfffd) ||
  (code >= 0x10000 && code <= 0x10ffff);

/**
 * Names xml2js cannot hold as children: its own keys (`_` text, `$` attributes, `cdata` flag)
 * and Object.prototype's, which its `key in obj` tests see as already present.
 */
const unsafeKey = (name: string): boolean =>
  name === "_" || name === "$" || name === "cdata" || name in Object.prototype;

/** Text or an attribute value with its references resolved; undefined when one is not XML's. */
function decodeReferences(raw: string): string | undefined {
  let amp = raw.indexOf("&");
  if (amp === -1) return raw;
  let out = "";
  let last = 0;
  while (amp !== -1) {
    const semi = raw.indexOf(";", amp + 1);
    if (semi === -1) return undefined;
    const name = raw.slice(amp + 1, semi);
    let value = XML_ENTITY.get(name);
    if (value === undefined) {
      const numeric = NUMERIC_REFERENCE.exec(name);
      if (numeric === null) return undefined;
      const code =
        numeric[1] === undefined
          ? Number.parseInt(numeric[2] ?? "", 10)
          : Number.parseInt(numeric[1], 16);
      if (!isXmlChar(code)) return undefined;
      value = String.fromCodePoint(code);
    }
    out += raw.slice(last, amp) + value;
    last = semi + 1;
    amp = raw.indexOf("&", last);
  }
  return out + raw.slice(last);
}

/** The value xml2js gives a closed element. */
function closedValue(open: OpenElement): unknown {
  // /^\s*$/ as xml2js tests it (JavaScript's whitespace, wider than XML's).
  if (!open.cdata && /^\s*$/.test(open.text)) return open.keyed ? open.obj : open.text;
  if (!open.keyed) return open.text;
  open.obj._ = open.text;
  return open.obj;
}

function addChild(parent: OpenElement, key: string, value: unknown): void {
  const siblings = parent.obj[key];
  if (siblings === undefined) parent.obj[key] = [value];
  else (siblings as unknown[]).push(value);
  parent.keyed = true;
}

/** Skips sax whitespace from `i`. */
function skipSpace(text: string, i: number): number {
  while (isSaxSpace(text.charCodeAt(i))) i++;
  return i;
}

/** `<!DOCTYPE …>` without an internal subset: its end, or -1 when it is anything else. */
function doctypeEnd(text: string, from: number): number {
  let quote = 0;
  for (let i = from; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (quote !== 0) {
      if (code === quote) quote = 0;
    } else if (code === 0x22 || code === 0x27) quote = code;
    else if (code === 0x5b /* [ */) return -1;
    else if (code === 0x3e /* > */) return i + 1;
  }
  return -1;
}

interface StartTag {
  written: string;
  attrs: Record<string, string> | undefined;
  selfClosing: boolean;
  end: number;
}

/** A start tag at `lt`, attributes decoded (the first of a repeated name wins, as in sax). */
function readStartTag(text: string, lt: number): StartTag | undefined {
  NAME.lastIndex = lt + 1;
  const name = NAME.exec(text)?.[0];
  if (name === undefined) return undefined;
  let i = lt + 1 + name.length;
  let attrs: Record<string, string> | undefined;
  for (;;) {
    const before = i;
    i = skipSpace(text, i);
    const code = text.charCodeAt(i);
    if (code === 0x3e /* > */) return { written: name, attrs, selfClosing: false, end: i + 1 };
    if (code === 0x2f /* / */) {
      if (text.charCodeAt(i + 1) !== 0x3e) return undefined;
      return { written: name, attrs, selfClosing: true, end: i + 2 };
    }
    // An attribute must follow whitespace, after the name as after a value.
    if (i === before) return undefined;
    NAME.lastIndex = i;
    const attr = NAME.exec(text)?.[0];
    if (attr === undefined || attr in Object.prototype) return undefined;
    i = skipSpace(text, i + attr.length);
    if (text.charCodeAt(i) !== 0x3d /* = */) return undefined;
    i = skipSpace(text, i + 1);
    const quote = text.charCodeAt(i);
    if (quote !== 0x22 && quote !== 0x27) return undefined;
    const close = text.indexOf(quote === 0x22 ? '"' : "'", i + 1);
    if (close === -1) return undefined;
    const value = decodeReferences(text.slice(i + 1, close));
    if (value === undefined) return undefined;
    attrs ??= {};
    if (!(attr in attrs)) attrs[attr] = value;
    i = close + 1;
  }
}

/**
 * What xml2js's parseString gives (`{ [root]: value }`, element names passed through `rename`
 * as its tagNameProcessors do), or UNREAD. Reading stops at the root's end tag, as xml2js does.
 */
export function readXmlDocument(
  text: string,
  rename: (name: string) => string,
): Record<string, Node> | typeof UNREAD {
  const stack: OpenElement[] = [];
  let top: OpenElement | undefined;
  let sawDoctype = false;
  let i = 0;
  for (;;) {
    const lt = text.indexOf("<", i);
    if (lt === -1) return UNREAD; // the root never closed
    if (lt > i) {
      if (top === undefined) {
        for (let j = i; j < lt; j++) if (!isSaxSpace(text.charCodeAt(j))) return UNREAD;
      } else {
        const decoded = decodeReferences(text.slice(i, lt));
        if (decoded === undefined) return UNREAD;
        top.text += decoded;
      }
    }
    const next = text.charCodeAt(lt + 1);
    if (next === 0x2f /* / */) {
      NAME.lastIndex = lt + 2;
      const name = NAME.exec(text)?.[0];
      if (name === undefined || top === undefined || name !== top.written) return UNREAD;
      const gt = skipSpace(text, lt + 2 + name.length);
      if (text.charCodeAt(gt) !== 0x3e) return UNREAD;
      const closed = top;
      stack.pop();
      top = stack[stack.length - 1];
      const value = closedValue(closed);
      if (top === undefined) return { [closed.key]: value };
      addChild(top, closed.key, value);
      i = gt + 1;
    } else if (next === 0x21 /* ! */) {
      if (text.startsWith("<![CDATA[", lt)) {
        const end = text.indexOf("]]>", lt + 9);
        if (end === -1 || top === undefined) return UNREAD;
        if (end > lt + 9) {
          top.text += text.slice(lt + 9, end);
          top.cdata = true;
        }
        i = end + 3;
      } else if (text.startsWith("<!--", lt)) {
        const dashes = text.indexOf("--", lt + 4);
        if (dashes === -1 || text.charCodeAt(dashes + 2) !== 0x3e) return UNREAD;
        i = dashes + 3;
      } else if (/^<!DOCTYPE\s/i.test(text.slice(lt, lt + 10)) && !sawDoctype && !top) {
        const end = doctypeEnd(text, lt + 9);
        if (end === -1) return UNREAD;
        sawDoctype = true;
        i = end;
      } else {
        return UNREAD;
      }
    } else if (next === 0x3f /* ? */) {
      const end = text.indexOf("?>", lt + 2);
      if (end === -1) return UNREAD;
      i = end + 2;
    } else {
      const tag = readStartTag(text, lt);
      if (tag === undefined) return UNREAD;
      const key = rename(tag.written);
      if (unsafeKey(key)) return UNREAD;
      const open: OpenElement = {
        written: tag.written,
        key,
        obj: tag.attrs === undefined ? {} : { $: tag.attrs },
        text: "",
        cdata: false,
        keyed: tag.attrs !== undefined,
      };
      if (tag.selfClosing) {
        const value = closedValue(open);
        if (top === undefined) return { [key]: value };
        addChild(top, key, value);
      } else {
        stack.push(open);
        top = open;
      }
      i = tag.end;
    }
  }
}
