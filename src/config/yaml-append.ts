// Appends source entries to the `sources` list of a config file without touching anything
// else in it. The yaml library parses the file (comments included) to find where the list
// ends and how it is indented; the new entries are then spliced into the original text.
// Re-serialising the whole Document (String(doc)) would keep the comments but not the layout:
// it re-indents comments that precede a top-level key and respaces flow lists, so an operator's
// carefully commented file would come back with a diff on lines nobody touched.
import { Document, isMap, isScalar, isSeq, parseDocument, type YAMLSeq } from "yaml";
import type { NewSource } from "./opml-import.js";

export class YamlEditError extends Error {
  override name = "YamlEditError";
}

/** Plain values for the YAML writer: optional keys left out rather than written as null. */
function plain(source: NewSource): Record<string, unknown> {
  const { id, title, url, homepage, categories } = source;
  return homepage === undefined
    ? { id, title, url, categories }
    : { id, title, url, homepage, categories };
}

/** A block sequence of the entries, `categories` as a flow list like the shipped config. */
export function renderSourcesYaml(sources: readonly NewSource[]): string {
  const doc = new Document(sources.map(plain));
  for (const item of (doc.contents as YAMLSeq).items) {
    if (!isMap(item)) continue;
    const categories = item.get("categories", true);
    if (isSeq(categories)) categories.flow = true;
  }
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

/** One entry as a block mapping (no leading dash), to be indented by the caller. */
function renderBlockEntry(source: NewSource): string {
  return renderSourcesYaml([source])
    .replace(/^- /, "")
    .replace(/\n {2}/g, "\n");
}

/** One entry as a flow mapping, for files whose entries are written `- { id: …, … }`. */
function renderFlowEntry(source: NewSource): string {
  const doc = new Document(plain(source));
  if (isMap(doc.contents)) doc.contents.flow = true;
  // `{ id: a, categories: [x] }`: padded braces, unpadded brackets, as such files are written.
  return doc
    .toString({ lineWidth: 0, flowCollectionPadding: false })
    .trimEnd()
    .replace(/^\{/, "{ ")
    .replace(/\}$/, " }");
}

/** Prefixes every line but the first with `indent`, and the first with `first`. */
const indentBlock = (block: string, first: string, indent: string): string =>
  block
    .trimEnd()
    .split("\n")
    .map((line, i) => (i === 0 ? first + line : line === "" ? "" : indent + line))
    .join("\n");

const lineStartOf = (text: string, offset: number): number =>
  text.lastIndexOf("\n", offset - 1) + 1;

/** Offset just after the newline that ends the line holding `offset` (or the text's end). */
function afterLineOf(text: string, offset: number): number {
  const newline = text.indexOf("\n", offset);
  return newline === -1 ? text.length : newline + 1;
}

/**
 * Returns `yamlText` with `sources` appended to its `sources` list, and an optional comment
 * line (without `#`) before them. Throws YamlEditError when the file has no editable list.
 */
export function appendSources(
  yamlText: string,
  sources: readonly NewSource[],
  comment?: string,
): string {
  if (sources.length === 0) return yamlText;
  const doc = parseDocument(yamlText, { keepSourceTokens: false });
  if (doc.errors.length > 0) throw new YamlEditError(`YAML error: ${doc.errors[0]?.message}`);
  if (!isMap(doc.contents)) throw new YamlEditError("the file is not a YAML mapping");
  const pair = doc.contents.items.find((p) => isScalar(p.key) && p.key.value === "sources");
  if (pair === undefined || !isScalar(pair.key) || pair.key.range == null) {
    throw new YamlEditError('the file has no "sources" key');
  }
  const keyIndent = pair.key.range[0] - lineStartOf(yamlText, pair.key.range[0]);
  const value = pair.value;

  if (isSeq(value) && value.items.length > 0 && !value.flow) {
    return appendToBlockList(yamlText, value, sources, comment);
  }
  if (isSeq(value) && value.flow && value.items.length > 0) {
    // `sources: [ {…}, {…} ]`: continue the flow list before its closing bracket.
    const end = value.range?.[1];
    const close = end === undefined ? -1 : yamlText.lastIndexOf("]", end);
    if (close === -1) throw new YamlEditError("cannot find the end of the sources list");
    const added = sources.map((s) => `, ${renderFlowEntry(s)}`).join("");
    return yamlText.slice(0, close).trimEnd() + added + yamlText.slice(close);
  }
  const empty = (isSeq(value) && value.items.length === 0) || value === null || isNullScalar(value);
  if (!empty) throw new YamlEditError('"sources" is not a list');

  // `sources: []` or `sources:` with nothing after it: write a block list under the key.
  let text = yamlText;
  let keyLineEnd = afterLineOf(text, pair.key.range[1]);
  if (isSeq(value) && value.range) {
    text = text.slice(0, value.range[0]) + text.slice(value.range[1]);
    keyLineEnd = afterLineOf(text, pair.key.range[1]);
  }
  const dash = " ".repeat(keyIndent + 2);
  const head = text.slice(0, keyLineEnd);
  const lines = [
    ...(comment === undefined ? [] : [`${dash}# ${comment}`]),
    ...sources.map((source) => indentBlock(renderBlockEntry(source), `${dash}- `, `${dash}  `)),
  ];
  const separator = head.endsWith("\n") ? "" : "\n";
  return `${head.replace(/[ \t]+(\n?)$/, "$1")}${separator}${lines.join("\n")}\n${text.slice(keyLineEnd)}`;
}

function isNullScalar(value: unknown): boolean {
  return isScalar(value) && (value.value === null || value.value === undefined);
}

function appendToBlockList(
  text: string,
  list: YAMLSeq,
  sources: readonly NewSource[],
  comment: string | undefined,
): string {
  const last = list.items.at(-1);
  const range = (last as { range?: [number, number, number] } | null)?.range;
  if (!range) throw new YamlEditError("cannot find the end of the sources list");
  // `  - id: …`: the dash's column, and the column the entry's keys start at.
  const itemLineStart = lineStartOf(text, range[0]);
  const prefix = text.slice(itemLineStart, range[0]);
  const dashColumn = prefix.indexOf("-");
  if (dashColumn === -1) throw new YamlEditError("cannot read the indentation of the sources list");
  const dash = " ".repeat(dashColumn);
  // Entries separated by blank lines stay so.
  const previous = list.items.at(-2) as { range?: [number, number, number] } | undefined;
  const spaced =
    previous?.range !== undefined &&
    /\n[ \t]*\n/.test(text.slice(previous.range[1] - 1, itemLineStart));
  const flowEntries = isMap(last) && last.flow === true;

  const marker = `${dash}-${" ".repeat(Math.max(1, prefix.length - dashColumn - 1))}`;
  const blocks = sources.map((source) =>
    flowEntries
      ? `${marker}${renderFlowEntry(source)}`
      : indentBlock(renderBlockEntry(source), marker, " ".repeat(marker.length)),
  );
  const first = comment === undefined ? blocks[0] : `${dash}# ${comment}\n${blocks[0]}`;
  const body = [first, ...blocks.slice(1)].join(spaced ? "\n\n" : "\n");
  // Insert after the line the last entry ends on (a trailing comment on it stays with it).
  const at = afterLineOf(text, Math.max(range[0], range[1] - 1));
  const head = text.slice(0, at);
  const lead = head.endsWith("\n") ? "" : "\n";
  return `${head}${lead}${spaced ? "\n" : ""}${body}\n${text.slice(at)}`;
}
