import { createHash } from "node:crypto";
import test from "ava";
import { checkLimit, decodeCursor, encodeCursor } from "../../src/store/cursor.js";
import { InvalidCursorError } from "../../src/store/store.js";

test("a cursor round-trips any id and date", (t) => {
  for (const key of [
    { ms: 0, id: "a" },
    { ms: 1_740_830_400_123, id: 'src:4f2a/ü 😀 "quoted"' },
    { ms: -86_400_000, id: "before-1970" },
  ]) {
    const cursor = encodeCursor(key);
    t.regex(cursor, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, "URL-safe without escaping");
    t.deepEqual(decodeCursor(cursor), key);
  }
});

test("a cursor whose payload is not [integer ms, non-empty id] is rejected", (t) => {
  // Checksummed the way cursor.ts does, so only the shape check can refuse these.
  const forge = (payload: unknown) => {
    const body = Buffer.from(JSON.stringify(payload)).toString("base64url");
    const sum = createHash("sha256").update(body).digest("base64url").slice(0, 10);
    return `${body}.${sum}`;
  };
  t.deepEqual(decodeCursor(forge([5, "ok"])), { ms: 5, id: "ok" }, "the forge matches the format");
  for (const payload of [
    { ms: 1, id: "x" },
    [1.5, "x"],
    [1, ""],
    [1, 2],
    ["1", "x"],
    [1, "x", 3],
    null,
  ]) {
    t.throws(
      () => decodeCursor(forge(payload)),
      { instanceOf: InvalidCursorError },
      JSON.stringify(payload),
    );
  }
  t.throws(() => decodeCursor("x".repeat(5000)), { instanceOf: InvalidCursorError });
});

test("limit must be a positive integer", (t) => {
  t.is(checkLimit(1), 1);
  t.throws(() => checkLimit(0), { instanceOf: RangeError });
  t.throws(() => checkLimit(Number.NaN), { instanceOf: RangeError });
});
