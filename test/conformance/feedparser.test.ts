// Every feed of feedparser's test suite (../shared/corpus/feedparser, 1,380 files) through
// Tributary's ingest — decode → parse → normalise — checked for the property its manifest
// expectation states (translated by expectations.ts), plus one property for every file:
// nothing executable survives in any published field. Files the manifest says are served
// over HTTP come from a local server with their headers, through the real fetch.
//
// deviations.tsv explains every file that does not simply pass: `differs` rows name a file
// where Tributary deliberately disagrees with feedparser, `policy` rows name markup
// Tributary's narrower allow-list removes, `n/a` rows name feedparser fields Tributary does
// not model. Every other file must pass, and every row must still be needed.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import test from "ava";
import iconv from "iconv-lite";
import { parseDate } from "../../src/ingest/normalise/dates.js";
import { corpusPath, hasCorpus, skipMessage } from "../helpers/corpus.js";
import { startFixtureServer } from "../helpers/fixture-server.js";
import { skipTest } from "../helpers/skip.js";
import { evaluate, type Verdict } from "./expectations.js";
import { type ManifestRow, readDeviations, readManifest } from "./manifest.js";
import { executableIn, executableInText } from "./markup.js";
import { type Observation, observeFetched, observeFile } from "./observe.js";
import { parsePython } from "./python-expr.js";

const here = dirname(fileURLToPath(import.meta.url));
const deviations = readDeviations(join(here, "deviations.tsv"));

type Outcome =
  | { status: "pass" }
  | { status: "differs"; keys: string[] }
  | { status: "n/a"; key: string }
  | { status: "fail"; detail: string };

/** Executable markup or script URLs in any field Tributary would publish for this file. */
function executableFields(observation: Observation): string[] {
  const found: string[] = [];
  const feedTitle = observation.result?.feedTitle ?? "";
  for (const hit of executableInText(feedTitle)) found.push(`feed title: ${hit}`);
  for (const update of observation.result?.updates ?? []) {
    const texts = [
      update.title,
      update.summary,
      ...update.tags,
      ...update.authors.flatMap((a) => [a.name, a.email ?? ""]),
    ];
    for (const text of texts) for (const hit of executableInText(text)) found.push(hit);
    for (const hit of executableIn(update.contentHtml ?? "")) found.push(`content: ${hit}`);
    const urls = [
      update.link,
      update.image?.url,
      ...update.enclosures.map((e) => e.url),
      ...update.authors.map((a) => a.url),
    ];
    for (const url of urls) {
      if (url !== undefined && !/^https?:\/\//.test(url)) found.push(`URL ${url}`);
    }
  }
  return found;
}

/** Python codec aliases iconv-lite spells otherwise. */
const PYTHON_CODECS: Record<string, string> = { u16: "utf-16", u32: "utf-32", u8: "utf-8" };

/** feedparser's `skip_unless`: it runs these only with chardet, or with a Python codec. */
function skipped(row: ManifestRow): string | undefined {
  if (row.skipUnless.includes("chardet")) return "skip_unless.chardet";
  const codec = /lookup\('([^']+)'\)/.exec(row.skipUnless)?.[1];
  const name = codec === undefined ? undefined : (PYTHON_CODECS[codec] ?? codec.replace(/_/g, "-"));
  if (name !== undefined && !iconv.encodingExists(name)) return "skip_unless.codec";
  return undefined;
}

function outcomeOf(row: ManifestRow, observation: Observation, origin: string): Outcome {
  const executable = executableFields(observation);
  if (executable.length > 0)
    return { status: "fail", detail: `executable: ${executable.join("; ")}` };
  const skip = skipped(row);
  if (skip !== undefined) return { status: "n/a", key: skip };
  const verdict: Verdict = evaluate(parsePython(row.expect), observation, origin);
  if (verdict.status === "n/a") return verdict;
  if (verdict.status === "fail") {
    return listedFiles.has(row.path) ? { status: "differs", keys: [row.path] } : verdict;
  }
  if (verdict.narrowedBy.length > 0) {
    return { status: "differs", keys: verdict.narrowedBy.map((k) => `policy ${k}`) };
  }
  return { status: "pass" };
}

const listedFiles = new Set(deviations.filter((d) => d.kind === "differs").map((d) => d.key));
const explained = new Set(deviations.map((d) => d.key));

interface Row {
  category: string;
  files: number;
  pass: number;
  differs: number;
  na: number;
  fail: number;
}

function formatTable(rows: Row[]): string {
  const header = ["category", "files", "pass", "deliberate", "n/a", "fail"];
  const lines = rows.map((r) => [r.category, r.files, r.pass, r.differs, r.na, r.fail].map(String));
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? "").length)));
  const format = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join("  ");
  return [format(header), ...lines.map(format)].join("\n");
}

function tally(results: { row: ManifestRow; outcome: Outcome }[]): Row[] {
  const byCategory = new Map<string, Row>();
  const total: Row = { category: "total", files: 0, pass: 0, differs: 0, na: 0, fail: 0 };
  for (const { row, outcome } of results) {
    let entry = byCategory.get(row.category);
    if (!entry) {
      entry = { category: row.category, files: 0, pass: 0, differs: 0, na: 0, fail: 0 };
      byCategory.set(row.category, entry);
    }
    for (const target of [entry, total]) {
      target.files++;
      if (outcome.status === "pass") target.pass++;
      else if (outcome.status === "differs") target.differs++;
      else if (outcome.status === "n/a") target.na++;
      else target.fail++;
    }
  }
  return [...[...byCategory.values()].sort((a, b) => a.category.localeCompare(b.category)), total];
}

// --- date vectors ------------------------------------------------------------------------------

/** `(2004, 1, 1, 19, 48, 21, 3, 1, 0)` → ISO; `None` → undefined. */
function vectorInstant(tuple: string): string | undefined {
  if (tuple === "None") return undefined;
  const [y = 0, mo = 1, d = 1, h = 0, mi = 0, s = 0] = tuple
    .replace(/[()]/g, "")
    .split(",")
    .map((part) => Number(part.trim()));
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, 0);
  return date.toISOString();
}

function dateVectorOutcomes(): { input: string; outcome: Outcome }[] {
  const lines = readFileSync(corpusPath("feedparser", "vectors", "date_vectors.tsv"), "utf8")
    .split("\n")
    .slice(1)
    .filter((line) => line.trim() !== "");
  return lines.map((line) => {
    const [, input = "", expected = ""] = line.split("\t");
    const parsed = parseDate(input);
    const actual =
      parsed === undefined
        ? undefined
        : new Date(Math.floor(parsed.getTime() / 1000) * 1000).toISOString();
    const want = vectorInstant(expected);
    if (actual === want) return { input, outcome: { status: "pass" } };
    const key = `vector ${input}`;
    if (explained.has(key)) return { input, outcome: { status: "differs", keys: [key] } };
    return { input, outcome: { status: "fail", detail: `${input}: ${actual}, expected ${want}` } };
  });
}

// --- the run -------------------------------------------------------------------------------------

if (hasCorpus) {
  const root = corpusPath("feedparser");
  const manifest = readManifest(join(root, "MANIFEST.tsv"));

  test("feedparser corpus: every file passes or is listed in deviations.tsv", async (t) => {
    // feedparser's own test server answers .xml files as application/xml unless a test
    // names other headers; it stands at 127.0.0.1:8097 in the expectations.
    const server = await startFixtureServer(t);
    for (const row of manifest.filter((r) => r.servedOverHttp)) {
      const named = Object.fromEntries(
        Object.entries(row.httpHeaders).map(([name, value]) => [
          name.toLowerCase() === "content-type" ? "Content-Type" : name,
          value,
        ]),
      );
      const headers = { "Content-Type": "application/xml", ...named };
      server.set(`/${row.path}`, { headers, body: readFileSync(join(root, row.path)) });
    }

    const results: { row: ManifestRow; outcome: Outcome }[] = [];
    for (const row of manifest) {
      const observation = row.servedOverHttp
        ? await observeFetched(row, server.origin)
        : await observeFile(row, root, server.origin);
      results.push({ row, outcome: outcomeOf(row, observation, server.origin) });
    }
    const vectors = dateVectorOutcomes();
    const rows = tally([
      ...results,
      ...vectors.map(({ input, outcome }) => ({
        row: { category: "date vectors", path: input } as ManifestRow,
        outcome,
      })),
    ]);
    t.log(`\n${formatTable(rows)}`);

    t.is(manifest.length, 1380);
    t.is(vectors.length, 72);

    const failures = [
      ...results.map((r) => ({ path: r.row.path, outcome: r.outcome })),
      ...vectors.map((v) => ({ path: v.input, outcome: v.outcome })),
    ].flatMap(({ path, outcome }) =>
      outcome.status === "fail" ? [`${path}: ${outcome.detail}`] : [],
    );
    t.deepEqual(failures, [], `${failures.length} files fail`);

    // One line per missing key, with the first file that needs it.
    const unexplained = new Map<string, string>();
    for (const { row, outcome } of results) {
      const keys =
        outcome.status === "n/a" ? [outcome.key] : outcome.status === "differs" ? outcome.keys : [];
      for (const key of keys) {
        if (!explained.has(key) && !unexplained.has(key)) unexplained.set(key, row.path);
      }
    }
    t.deepEqual(
      [...unexplained].map(([key, path]) => `${key} (e.g. ${path})`),
      [],
      "every n/a field and policy difference has a row in deviations.tsv",
    );

    // A row nothing needs any more (the file passes now, the field is modelled) must go.
    const used = new Set<string>();
    for (const { outcome } of [...results, ...vectors]) {
      if (outcome.status === "n/a") used.add(outcome.key);
      if (outcome.status === "differs") for (const key of outcome.keys) used.add(key);
    }
    const stale = deviations.filter((d) => !used.has(d.key)).map((d) => `${d.kind} ${d.key}`);
    t.deepEqual(stale, [], "deviations.tsv lists only rows that are still needed");
  });
} else {
  skipTest("feedparser corpus", skipMessage);
}
