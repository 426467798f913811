// OPML reading lists (OPML 1.0/2.0, as Feedly, NetNewsWire, Thunderbird, Inoreader and
// Tributary's own GET /opml/sources write them) → the feeds they list. An outline with an
// `xmlUrl` is a feed; an outline without one is a folder, whose title is kept for every feed
// inside it so the importer can map folders to categories.
// sax reads the file as a stream of tags (no recursion, so deep nesting cannot overflow the
// stack) and never fetches external entities.
import sax from "sax";

export interface OpmlFeed {
  /** `text`, else `title`, whitespace collapsed; empty when the outline names neither. */
  title: string;
  xmlUrl: string;
  htmlUrl?: string;
  /** Titles of the folders around the feed, outermost first. */
  folders: string[];
  /** The OPML 2.0 `category` attribute, split: "/news/migration,trafficking" → both entries. */
  categories: string[];
}

export interface OpmlDocument {
  title?: string;
  feeds: OpmlFeed[];
}

export class OpmlError extends Error {
  override name = "OpmlError";
}

/** Deeper than any reading list; a hostile file gets a clear error instead of a huge stack. */
const MAX_DEPTH = 64;

/** Exporters disagree on case: `xmlUrl`, `xmlurl`, `XMLURL`. */
function attributesOf(tag: sax.Tag): Map<string, string> {
  const attributes = new Map<string, string>();
  for (const [name, value] of Object.entries(tag.attributes)) {
    attributes.set(name.toLowerCase(), value);
  }
  return attributes;
}

const collapse = (value: string | undefined): string => (value ?? "").replace(/\s+/g, " ").trim();

function splitCategories(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value
    .split(",")
    .map((item) => collapse(item))
    .filter((item) => item !== "");
}

interface Frame {
  name: string;
  /** Folder title when this element is a folder outline. */
  folder?: string;
}

export function readOpml(text: string): OpmlDocument {
  const parser = sax.parser(true, { trim: false, position: true });
  const stack: Frame[] = [];
  const feeds: OpmlFeed[] = [];
  let sawRoot = false;
  let inHeadTitle = false;
  let title = "";
  let failure: Error | undefined;

  parser.onerror = (error) => {
    failure ??= error;
    // sax stops at the first error; throwing from the handler leaves `write` through it.
    throw error;
  };
  parser.onopentag = (node) => {
    const tag = node as sax.Tag;
    const name = tag.name.toLowerCase();
    if (stack.length === 0) {
      if (name !== "opml") throw new OpmlError(`the root element is <${tag.name}>, not <opml>`);
      sawRoot = true;
    }
    if (stack.length >= MAX_DEPTH) {
      throw new OpmlError(`outlines are nested more than ${MAX_DEPTH} levels deep`);
    }
    const frame: Frame = { name };
    const parent = stack.at(-1);
    if (name === "title" && parent?.name === "head") inHeadTitle = true;
    if (name === "outline") {
      const attributes = attributesOf(tag);
      const label = collapse(attributes.get("text")) || collapse(attributes.get("title"));
      const xmlUrl = attributes.get("xmlurl")?.trim();
      if (xmlUrl) {
        const feed: OpmlFeed = {
          title: label,
          xmlUrl,
          folders: stack.flatMap((f) => (f.folder === undefined ? [] : [f.folder])),
          categories: splitCategories(attributes.get("category")),
        };
        const htmlUrl = attributes.get("htmlurl")?.trim();
        if (htmlUrl) feed.htmlUrl = htmlUrl;
        feeds.push(feed);
      } else {
        frame.folder = label;
      }
    }
    stack.push(frame);
  };
  parser.onclosetag = () => {
    const frame = stack.pop();
    if (frame?.name === "title") inHeadTitle = false;
  };
  const onText = (value: string) => {
    if (inHeadTitle) title += value;
  };
  parser.ontext = onText;
  parser.oncdata = onText;

  try {
    parser.write(text).close();
  } catch (error) {
    if (error instanceof OpmlError) throw error;
    const reason = (failure ?? (error as Error)).message.split("\n")[0];
    throw new OpmlError(`not well-formed XML: ${reason} (line ${parser.line + 1})`, {
      cause: error,
    });
  }
  if (!sawRoot) throw new OpmlError("the file is empty; expected an <opml> document");
  const document: OpmlDocument = { feeds };
  const headTitle = collapse(title);
  if (headTitle !== "") document.title = headTitle;
  return document;
}
