// Shared builders for the publish tests (not a test file: ava only runs *.test.ts). Each call
// returns fresh objects, and the well-formedness check uses the strict sax parser that
// rss-parser itself depends on.
import { createRequire } from "node:module";
import type { FeedFormat } from "../../src/publish/types.js";
import type { FeedContext } from "../../src/publish/view.js";

export const BASE = "https://tributary.example";

export function makeContext(format: FeedFormat, overrides: Partial<FeedContext> = {}): FeedContext {
  return {
    format,
    category: {
      id: "trafficking",
      title: "Human trafficking",
      description: "Updates on trafficking in persons.",
    },
    service: { title: "Tributary", baseUrl: BASE },
    selfUrl: `${BASE}/feeds/trafficking.${format}?cursor=c2`,
    htmlUrl: `${BASE}/categories/trafficking`,
    links: {
      first: `${BASE}/feeds/trafficking.${format}`,
      next: `${BASE}/feeds/trafficking.${format}?cursor=c3`,
      previous: `${BASE}/feeds/trafficking.${format}`,
    },
    sources: new Map([
      [
        "source-a",
        {
          title: "Partner A",
          url: "https://partner.example/feed.xml",
          homepage: "https://partner.example/",
        },
      ],
    ]),
    categories: new Map([["trafficking", { title: "Human trafficking" }]]),
    language: "en",
    ...overrides,
  };
}

interface SaxTag {
  name: string;
  attributes: Record<string, { value: string }>;
}

interface SaxParser {
  onerror: (error: Error) => void;
  onopentag: (tag: SaxTag) => void;
  onclosetag: () => void;
  ontext: (text: string) => void;
  oncdata: (text: string) => void;
  write(chunk: string): SaxParser;
  close(): SaxParser;
}

const sax = createRequire(import.meta.url)("sax") as {
  parser(strict: boolean, options: { xmlns: boolean }): SaxParser;
};

/** An element as a strict, namespace-aware parser saw it; `text` is its own character data. */
export interface XmlNode {
  name: string;
  attributes: Record<string, string>;
  children: XmlNode[];
  text: string;
}

/** Parses strictly (undeclared prefixes, stray `&`, bad characters all throw). */
export function parseXml(xml: string): XmlNode {
  const root: XmlNode = { name: "#document", attributes: {}, children: [], text: "" };
  const stack: XmlNode[] = [root];
  const parser = sax.parser(true, { xmlns: true });
  parser.onerror = (error) => {
    throw error; // sax would otherwise go on after the first error
  };
  parser.onopentag = (tag) => {
    const attributes: Record<string, string> = {};
    for (const [name, attribute] of Object.entries(tag.attributes))
      attributes[name] = attribute.value;
    const node: XmlNode = { name: tag.name, attributes, children: [], text: "" };
    stack.at(-1)?.children.push(node);
    stack.push(node);
  };
  parser.onclosetag = () => {
    stack.pop();
  };
  parser.ontext = (text) => {
    const node = stack.at(-1);
    if (node) node.text += text;
  };
  parser.oncdata = parser.ontext;
  parser.write(xml).close();
  const [element] = root.children;
  if (!element) throw new Error("no root element");
  return element;
}

/** Undefined when `xml` is well-formed and namespace-well-formed, else the parser's message. */
export function xmlError(xml: string): string | undefined {
  try {
    parseXml(xml);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

export const all = (node: XmlNode | undefined, name: string): XmlNode[] =>
  node?.children.filter((child) => child.name === name) ?? [];

export const one = (node: XmlNode | undefined, name: string): XmlNode | undefined =>
  all(node, name)[0];

/** The `href` of the first `link`-like child with this rel. */
export const linkHref = (
  node: XmlNode | undefined,
  name: string,
  rel: string,
): string | undefined =>
  all(node, name).find((link) => link.attributes.rel === rel)?.attributes.href;
