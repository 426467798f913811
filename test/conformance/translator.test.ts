// The pieces that read feedparser's manifest: its CSV-style quoting and the Python subset of its
// `expect` column. The translation itself is exercised by feedparser.test.ts on every file.
import test from "ava";
import { splitTsvLine } from "./manifest.js";
import { parsePython } from "./python-expr.js";

test("a CSV-quoted field reads doubled quotes as one", (t) => {
  t.deepEqual(splitTsvLine('a\t"x ""y"" z"\t\tlast'), ["a", 'x "y" z', "", "last"]);
});

test("Python string escapes, u-prefixes, triple quotes and adjacent literals", (t) => {
  t.deepEqual(parsePython("u'caf\\xe9 \\u2019'"), { kind: "str", value: "café ’" });
  t.deepEqual(parsePython(`"""it's"""`), { kind: "str", value: "it's" });
  t.deepEqual(parsePython("'a' 'b'"), { kind: "str", value: "ab" });
});

test("subscripts and attributes are the same get; comparisons chain", (t) => {
  const expr = parsePython("entries[0].link == entries[1]['link'] == 'x'");
  t.is(expr.kind, "compare");
  if (expr.kind !== "compare") return;
  t.deepEqual(expr.ops, ["==", "=="]);
  t.deepEqual(expr.operands[0], {
    kind: "get",
    target: {
      kind: "get",
      target: { kind: "name", name: "entries" },
      key: { kind: "num", value: 0 },
    },
    key: { kind: "str", value: "link" },
  });
});

test("not, and, or, not in, tuples, dicts and calls", (t) => {
  const expr = parsePython(
    "not bozo and (feed['x'] == (1, 2) or len(entries) == 2) and not 'etag' in locals() and d == {'a': 'b'}",
  );
  t.is(expr.kind, "and");
  if (expr.kind !== "and") return;
  t.is(expr.operands.length, 4);
  t.deepEqual(expr.operands[0], { kind: "not", operand: { kind: "name", name: "bozo" } });
  t.is(expr.operands[1]?.kind, "or");
  t.is(expr.operands[2]?.kind, "not");
});

test("anything outside the subset is a SyntaxError, not a guess", (t) => {
  t.throws(() => parsePython("lambda x: x"), { instanceOf: SyntaxError });
  t.throws(() => parsePython("'unterminated"), { instanceOf: SyntaxError });
});
