import test from "ava";
import { type Coding, negotiateEncoding, parseAcceptEncoding } from "../../src/http/encoding.js";

const cases: [string | undefined, Coding][] = [
  [undefined, "identity"],
  ["", "identity"],
  ["gzip", "gzip"],
  ["br", "br"],
  ["gzip, deflate, br", "br"],
  ["gzip, deflate, br, zstd", "br"],
  ["br;q=0.5, gzip", "gzip"],
  ["br;q=0.8, gzip;q=0.8", "br"],
  ["br;q=0, gzip", "gzip"],
  ["br;q=0, gzip;q=0", "identity"],
  ["*", "br"],
  ["*;q=0.5, gzip;q=0.6", "gzip"],
  ["*;q=0, identity", "identity"],
  ["gzip;q=0.5", "gzip"],
  ["gzip;q=0.5, identity;q=0.9", "identity"],
  ["deflate", "identity"],
  ["x-gzip", "gzip"],
  ["GZIP;Q=1", "gzip"],
  ["gzip;q=2, br;q=abc", "identity"],
  ["identity;q=0", "identity"],
  ["*;q=0", "identity"],
  [" gzip ; q=0.9 , br ; q=0.95 ", "br"],
];

for (const [header, expected] of cases) {
  test(`Accept-Encoding ${JSON.stringify(header)} → ${expected}`, (t) => {
    t.is(negotiateEncoding(header), expected);
  });
}

test("parseAcceptEncoding lower-cases names and skips malformed q-values", (t) => {
  t.deepEqual(
    [...parseAcceptEncoding("BR;q=0.25, gzip;q=1.5, identity;q=0, x/y")],
    [
      ["br", 0.25],
      ["identity", 0],
    ],
  );
});
