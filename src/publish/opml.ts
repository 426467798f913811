// OPML 2.0 (http://opml.org/spec2.opml) for feed readers: a subscription list they import in
// one step. Pure: outlines in, a string out. Every attribute value is XML-escaped and stripped
// of characters XML 1.0 cannot carry, so a partner's odd title cannot break the document.

import { escapeText, escapeXmlAttribute } from "../model/escape.js";
import { stripXmlIllegal } from "./clean.js";

export interface OpmlOutline {
  text: string;
  /** `rss` for any feed (readers use it for Atom and JSON Feed too). */
  type?: "rss";
  xmlUrl?: string;
  htmlUrl?: string;
  description?: string;
  /** OPML 2.0 `category`: comma-separated slash-delimited paths ("/migration,/research"). */
  category?: string;
  language?: string;
  children?: OpmlOutline[];
}

export interface OpmlDocument {
  title: string;
  outlines: OpmlOutline[];
}

/** Escaped for a double-quoted attribute, XML-illegal characters removed. */
export const escapeAttribute = (value: string): string =>
  escapeXmlAttribute(stripXmlIllegal(value));

/** Escaped as character data, XML-illegal characters removed. */
const escapeCharacterData = (value: string): string => escapeText(stripXmlIllegal(value));

const ATTRIBUTE_ORDER = [
  "text",
  "title",
  "type",
  "xmlUrl",
  "htmlUrl",
  "description",
  "category",
  "language",
] as const;

function renderOutline(outline: OpmlOutline, depth: number): string {
  const indent = "  ".repeat(depth);
  // `title` repeats `text`: OPML 2.0 names `text`, but several readers only look at `title`.
  const values: Partial<Record<(typeof ATTRIBUTE_ORDER)[number], string>> = {
    ...outline,
    title: outline.text,
  };
  const attributes = ATTRIBUTE_ORDER.flatMap((name) => {
    const value = values[name];
    return value === undefined ? [] : [`${name}="${escapeAttribute(value)}"`];
  }).join(" ");
  const children = outline.children ?? [];
  if (children.length === 0) return `${indent}<outline ${attributes}/>`;
  return [
    `${indent}<outline ${attributes}>`,
    ...children.map((child) => renderOutline(child, depth + 1)),
    `${indent}</outline>`,
  ].join("\n");
}

export function renderOpml(document: OpmlDocument): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<opml version="2.0">',
    "  <head>",
    `    <title>${escapeCharacterData(document.title)}</title>`,
    "    <docs>http://opml.org/spec2.opml</docs>",
    "  </head>",
    "  <body>",
    ...document.outlines.map((outline) => renderOutline(outline, 2)),
    "  </body>",
    "</opml>",
    "",
  ].join("\n");
}
