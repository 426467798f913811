// Reading feedparser's MANIFEST.tsv (tab-separated, fields with quotes quoted CSV-style by
// doubling) and our deviations.tsv beside this file.
import { readFileSync } from "node:fs";

export interface ManifestRow {
  path: string;
  category: string;
  expect: string;
  description: string;
  /** `Name: value` header lines the file must be served with (may be several, `\n`-separated). */
  httpHeaders: Record<string, string>;
  skipUnless: string;
  servedOverHttp: boolean;
}

/** Splits one line into fields; a field starting with `"` is CSV-quoted (`""` = `"`). */
export function splitTsvLine(line: string): string[] {
  const fields: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let value = "";
      let j = i + 1;
      for (;;) {
        const quote = line.indexOf('"', j);
        if (quote === -1) throw new SyntaxError(`unterminated quoted field: ${line}`);
        value += line.slice(j, quote);
        if (line[quote + 1] === '"') {
          value += '"';
          j = quote + 2;
        } else {
          j = quote + 1;
          break;
        }
      }
      fields.push(value);
      i = j + 1; // past the tab
    } else {
      const tab = line.indexOf("\t", i);
      const end = tab === -1 ? line.length : tab;
      fields.push(line.slice(i, end));
      i = end + 1;
    }
  }
  return fields;
}

function headersOf(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of text.split(/\\n|\n/)) {
    const colon = line.indexOf(":");
    if (colon > 0) headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return headers;
}

export function readManifest(file: string): ManifestRow[] {
  const lines = readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "");
  return lines.slice(1).map((line) => {
    const [
      path = "",
      category = "",
      expect = "",
      ,
      description = "",
      http = "",
      skip = "",
      served = "",
    ] = splitTsvLine(line);
    return {
      path,
      category,
      expect,
      description,
      httpHeaders: headersOf(http),
      skipUnless: skip,
      servedOverHttp: served === "yes",
    };
  });
}

export interface Deviation {
  /**
   * `differs`: Tributary deliberately gives another answer than feedparser for this file (or
   * date vector); `policy`: Tributary's narrower HTML allow-list removes this markup, which
   * feedparser keeps; `n/a`: the expectation is about something Tributary does not model.
   */
  kind: "differs" | "policy" | "n/a";
  /** A corpus path (`vector <input>`), `policy <markup>`, or a field key such as `feed.rights`. */
  key: string;
  reason: string;
}

const KINDS = new Set(["differs", "policy", "n/a"]);

/** deviations.tsv: `kind<TAB>key<TAB>reason`, `#` comments and blank lines ignored. */
export function readDeviations(file: string): Deviation[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "" && !line.startsWith("#"))
    .map((line) => {
      const [kind = "", key = "", reason = ""] = line.split("\t");
      if (!KINDS.has(kind)) throw new SyntaxError(`bad deviation kind: ${line}`);
      if (key === "" || reason.trim() === "")
        throw new SyntaxError(`deviation without key or reason: ${line}`);
      return { kind: kind as Deviation["kind"], key, reason };
    });
}
