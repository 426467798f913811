import test from "ava";
import { httpDate, isNotModified, parseEntityTags } from "../../src/http/conditional.js";

const lastModified = new Date("2025-03-04T05:06:07.890Z");
const validators = { etag: '"abc"', lastModified };
const now = new Date("2025-06-01T00:00:00Z");

test("no conditional headers: modified", (t) => {
  t.false(isNotModified({}, validators, now));
});

test("If-None-Match: a single matching tag is not modified, another tag is", (t) => {
  t.true(isNotModified({ ifNoneMatch: '"abc"' }, validators, now));
  t.false(isNotModified({ ifNoneMatch: '"abd"' }, validators, now));
});

test("If-None-Match: a list matches when any member does", (t) => {
  t.true(isNotModified({ ifNoneMatch: '"x", "abc" ,"y"' }, validators, now));
  t.false(isNotModified({ ifNoneMatch: '"x", "y"' }, validators, now));
});

test("If-None-Match uses the weak comparison", (t) => {
  t.true(isNotModified({ ifNoneMatch: 'W/"abc"' }, validators, now));
  t.true(isNotModified({ ifNoneMatch: 'W/"x", W/"abc"' }, validators, now));
  t.true(isNotModified({ ifNoneMatch: '"abc"' }, { ...validators, etag: 'W/"abc"' }, now));
});

test("If-None-Match: * matches the existing feed", (t) => {
  t.true(isNotModified({ ifNoneMatch: "*" }, validators, now));
  t.true(isNotModified({ ifNoneMatch: " * " }, validators, now));
});

test("If-None-Match takes precedence over If-Modified-Since", (t) => {
  const later = httpDate(new Date("2025-05-01T00:00:00Z"));
  t.false(isNotModified({ ifNoneMatch: '"other"', ifModifiedSince: later }, validators, now));
  const earlier = httpDate(new Date("2020-01-01T00:00:00Z"));
  t.true(isNotModified({ ifNoneMatch: '"abc"', ifModifiedSince: earlier }, validators, now));
});

test("If-Modified-Since: equal to Last-Modified at second resolution is not modified", (t) => {
  t.true(isNotModified({ ifModifiedSince: httpDate(lastModified) }, validators, now));
  t.true(isNotModified({ ifModifiedSince: "Wed, 05 Mar 2025 00:00:00 GMT" }, validators, now));
  t.false(isNotModified({ ifModifiedSince: "Tue, 04 Mar 2025 05:06:06 GMT" }, validators, now));
});

test("If-Modified-Since: unparsable or future dates are ignored", (t) => {
  t.false(isNotModified({ ifModifiedSince: "yesterday" }, validators, now));
  t.false(isNotModified({ ifModifiedSince: "Mon, 01 Jan 2035 00:00:00 GMT" }, validators, now));
});

test("an empty If-None-Match counts as absent", (t) => {
  t.true(
    isNotModified({ ifNoneMatch: " ", ifModifiedSince: httpDate(lastModified) }, validators, now),
  );
});

test("parseEntityTags keeps commas inside quoted tags and skips empty elements", (t) => {
  t.deepEqual(parseEntityTags('"a,b", W/"c", , "d"'), ['"a,b"', 'W/"c"', '"d"']);
  t.deepEqual(parseEntityTags('bare, "q"'), ["bare", '"q"']);
  t.deepEqual(parseEntityTags(""), []);
});

test("httpDate writes IMF-fixdate", (t) => {
  t.is(httpDate(lastModified), "Tue, 04 Mar 2025 05:06:07 GMT");
});
