import { existsSync, readFileSync } from "node:fs";
import test from "ava";
import { parseDate } from "../../../src/ingest/normalise/dates.js";
import { corpusPath, skipMessage } from "../../helpers/corpus.js";
import { skipTest } from "../../helpers/skip.js";

// --- feedparser's date vectors ----------------------------------------------------------------

const vectorsFile = corpusPath("feedparser", "vectors", "date_vectors.tsv");

/**
 * Vectors we knowingly answer differently, with why. `03335` is ISO 8601:1988's two-digit-year
 * ordinal date (YYDDD); five bare digits are just as much a five-digit year, which the vector
 * `22013` requires us to reject, so we reject both: no feed writes either.
 */
const DELIBERATE: Record<string, string> = {
  "03335": "YYDDD is indistinguishable from a 5-digit year (see vector 22013); rejected",
};

/** `(2004, 1, 1, 19, 48, 21, 3, 1, 0)` (Python's time tuple) → ISO string; `None` → undefined. */
function expectedInstant(tuple: string): string | undefined {
  if (tuple === "None") return undefined;
  const [year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0] = tuple
    .replace(/[()]/g, "")
    .split(",")
    .map((part) => Number(part.trim()));
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  return date.toISOString();
}

/** Vectors are whole seconds; fractional seconds in the input are dropped for the comparison. */
const toSecond = (date: Date | undefined): string | undefined =>
  date === undefined ? undefined : new Date(Math.floor(date.getTime() / 1000) * 1000).toISOString();

if (existsSync(vectorsFile)) {
  const rows = readFileSync(vectorsFile, "utf8")
    .split("\n")
    .slice(1)
    .filter((line) => line.trim() !== "")
    .map((line) => line.split("\t"));

  test("there are 72 date vectors", (t) => {
    t.is(rows.length, 72);
  });

  rows.forEach(([family = "", input = "", expected = "", comment = ""], index) => {
    const name = `date vector ${index + 1} (${family}${comment ? `, ${comment}` : ""}): ${JSON.stringify(input)}`;
    const deliberate = DELIBERATE[input];
    if (deliberate !== undefined) {
      test(`${name} — deliberately differs: ${deliberate}`, (t) => {
        t.is(parseDate(input), undefined);
      });
      return;
    }
    test(name, (t) => {
      t.is(toSecond(parseDate(input)), expectedInstant(expected));
    });
  });
} else {
  skipTest("date vectors", skipMessage);
}

// --- behaviour named -----------------------------------------------------------------------------

/** What `parseDate` read, as an ISO 8601 UTC string, so an expectation reads as a date. */
const isoOf = (raw: string): string | undefined => parseDate(raw)?.toISOString();

test("RFC 822 with an obsolete North American zone", (t) => {
  t.is(isoOf("Tue, 10 Jun 2003 04:00:00 EST"), "2003-06-10T09:00:00.000Z");
  t.is(isoOf("Tue, 10 Jun 2003 04:00:00 PDT"), "2003-06-10T11:00:00.000Z");
});

test("RFC 822 military zones are read as UTC (RFC 5322 §4.3)", (t) => {
  t.is(isoOf("Tue, 10 Jun 2003 04:00:00 Z"), "2003-06-10T04:00:00.000Z");
  t.is(isoOf("Tue, 10 Jun 2003 04:00:00 A"), "2003-06-10T04:00:00.000Z");
});

test("RFC 822 without seconds", (t) => {
  t.is(isoOf("Tue, 10 Jun 2003 04:00 +0200"), "2003-06-10T02:00:00.000Z");
});

test("RFC 822 with a numeric zone and a comment", (t) => {
  t.is(isoOf("Thu, 30 Aug 2012 17:26:16 +0200 (CEST)"), "2012-08-30T15:26:16.000Z");
});

test("RFC 822 with localised month and weekday names", (t) => {
  t.is(isoOf("Seg, 24 Set 2018 19:42:40 -0300"), "2018-09-24T22:42:40.000Z");
  t.is(isoOf("mar., 05 févr. 2019 10:00:00 +0100"), "2019-02-05T09:00:00.000Z");
});

test("RFC 3339 with offset and fraction", (t) => {
  t.is(isoOf("2024-02-29T23:30:00.250-01:00"), "2024-03-01T00:30:00.250Z");
});

test("ISO 8601 without a zone is UTC", (t) => {
  t.is(isoOf("2024-05-01T12:00:00"), "2024-05-01T12:00:00.000Z");
  t.is(isoOf("2024-05-01 12:00"), "2024-05-01T12:00:00.000Z");
});

test("ISO 8601 basic format", (t) => {
  t.is(isoOf("20240501T120000Z"), "2024-05-01T12:00:00.000Z");
});

test("surrounding whitespace and line breaks are ignored", (t) => {
  t.is(isoOf("\n   2024-05-01T12:00:00Z\n  "), "2024-05-01T12:00:00.000Z");
});

test("garbage, empty and impossible dates are rejected", (t) => {
  for (const input of [
    "",
    "   ",
    "yesterday",
    "2024-02-30",
    "Tue, 31 Jun 2003 04:00:00 GMT",
    "NaN",
    undefined,
  ]) {
    t.is(parseDate(input), undefined, String(input));
  }
});

test("an overlong string is rejected without work", (t) => {
  t.is(parseDate(`2024-01-01${" x".repeat(1e6)}`), undefined);
});

test("parsing does not depend on the process time zone", (t) => {
  // The ava config runs with TZ=UTC; the parser never consults local time, which this pins.
  t.is(parseDate("2004-07-08 23:56:58")?.getTime(), Date.UTC(2004, 6, 8, 23, 56, 58));
});
