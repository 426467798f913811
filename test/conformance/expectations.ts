// Translates feedparser's `expect` expressions (parsed by python-expr.ts) into the property
// each states about Tributary's output, and checks it against an Observation:
//   feedparser name                      → what it means for Tributary
//   entries[i].title / title_detail.value → Update.title, plain text (markup in the expectation
//                                           is read as HTML when the element was HTML)
//   summary / description                → Update.summary (plain text); for an entry with only
//                                           content, Update.contentHtml
//   content[0].value                     → Update.contentHtml, compared on Tributary's allow-list
//   link / links[0].href                 → Update.link, as an absolute URL
//   id / guid                            → Update.id is the hash of exactly that guid
//   author, author_detail, authors[k]    → Update.authors[k] name / email / url
//   tags[k].term|label / category        → Update.tags[k]
//   enclosures[k]                        → Update.enclosures[k] url / type / length
//   published*, issued*, created*        → Update.published, the same instant
//   updated*, modified*                  → Update.updated, the same instant
//   *_detail.base                        → the xml:base in effect for that element
//   feed.title / feed.link               → the feed title and site link normalise reports
//   version                              → the format the parser recognised (rss/rdf/atom)
//   encoding                             → the decoded text has the characters decoding with
//                                           that charset gives
//   bozo                                 → `not bozo`: ingest succeeded; `bozo`: a clean,
//                                           typed rejection or a parse, never a crash
//   etag / modified                      → the validators the fetch kept
// Anything else is a field Tributary does not model: the verdict is "n/a" under a key that
// deviations.tsv must explain.
import iconv from "iconv-lite";
import { entryId } from "../../src/ingest/normalise/ids.js";
import {
  cleanTitle,
  htmlToText,
  singleLineText,
  summarise,
  toPlainText,
} from "../../src/ingest/normalise/text.js";
import type { ParsedText } from "../../src/ingest/parse/types.js";
import type { Update } from "../../src/model/update.js";
import { applyBase } from "../../src/model/urls.js";
import { canonicalHtml, projectOntoPolicy } from "./markup.js";
import type { EntryObservation, Observation } from "./observe.js";
import { SOURCE_ID } from "./observe.js";
import type { Expr } from "./python-expr.js";

export type Verdict =
  | { status: "pass"; narrowedBy: string[] }
  | { status: "fail"; detail: string }
  | { status: "n/a"; key: string };

const pass = (narrowedBy: string[] = []): Verdict => ({ status: "pass", narrowedBy });
const fail = (detail: string): Verdict => ({ status: "fail", detail });
const na = (key: string): Verdict => ({ status: "n/a", key });

/** What a feedparser path denotes in Tributary's output. */
type Field =
  | {
      kind: "text";
      actual: string | undefined;
      type: "text" | "html";
      shape: "title" | "summary" | "plain";
    }
  | { kind: "html"; actual: string | undefined }
  | { kind: "url"; actual: string | undefined }
  | { kind: "exact"; actual: string | undefined }
  | { kind: "instant"; actual: string | undefined }
  | { kind: "id"; actual: string | undefined }
  | { kind: "author"; actual: Update["authors"][number] | undefined }
  | { kind: "enclosure"; actual: Update["enclosures"][number] | undefined }
  | { kind: "format"; actual: string | undefined }
  | { kind: "charset" }
  | { kind: "present"; actual: boolean }
  | { kind: "count"; actual: number }
  | { kind: "missing"; detail: string }
  | { kind: "n/a"; key: string };

type Literal = string | number | null | number[] | Record<string, string>;

interface Context {
  observation: Observation;
  /** The local server standing in for feedparser's test server at 127.0.0.1:8097. */
  origin: string;
}

// --- paths ----------------------------------------------------------------------------------

type Path = (string | number)[];

function pathOf(expr: Expr): Path | undefined {
  if (expr.kind === "name") return [expr.name];
  if (expr.kind !== "get") return undefined;
  const target = pathOf(expr.target);
  if (target === undefined) return undefined;
  if (expr.key.kind === "str" || expr.key.kind === "num") return [...target, expr.key.value];
  return undefined;
}

const DATE_PUBLISHED = new Set(["published", "issued", "created", "date"]);
const DATE_UPDATED = new Set(["updated", "modified"]);

function dateField(name: string, update: Update): Field | undefined {
  const bare = name.replace(/_parsed$/, "");
  if (DATE_PUBLISHED.has(bare)) return { kind: "instant", actual: update.published };
  if (DATE_UPDATED.has(bare)) return { kind: "instant", actual: update.updated };
  return undefined;
}

function textField(
  actual: string | undefined,
  parsed: ParsedText | undefined,
  shape: "title" | "summary" | "plain",
): Field {
  return { kind: "text", actual, type: parsed?.type ?? "html", shape };
}

/** The base in effect for one of the entry's text constructs (XML Base §4.2, nested). */
function baseOfConstruct(
  ctx: Context,
  entry: EntryObservation,
  text: ParsedText | undefined,
): Field {
  const parsed = ctx.observation.parsed;
  if (text === undefined) return { kind: "missing", detail: "no such element" };
  const feedBase = applyBase(ctx.observation.feedUrl, parsed?.base);
  return { kind: "url", actual: applyBase(applyBase(feedBase, entry.item.base), text.base) };
}

function authorField(update: Update, index: number, key: string | number | undefined): Field {
  const author = update.authors[index];
  if (key === undefined) return { kind: "author", actual: author };
  if (author === undefined) return { kind: "missing", detail: `no author ${index}` };
  if (key === "name") return { kind: "exact", actual: author.name };
  if (key === "email") return { kind: "exact", actual: author.email };
  if (key === "href" || key === "url" || key === "uri") return { kind: "url", actual: author.url };
  return { kind: "n/a", key: `entry.author.${key}` };
}

/** Entry fields with a Tributary counterpart; any other name is "n/a" before anything else. */
const ENTRY_FIELDS = new Set([
  "title",
  "title_detail",
  "summary",
  "description",
  "summary_detail",
  "content",
  "link",
  "links",
  "id",
  "guid",
  "guidislink",
  "author",
  "author_detail",
  "authors",
  "tags",
  "category",
  "enclosures",
  "language",
]);

function entryField(ctx: Context, index: number, rest: Path): Field {
  const name = String(rest[0]);
  if (
    !ENTRY_FIELDS.has(name) &&
    !/^(?:published|issued|created|date|updated|modified)(?:_parsed)?$/.test(name)
  )
    return { kind: "n/a", key: `entry.${naName(name)}` };
  const entry = ctx.observation.entries[index];
  if (entry === undefined) return { kind: "missing", detail: `there is no entry ${index}` };
  const update = entry.update;
  if (update === undefined)
    return { kind: "missing", detail: `entry ${index} was not normalised: ${entry.dropped}` };
  const item = entry.item;
  const [head, second, third] = rest;
  if (typeof head !== "string") return { kind: "missing", detail: "bad path" };
  switch (head) {
    case "title":
      return textField(update.title, item.title, "title");
    case "title_detail":
      if (second === "value") return textField(update.title, item.title, "title");
      if (second === "base") return baseOfConstruct(ctx, entry, item.title);
      return { kind: "n/a", key: "text-construct.type" };
    case "summary":
    case "description":
    case "summary_detail":
      if (head === "summary_detail" && second === "base")
        return baseOfConstruct(ctx, entry, item.summary ?? item.content);
      if (head === "summary_detail" && second !== "value")
        return { kind: "n/a", key: "text-construct.type" };
      // feedparser's summary falls back to the content; ours is its plain text, and the
      // content itself (with its markup) is in contentHtml.
      if (item.summary === undefined && item.content !== undefined)
        return { kind: "html", actual: update.contentHtml };
      return textField(update.summary, item.summary, "summary");
    case "content":
      if (second !== 0) return { kind: "n/a", key: "entry.content.multiple" };
      // Plain-text content (Atom type="text") is published as paragraphs: compare its text.
      if (third === "value" && item.content?.type === "text")
        return {
          kind: "text",
          actual: htmlToText(update.contentHtml ?? ""),
          type: "text",
          shape: "plain",
        };
      if (third === "value") return { kind: "html", actual: update.contentHtml };
      if (third === "base") return baseOfConstruct(ctx, entry, item.content);
      return { kind: "n/a", key: "text-construct.type" };
    case "link":
      return { kind: "url", actual: update.link };
    case "links":
      // feedparser lists every link; Tributary keeps the alternate (or permalink) as `link`.
      // An entry whose only link has another rel (license, self…) has nothing to compare.
      if (second === 0 && third === "href" && (update.link !== undefined || item.links.length > 0))
        return { kind: "url", actual: update.link };
      return { kind: "n/a", key: "entry.links" };
    case "id":
    case "guid":
      return { kind: "id", actual: update.id };
    case "guidislink":
      return {
        kind: "present",
        actual:
          item.links.length === 0 && item.guidIsPermaLink === true && update.link !== undefined,
      };
    case "author":
      return authorField(update, 0, undefined);
    case "author_detail":
      return authorField(update, 0, second);
    case "authors":
      return authorField(update, typeof second === "number" ? second : 0, third);
    case "tags":
      if (third === "term" || third === "label") {
        const tag = update.tags[typeof second === "number" ? second : 0];
        return { kind: "text", actual: tag, type: "text", shape: "plain" };
      }
      return { kind: "n/a", key: "entry.category.scheme" };
    case "category":
      return { kind: "text", actual: update.tags[0], type: "text", shape: "plain" };
    case "enclosures": {
      const enclosure = update.enclosures[typeof second === "number" ? second : 0];
      if (third === undefined) return { kind: "enclosure", actual: enclosure };
      if (enclosure === undefined) return { kind: "missing", detail: `no enclosure ${second}` };
      if (third === "href" || third === "url") return { kind: "url", actual: enclosure.url };
      if (third === "type") return { kind: "exact", actual: enclosure.type };
      if (third === "length") return { kind: "exact", actual: enclosure.length?.toString() };
      return { kind: "n/a", key: `entry.enclosure.${third}` };
    }
    case "language":
      return { kind: "exact", actual: update.language };
    default: {
      const date = dateField(head, update);
      if (date) return date;
      return { kind: "n/a", key: `entry.${naName(head)}` };
    }
  }
}

/** Groups feedparser's many names for one unmodelled thing under one key. */
function naName(name: string): string {
  if (/^(?:contributors?|publisher(?:_detail)?)$/.test(name)) return "contributors";
  if (/^(?:rights|copyright|license)(?:_detail)?$/.test(name)) return "rights";
  if (/^(?:expired|validity_(?:start|end))(?:_parsed)?$/.test(name)) return "validity";
  if (/^(?:wfw_|thr_|comments)/.test(name)) return "comments";
  if (/^(?:subtitle|tagline|info|description)(?:_detail)?$/.test(name)) return "subtitle";
  if (/^(?:generator|docs|ttl|cloud|textinput|errorreportsto)(?:_detail)?$/.test(name))
    return "channel-metadata";
  if (/^(?:image|logo|icon)$/.test(name)) return "image";
  if (/^(?:author|author_detail|authors)$/.test(name)) return "author";
  if (/^(?:tags|category)$/.test(name)) return "category";
  if (/^(?:id|guid)$/.test(name)) return "id";
  if (/^(?:published|updated|created|modified|issued)(?:_parsed)?$/.test(name)) return "date";
  if (name === "source") return "source";
  if (name === "links") return "links";
  return "other-element";
}

function feedField(ctx: Context, rest: Path): Field {
  const { parsed, result } = ctx.observation;
  if (parsed === undefined || result === undefined) return { kind: "missing", detail: "no feed" };
  const [head, second, third] = rest;
  const title = { value: parsed.title ?? "", type: parsed.titleType ?? "html" } as const;
  if (head === "title" || (head === "title_detail" && second === "value"))
    return textField(result.feedTitle, title, "title");
  if (head === "title_detail") return { kind: "n/a", key: "feed.title.detail" };
  if (head === "link") return { kind: "url", actual: result.feedLink };
  if (head === "links" && second === 0 && third === "href" && parsed.link !== undefined)
    return { kind: "url", actual: result.feedLink };
  if (head === "language") return { kind: "exact", actual: parsed.language };
  return { kind: "n/a", key: `feed.${naName(String(head))}` };
}

function fieldOf(ctx: Context, path: Path): Field {
  const [root, ...rest] = path;
  const { observation } = ctx;
  switch (root) {
    case "entries":
      if (typeof rest[0] !== "number") return { kind: "missing", detail: "bad path" };
      return entryField(ctx, rest[0], rest.slice(1));
    case "feed":
      return feedField(ctx, rest);
    case "version":
      return { kind: "format", actual: observation.parsed?.format };
    case "encoding":
      return { kind: "charset" };
    case "etag":
      return { kind: "present", actual: observation.validators?.etag !== undefined };
    case "modified":
      return { kind: "present", actual: observation.validators?.lastModified !== undefined };
    case "modified_parsed": {
      const value = observation.validators?.lastModified;
      return { kind: "present", actual: value !== undefined && !Number.isNaN(Date.parse(value)) };
    }
    default:
      return { kind: "n/a", key: `feedparser.${String(root)}` };
  }
}

// --- literals -------------------------------------------------------------------------------

function literalOf(expr: Expr, ctx: Context): Literal | undefined {
  switch (expr.kind) {
    case "str":
      return expr.value.replaceAll("http://127.0.0.1:8097", ctx.origin);
    case "num":
      return expr.value;
    case "name":
      return expr.name === "None" ? null : undefined;
    case "add": {
      const left = literalOf(expr.left, ctx);
      const right = literalOf(expr.right, ctx);
      return typeof left === "string" && typeof right === "string" ? left + right : undefined;
    }
    case "tuple": {
      const items = expr.items.map((item) => literalOf(item, ctx));
      return items.every((i): i is number => typeof i === "number") ? items : undefined;
    }
    case "dict": {
      const record: Record<string, string> = {};
      for (const [key, value] of expr.entries) {
        const k = literalOf(key, ctx);
        const v = literalOf(value, ctx);
        if (typeof k !== "string" || typeof v !== "string") return undefined;
        record[k] = v;
      }
      return record;
    }
    default:
      return undefined;
  }
}

/** Python time tuple (UTC) or a date string → epoch ms. */
function instantOf(expected: Literal): number | undefined {
  if (Array.isArray(expected)) {
    const [y = 0, mo = 1, d = 1, h = 0, mi = 0, s = 0] = expected;
    return Date.UTC(y, mo - 1, d, h, mi, s);
  }
  if (typeof expected === "string") {
    const ms = Date.parse(expected);
    return Number.isNaN(ms) ? undefined : ms;
  }
  return undefined;
}

const absoluteUrl = (value: string): string | undefined => {
  try {
    return new URL(value).href;
  } catch {
    return undefined;
  }
};

/** feedparser's charset names → iconv-lite's, for decoding the same bytes as a reference. */
function referenceCharset(name: string): string | undefined {
  const lower = name.toLowerCase();
  const alias = lower === "us-ascii" ? "ascii" : lower;
  return iconv.encodingExists(alias) ? alias : undefined;
}

function compareEqual(field: Field, expected: Literal, ctx: Context): Verdict {
  const show = (v: unknown) => JSON.stringify(v);
  switch (field.kind) {
    case "n/a":
      return na(field.key);
    case "missing":
      return fail(field.detail);
    case "text": {
      if (typeof expected !== "string") return fail(`expected ${show(expected)} for text`);
      const want =
        field.shape === "title"
          ? cleanTitle(expected, field.type)
          : field.shape === "summary"
            ? summarise(toPlainText(expected, field.type))
            : singleLineText(toPlainText(expected, field.type));
      return (field.actual ?? "") === want
        ? pass()
        : fail(`text ${show(field.actual)}, expected ${show(want)}`);
    }
    case "html": {
      if (typeof expected !== "string") return fail(`expected ${show(expected)} for HTML`);
      const projection = projectOntoPolicy(expected);
      const actual = canonicalHtml(field.actual ?? "");
      return actual === projection.html
        ? pass([...projection.removed])
        : fail(`HTML ${show(actual)}, expected ${show(projection.html)}`);
    }
    case "url": {
      if (typeof expected !== "string") return fail(`expected ${show(expected)} for a URL`);
      const want = absoluteUrl(expected);
      if (want === undefined) return fail(`expected URL ${show(expected)} is not absolute`);
      return field.actual === want
        ? pass()
        : fail(`URL ${show(field.actual)}, expected ${show(want)}`);
    }
    case "exact": {
      const want = typeof expected === "number" ? String(expected) : expected;
      return field.actual === want ? pass() : fail(`${show(field.actual)}, expected ${show(want)}`);
    }
    case "instant": {
      const want = instantOf(expected);
      if (want === undefined) return fail(`cannot read ${show(expected)} as an instant`);
      const actual = field.actual === undefined ? Number.NaN : Date.parse(field.actual);
      // feedparser's tuples are whole seconds.
      return Math.floor(actual / 1000) === Math.floor(want / 1000)
        ? pass()
        : fail(`instant ${field.actual}, expected ${new Date(want).toISOString()}`);
    }
    case "id": {
      if (typeof expected !== "string") return fail(`expected ${show(expected)} for an id`);
      return field.actual === entryId(SOURCE_ID, { guid: expected })
        ? pass()
        : fail(`the entry id is not the hash of the guid ${show(expected)}`);
    }
    case "author": {
      const a = field.actual;
      if (a === undefined) return fail("no author");
      if (typeof expected !== "string") return fail(`expected ${show(expected)} for an author`);
      // feedparser writes "Name (email)" when it has both.
      const written =
        a.email !== undefined && a.email !== a.name ? `${a.name} (${a.email})` : a.name;
      return written === singleLineText(expected)
        ? pass()
        : fail(`author ${show(written)}, expected ${show(expected)}`);
    }
    case "enclosure": {
      const e = field.actual;
      if (e === undefined) return fail("no enclosure");
      if (typeof expected !== "object" || expected === null || Array.isArray(expected))
        return fail(`expected ${show(expected)} for an enclosure`);
      const problems: string[] = [];
      const href = expected.href ?? expected.url;
      if (href !== undefined && e.url !== absoluteUrl(href)) problems.push(`url ${e.url}`);
      if (expected.type !== undefined && e.type !== expected.type) problems.push(`type ${e.type}`);
      if (expected.length !== undefined && String(e.length) !== expected.length)
        problems.push(`length ${e.length}`);
      return problems.length === 0 ? pass() : fail(`enclosure ${problems.join(", ")}`);
    }
    case "format": {
      if (typeof expected !== "string") return fail(`expected ${show(expected)} for a version`);
      const want = /^rss(?:10|090)$/.test(expected)
        ? "rdf"
        : expected.startsWith("rss")
          ? "rss"
          : expected.startsWith("atom")
            ? "atom"
            : expected.startsWith("json")
              ? "json"
              : undefined;
      return field.actual === want ? pass() : fail(`format ${field.actual}, expected ${want}`);
    }
    case "charset": {
      if (typeof expected !== "string") return fail(`expected ${show(expected)} for a charset`);
      const reference = referenceCharset(expected);
      if (reference === undefined) return na("encoding.unsupported");
      const text = iconv.decode(ctx.observation.bytes, reference).replace(/^\uFEFF/, "");
      return text === ctx.observation.text
        ? pass()
        : fail(`decoded as ${ctx.observation.charset}: not the characters ${expected} gives`);
    }
    case "present":
    case "count":
      return field.actual === expected
        ? pass()
        : fail(`${field.actual}, expected ${show(expected)}`);
  }
}

// --- expressions ----------------------------------------------------------------------------

function combineAll(verdicts: Verdict[]): Verdict {
  const failed = verdicts.find((v) => v.status === "fail");
  if (failed) return failed;
  const notApplicable = verdicts.find((v) => v.status === "n/a");
  if (notApplicable) return notApplicable;
  return pass(verdicts.flatMap((v) => (v.status === "pass" ? v.narrowedBy : [])));
}

function combineAny(verdicts: Verdict[]): Verdict {
  return (
    verdicts.find((v) => v.status === "pass") ??
    verdicts.find((v) => v.status === "fail") ??
    verdicts[0] ??
    fail("empty or")
  );
}

const isBozo = (expr: Expr): boolean => expr.kind === "name" && expr.name === "bozo";

function truthy(expr: Expr, ctx: Context, negated: boolean): Verdict {
  const { observation } = ctx;
  if (isBozo(expr)) {
    if (negated) return observation.error ? fail(`rejected: ${observation.error.message}`) : pass();
    // feedparser calls the document ill-formed: a clean rejection or a parse both do.
    return pass();
  }
  if (expr.kind === "num") return pass();
  if (expr.kind === "compare") {
    const verdict = evaluateNode(expr, ctx);
    if (!negated || verdict.status !== "pass")
      return negated && verdict.status === "fail" ? pass() : verdict;
    return fail("expected the comparison not to hold");
  }
  if (expr.kind === "call") return callTruth(expr, ctx, negated);
  const path = pathOf(expr);
  if (path === undefined) return fail(`cannot read ${JSON.stringify(expr)}`);
  const field = fieldOf(ctx, path);
  if (field.kind === "n/a") return na(field.key);
  if (field.kind === "missing") return negated ? pass() : fail(field.detail);
  const present =
    field.kind === "present"
      ? field.actual
      : "actual" in field && field.actual !== undefined && field.actual !== "";
  return present !== negated ? pass() : fail(`${path.join(".")} is ${present ? "set" : "unset"}`);
}

function callTruth(expr: Extract<Expr, { kind: "call" }>, ctx: Context, negated: boolean): Verdict {
  const callee = expr.callee;
  if (callee.kind === "name" && callee.name === "isinstance")
    return na("feedparser.bozo_exception");
  if (callee.kind === "get" && callee.key.kind === "str" && callee.key.value === "has_key") {
    const path = pathOf(callee.target);
    const key = expr.args[0];
    if (path === undefined || key?.kind !== "str") return fail("cannot read has_key");
    return truthy({ kind: "get", target: callee.target, key }, ctx, negated);
  }
  return fail(`cannot read call ${JSON.stringify(callee)}`);
}

/** `len(x)`, `ord(x)`, `headers.get(…)` as the left side of a comparison. */
function callField(expr: Extract<Expr, { kind: "call" }>, ctx: Context): Field {
  const callee = expr.callee;
  const arg = expr.args[0];
  if (callee.kind === "name" && callee.name === "len" && arg !== undefined) {
    const path = pathOf(arg);
    if (path?.[0] === "entries" && path.length === 1)
      return { kind: "count", actual: ctx.observation.entries.length };
    if (path?.[0] === "entries" && path[2] === "links" && typeof path[1] === "number") {
      const entry = ctx.observation.entries[path[1]];
      if (entry === undefined) return { kind: "missing", detail: "no such entry" };
      return { kind: "count", actual: entry.item.links.length + entry.item.enclosures.length };
    }
    return { kind: "n/a", key: `feed.${naName(String(path?.[1]))}` };
  }
  if (callee.kind === "name" && callee.name === "ord" && arg !== undefined) {
    const path = pathOf(arg);
    const field = path === undefined ? undefined : fieldOf(ctx, path);
    if (field?.kind === "text") return { ...field, kind: "exact", actual: field.actual };
    if (field?.kind === "html") return { kind: "exact", actual: canonicalHtml(field.actual ?? "") };
    return field ?? { kind: "missing", detail: "cannot read ord()" };
  }
  if (callee.kind === "get" && pathOf(callee)?.[0] === "headers")
    return { kind: "n/a", key: "http.headers" };
  return { kind: "missing", detail: `cannot read call ${JSON.stringify(callee)}` };
}

function sideOf(expr: Expr, ctx: Context): Field | { literal: Literal } | undefined {
  if (expr.kind === "call") return callField(expr, ctx);
  const path = pathOf(expr);
  if (path !== undefined && !(path.length === 1 && path[0] === "None")) return fieldOf(ctx, path);
  const literal = literalOf(expr, ctx);
  return literal === undefined ? undefined : { literal };
}

function compare(expr: Extract<Expr, { kind: "compare" }>, ctx: Context): Verdict {
  // `not 'modified' in locals()`: whether the result has that key at all.
  if (expr.ops[0] === "in" && expr.operands[1]?.kind === "call") {
    const name = expr.operands[0];
    if (name?.kind !== "str") return fail("cannot read `in`");
    return truthy({ kind: "name", name: name.value }, ctx, false);
  }
  const sides = expr.operands.map((operand) => sideOf(operand, ctx));
  const literal = sides.find((s): s is { literal: Literal } => s !== undefined && "literal" in s);
  const fields = sides.filter((s): s is Field => s !== undefined && "kind" in s);
  if (literal === undefined || fields.length === 0)
    return fail(`cannot read ${JSON.stringify(expr)}`);
  const ord = expr.operands.some(
    (o) => o.kind === "call" && o.callee.kind === "name" && o.callee.name === "ord",
  );
  const expected =
    ord && typeof literal.literal === "number"
      ? String.fromCodePoint(literal.literal)
      : literal.literal;
  const verdicts = fields.map((field) => {
    if (expected === null) {
      // `x != None`: the field is set.
      const set = "actual" in field && field.actual !== undefined;
      if (field.kind === "n/a") return na(field.key);
      return set === (expr.ops[0] === "!=") ? pass() : fail("presence differs");
    }
    const verdict = compareEqual(field, expected, ctx);
    if (expr.ops[0] === "!=")
      return verdict.status === "fail"
        ? pass()
        : verdict.status === "pass"
          ? fail("equal")
          : verdict;
    return verdict;
  });
  return combineAll(verdicts);
}

function evaluateNode(expr: Expr, ctx: Context): Verdict {
  switch (expr.kind) {
    case "and": {
      // `bozo and X`: a clean rejection satisfies the whole statement.
      if (expr.operands.some(isBozo) && ctx.observation.error?.clean) return pass();
      return combineAll(expr.operands.map((operand) => evaluateNode(operand, ctx)));
    }
    case "or":
      return combineAny(expr.operands.map((operand) => evaluateNode(operand, ctx)));
    case "not":
      return truthy(expr.operand, ctx, true);
    case "compare":
      return compare(expr, ctx);
    default:
      return truthy(expr, ctx, false);
  }
}

/** The verdict of one manifest expression on one observation. Crashes are always failures. */
export function evaluate(expr: Expr, observation: Observation, origin: string): Verdict {
  if (observation.error && !observation.error.clean) {
    return fail(`crashed: ${observation.error.message}`);
  }
  return evaluateNode(expr, { observation, origin });
}
