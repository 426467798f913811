// The case table of issue 3: every row is proven by at least one end-to-end test in this folder.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import test from "ava";
import { ROWS, type RowId } from "./cases.js";

const here = dirname(fileURLToPath(import.meta.url));

/** Row ids named by `caseTitle("<row>", …)` calls, one per test, in every test file here. */
function casesByRow(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const file of readdirSync(here).filter((f) => f.endsWith(".test.ts"))) {
    const source = readFileSync(join(here, file), "utf8");
    for (const match of source.matchAll(/caseTitle\(\s*"([\w-]+)"/g)) {
      const row = match[1] as string;
      counts.set(row, (counts.get(row) ?? 0) + 1);
    }
  }
  return counts;
}

test("every row of the hostile case table is proven by a test, and no test names an unknown row", (t) => {
  const counts = casesByRow();
  for (const row of Object.keys(ROWS) as RowId[]) {
    t.true((counts.get(row) ?? 0) >= 1, `no test for "${row}": ${ROWS[row]}`);
  }
  for (const row of counts.keys()) t.true(row in ROWS, `unknown row "${row}"`);
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  t.log(`${Object.keys(ROWS).length} rows, ${total} hostile tests`);
});
