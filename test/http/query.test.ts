import test from "ava";
import { HttpError } from "../../src/http/errors.js";
import {
  parseCategory,
  parseCursor,
  parseLimit,
  parsePageQuery,
  parseSource,
} from "../../src/http/query.js";
import { makeConfig } from "../helpers/config.js";

const badRequest = (t: import("ava").ExecutionContext, fn: () => unknown, message: string) => {
  const err = t.throws(fn, { instanceOf: HttpError });
  t.is(err?.status, 400);
  t.is(err?.message, message);
};

test("limit: default, bounds and integers only", (t) => {
  const config = makeConfig();
  t.is(parseLimit(undefined, config), 50);
  t.is(parseLimit("", config), 50);
  t.is(parseLimit("1", config), 1);
  t.is(parseLimit("200", config), 200);
  badRequest(
    t,
    () => parseLimit("500", config),
    'limit: must be an integer between 1 and 200, got "500"',
  );
  for (const value of ["0", "-1", "1.5", "1e2", "0x10", " 5", "abc", "99999999999999999999"]) {
    const err = t.throws(() => parseLimit(value, config), { instanceOf: HttpError });
    t.is(err?.status, 400, value);
    t.true(err?.message.includes(JSON.stringify(value)), value);
  }
});

test("limit follows the configured maximum", (t) => {
  const config = makeConfig({ feeds: { maxLimit: 10, defaultLimit: 5 } });
  t.is(parseLimit(undefined, config), 5);
  badRequest(
    t,
    () => parseLimit("11", config),
    'limit: must be an integer between 1 and 10, got "11"',
  );
});

test("a repeated parameter is a 400", (t) => {
  badRequest(t, () => parseLimit(["1", "2"], makeConfig()), "limit: must be given at most once");
});

test("source: a configured id, disabled ones included", (t) => {
  const config = makeConfig();
  t.is(parseSource(undefined, config, "all"), undefined);
  t.is(parseSource("atr", config, "all"), "atr");
  t.is(parseSource("mpi", config, "all"), "mpi");
  badRequest(
    t,
    () => parseSource("nope", config, "all"),
    'source: unknown source "nope"; known sources: un-news, atr, mpi',
  );
});

test("source: one outside the requested category is a 400 naming its categories", (t) => {
  const config = makeConfig();
  t.is(parseSource("atr", config, "trafficking"), "atr");
  t.is(parseSource("un-news", config, "migration"), "un-news");
  t.is(parseSource("un-news", config, "trafficking"), "un-news");
  badRequest(
    t,
    () => parseSource("atr", config, "migration"),
    'source: "atr" is not in category "migration"; its categories: trafficking',
  );
  badRequest(
    t,
    () => parseSource("mpi", config, "trafficking"),
    'source: "mpi" is not in category "trafficking"; its categories: migration',
  );
});

test("category: all by default, configured ids, 400 naming the known ones", (t) => {
  const config = makeConfig();
  t.is(parseCategory(undefined, config), "all");
  t.is(parseCategory("trafficking", config), "trafficking");
  badRequest(
    t,
    () => parseCategory("x", config),
    'category: unknown category "x"; known categories: all, migration, trafficking',
  );
});

test("cursor is passed through opaque; empty means absent", (t) => {
  t.is(parseCursor("abc.def"), "abc.def");
  t.is(parseCursor(""), undefined);
});

test("parsePageQuery leaves absent fields out", (t) => {
  t.deepEqual(parsePageQuery({}, makeConfig(), "all"), { limit: 50 });
  t.deepEqual(parsePageQuery({ limit: "3", source: "atr", cursor: "c" }, makeConfig(), "all"), {
    limit: 3,
    source: "atr",
    cursor: "c",
  });
});

test("echoed values are JSON-quoted and cut short", (t) => {
  const long = `"${"9".repeat(300)}`;
  const err = t.throws(() => parseLimit(long, makeConfig()), { instanceOf: HttpError });
  t.true((err?.message.length ?? 0) < 200);
  t.true(err?.message.includes('\\"999'));
});
