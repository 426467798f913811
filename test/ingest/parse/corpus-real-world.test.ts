// Every feed of the real-world corpus (copied from real publishers, with rss-parser's expected
// parse as golden output) goes through decode → parse → normalise without errors, keeps the
// golden entry count, and yields updates that satisfy the model's invariants.
import { existsSync, readFileSync } from "node:fs";
import test from "ava";
import { normalise } from "../../../src/ingest/normalise/normalise.js";
import { decodeFeedBytes } from "../../../src/ingest/parse/decode.js";
import { FeedParseError } from "../../../src/ingest/parse/errors.js";
import { parseFeed } from "../../../src/ingest/parse/parse.js";
import type { Update } from "../../../src/model/update.js";
import { corpusPath, skipMessage } from "../../helpers/corpus.js";
import { skipTest } from "../../helpers/skip.js";

const dir = corpusPath("real-world");
const manifestFile = corpusPath("real-world", "MANIFEST.tsv");
const NOW = new Date("2026-01-01T00:00:00.000Z");

/** Drops that are the rules working, not failures: the corpus has such entries on purpose. */
const EXPECTED_DROP = /neither a title nor any text|duplicate of an earlier entry/;

interface Row {
  input: string;
  output: string;
  note: string;
}

/** The charset the file is served with, when the manifest says (`served … as "text/xml; charset=latin1"`). */
const contentTypeOf = (note: string): string | undefined =>
  /served over HTTP as "([^"]+)"/.exec(note)?.[1];

function checkInvariants(t: import("ava").ExecutionContext, file: string, update: Update): void {
  const where = `${file} ${update.id}`;
  t.regex(update.id, /^[0-9a-f]{32}$/, where);
  t.true(update.title !== "" && update.title === update.title.trim(), where);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting there are none
  t.false(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/.test(update.title + update.summary), where);
  t.true(update.summary.length <= 300, where);
  if (update.link !== undefined) t.regex(update.link, /^https?:\/\//, where);
  t.regex(update.published, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, where);
  t.regex(update.updated, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, where);
  if (update.contentHtml !== undefined) {
    t.false(/<script|<iframe|<style|\son\w+\s*=|javascript:/i.test(update.contentHtml), where);
  }
  for (const e of update.enclosures) t.regex(e.url, /^https?:\/\//, where);
  if (update.image) t.regex(update.image.url, /^https?:\/\//, where);
}

if (existsSync(manifestFile)) {
  const rows: Row[] = readFileSync(manifestFile, "utf8")
    .split("\n")
    .slice(1)
    .filter((line) => line.trim() !== "")
    .map((line) => {
      const [input = "", output = "", , note = ""] = line.split("\t");
      return { input, output, note };
    });

  test("the manifest lists the 31 real-world feeds", (t) => {
    t.is(rows.length, 31);
  });

  for (const row of rows) {
    const file = row.input.split("/").pop() ?? row.input;
    const { text } = decodeFeedBytes(readFileSync(`${dir}/${row.input}`), contentTypeOf(row.note));

    if (file === "unrecognized.rss") {
      test(`${file} is not a feed`, async (t) => {
        const error = await t.throwsAsync(parseFeed(text), { instanceOf: FeedParseError });
        t.is(error?.kind, "not-a-feed");
      });
      continue;
    }

    test(`${file} parses and normalises with the golden entry count`, async (t) => {
      const feed = await parseFeed(text);
      const result = normalise(
        feed,
        { id: "corpus", categories: ["c"], feedUrl: `https://corpus.example/${file}` },
        NOW,
      );
      for (const drop of result.dropped)
        t.regex(drop.reason, EXPECTED_DROP, `${file} entry ${drop.index}`);
      t.is(result.updates.length + result.dropped.length, feed.items.length);
      for (const update of result.updates) checkInvariants(t, file, update);

      if (row.output === "") return; // no golden (itunes-missing-image.rss): parsing is the check
      const golden = JSON.parse(readFileSync(`${dir}/${row.output}`, "utf8")) as {
        feed: { items: { link?: string }[] };
      };
      t.is(feed.items.length, golden.feed.items.length, `${file}: parsed entries`);
      // Every absolute entry link rss-parser found, we found too.
      const links = new Set(result.updates.map((u) => u.link));
      for (const link of golden.feed.items.map((i) => i.link)) {
        if (link && /^https?:\/\//.test(link) && !/\s/.test(link))
          t.true(links.has(new URL(link).href), `${file}: ${link}`);
      }
    });
  }
  test("encoding.rss: latin1 text decodes to the golden titles", async (t) => {
    const row = rows.find((r) => r.input.endsWith("/encoding.rss"));
    if (!row) return t.fail("encoding.rss missing from the manifest");
    const { text } = decodeFeedBytes(readFileSync(`${dir}/${row.input}`), contentTypeOf(row.note));
    // The golden output was written in the feed's own charset.
    const golden = JSON.parse(readFileSync(`${dir}/${row.output}`, "latin1")) as {
      feed: { items: { title: string }[] };
    };
    const result = normalise(
      await parseFeed(text),
      { id: "c", categories: [], feedUrl: "https://corpus.example/" },
      NOW,
    );
    t.deepEqual(
      result.updates.map((u) => u.title),
      golden.feed.items.map((i) => i.title.replace(/\s+/g, " ").trim()),
    );
  });
} else {
  skipTest("real-world corpus", skipMessage);
}
