// Reading xml2js nodes (what rss-parser's customFields hand back with keepArray): an element is
// a string, or an object with its text in `_`, its attributes in `$` and its children as arrays.
// Every accessor tolerates any shape and returns undefined rather than throwing.
import type { ParsedAuthor, ParsedEnclosure, ParsedImage, ParsedText } from "./types.js";

export type Node = unknown;
type Element = { _?: unknown; $?: Record<string, unknown>; [child: string]: unknown };

const asElement = (node: Node): Element | undefined =>
  typeof node === "object" && node !== null && !Array.isArray(node) ? (node as Element) : undefined;

/** The prefix rss-parser's output uses for the raw element arrays we ask it to keep. */
export const RAW = "raw:";

/** All `name` children of `parent` (an xml2js element or an rss-parser item with raw fields). */
export function children(parent: Node, name: string): Node[] {
  const value = asElement(parent)?.[name];
  return Array.isArray(value) ? value : [];
}

/** The raw elements named `name` that rss-parser copied onto `item` (see xml.ts). */
export const raw = (item: Node, name: string): Node[] => children(item, RAW + name);

/**
 * An xml2js element in the shape rss-parser gives the items it copies raw: each child array
 * under RAW + its name, the attributes under RAW + `$`. Atom, read without rss-parser, goes
 * through the same accessors this way. Anything but an element (`<entry/>` is "") has nothing.
 */
export function asRawItem(node: Node): Record<string, unknown> {
  const element = asElement(node);
  if (element === undefined) return {};
  const item: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(element)) {
    if (name !== "_") item[RAW + name] = value;
  }
  return item;
}

/** Character content of an element; for mixed content, the text parts only. */
export function textOf(node: Node): string | undefined {
  if (typeof node === "string") return node;
  const text = asElement(node)?._;
  return typeof text === "string" ? text : undefined;
}

/** Trimmed text, undefined when empty. */
export function nonEmptyText(node: Node): string | undefined {
  const text = textOf(node)?.trim();
  return text ? text : undefined;
}

/** The first of `nodes` with non-empty text. */
export function firstText(nodes: Node[]): string | undefined {
  for (const node of nodes) {
    const text = nonEmptyText(node);
    if (text !== undefined) return text;
  }
  return undefined;
}

export function attrOf(node: Node, name: string): string | undefined {
  const value = asElement(node)?.$?.[name];
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

/** Attributes of the element itself, for rss-parser items copied with `$` (see xml.ts). */
export function ownAttr(item: Node, name: string): string | undefined {
  const attrs = asElement(item)?.[`${RAW}$`];
  const value = asElement(attrs)?.[name];
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

/**
 * An Atom text construct (or an RSS element, which is HTML by custom): `type` decides whether
 * the value is markup. Unknown media types (base64 payloads) are not text at all.
 */
export function textConstruct(node: Node, defaultType: "text" | "html"): ParsedText | undefined {
  const written = textOf(node);
  if (written === undefined || written.trim() === "") return undefined;
  if (attrOf(node, "src") !== undefined) return undefined; // out-of-line Atom content
  // Atom 0.3 `mode="base64"`: the value of the declared type, base64-encoded.
  const value =
    attrOf(node, "mode")?.toLowerCase() === "base64"
      ? Buffer.from(written, "base64").toString("utf8")
      : written;
  const declared = attrOf(node, "type")?.toLowerCase();
  let type: "text" | "html" | undefined;
  if (declared === undefined) type = defaultType;
  else if (["html", "xhtml", "text/html", "application/xhtml+xml"].includes(declared))
    type = "html";
  else if (["text", "text/plain"].includes(declared)) type = "text";
  if (type === undefined) return undefined;
  const base = attrOf(node, "xml:base");
  const content = declared === "xhtml" ? withoutXhtmlWrapper(value) : value;
  return base === undefined ? { value: content, type } : { value: content, type, base };
}

/**
 * Atom `type="xhtml"` content is wrapped in one XHTML <div> that "MUST NOT be considered part
 * of the content" (RFC 4287 §4.1.3.3).
 */
function withoutXhtmlWrapper(html: string): string {
  const wrapped = /^\s*<div(?:\s[^>]*)?>([\s\S]*)<\/div>\s*$/i.exec(html);
  return wrapped?.[1] ?? html;
}

/** `<author><name/><email/><uri/></author>` (Atom person construct). */
export function personOf(node: Node): ParsedAuthor {
  return {
    name: firstText(children(node, "name")),
    email: firstText(children(node, "email")),
    url: firstText(children(node, "uri")) ?? firstText(children(node, "url")),
  };
}

/**
 * RSS `<author>` and `dc:creator`: "jane@example.org (Jane Doe)", "Jane Doe (jane@example.org)",
 * "Jane Doe <jane@example.org>", a bare address, or just a name.
 */
export function rssPersonOf(text: string): ParsedAuthor {
  const value = text.trim();
  const parenthesised = /^(\S+@\S+)\s*\((.+)\)$/.exec(value);
  if (parenthesised) return { email: parenthesised[1], name: parenthesised[2] };
  const nameFirst = /^(.+?)\s*\(([^\s()@]+@[^\s()]+)\)$/.exec(value);
  if (nameFirst) return { name: nameFirst[1], email: nameFirst[2] };
  const angled = /^(.*?)\s*<(\S+@\S+)>$/.exec(value);
  if (angled) return { name: angled[1] || undefined, email: angled[2] };
  if (/^\S+@\S+\.\S+$/.test(value)) return { email: value };
  return { name: value };
}

/** Categories as text: element text (RSS), `label` or `term` (Atom), `text` (iTunes). */
export function categoryOf(node: Node): string | undefined {
  return (
    nonEmptyText(node) ?? attrOf(node, "label") ?? attrOf(node, "term") ?? attrOf(node, "text")
  );
}

export function enclosureOf(node: Node, urlAttr: "url" | "href"): ParsedEnclosure | undefined {
  const url = attrOf(node, urlAttr);
  if (url === undefined) return undefined;
  return { url, type: attrOf(node, "type"), length: attrOf(node, "length") };
}

const isImageType = (type: string | undefined): boolean =>
  type?.toLowerCase().startsWith("image/") === true;

/**
 * The entry's image, in order of preference: media:thumbnail, an image media:content (also
 * inside media:group), an image enclosure, itunes:image.
 */
export function imageOf(item: Node, enclosures: ParsedEnclosure[]): ParsedImage | undefined {
  const groups = raw(item, "media:group");
  const thumbnails = [
    ...raw(item, "media:thumbnail"),
    ...groups.flatMap((g) => children(g, "media:thumbnail")),
  ];
  for (const thumb of thumbnails) {
    const url = attrOf(thumb, "url");
    if (url !== undefined) return { url };
  }
  const contents = [
    ...raw(item, "media:content"),
    ...groups.flatMap((g) => children(g, "media:content")),
  ];
  for (const content of contents) {
    const url = attrOf(content, "url");
    const type = attrOf(content, "type");
    if (url !== undefined && (attrOf(content, "medium") === "image" || isImageType(type))) {
      return type === undefined ? { url } : { url, type };
    }
  }
  const enclosure = enclosures.find((e) => isImageType(e.type));
  if (enclosure) return { url: enclosure.url, type: enclosure.type };
  const itunes = attrOf(raw(item, "itunes:image")[0], "href");
  return itunes === undefined ? undefined : { url: itunes };
}
