// Headers of a feed served from memory while the store cannot confirm it (Representation.stale):
// Warning 110, Age counted from the last confirmation, X-Tributary-Stale; on 200 and 304 alike.
import test from "ava";
import {
  buildResponse,
  publicMaxAge,
  STALE_WARNING,
  staleHeaders,
} from "../../src/http/feed-response.js";
import { buildRepresentation } from "../../src/publish/representation.js";
import type { Representation } from "../../src/publish/types.js";

const since = new Date("2026-03-04T10:00:00.000Z");
const now = new Date("2026-03-04T10:02:05.900Z");

const published = (): Representation =>
  buildRepresentation(
    '{"version":"https://jsonfeed.org/version/1.1","items":[]}',
    "application/feed+json; charset=utf-8",
    new Date("2026-03-01T00:00:00Z"),
  );

test("a stale 200 carries Warning 110, Age in whole seconds since the last confirmation, and the time", (t) => {
  const rep = { ...published(), stale: { since } };
  const res = buildResponse(rep, { acceptEncoding: "gzip" }, publicMaxAge(300), now);
  t.is(res.status, 200);
  t.is(res.body, rep.variant("gzip").body, "the same bytes as before the outage");
  t.like(res.headers, {
    ETag: rep.etag("gzip"),
    "Content-Encoding": "gzip",
    Warning: '110 - "Response is Stale"',
    Age: "125",
    "X-Tributary-Stale": "2026-03-04T10:00:00.000Z",
  });
});

test("a stale 304 still answers the conditional request, with the same warning", (t) => {
  const rep = { ...published(), stale: { since } };
  const res = buildResponse(rep, { ifNoneMatch: rep.identity.etag }, publicMaxAge(300), now);
  t.is(res.status, 304);
  t.is(res.body, undefined);
  t.like(res.headers, { ETag: rep.identity.etag, Warning: STALE_WARNING, Age: "125" });
});

test("a current representation has none of the stale headers, even after a stale one was served", (t) => {
  const current = published();
  buildResponse({ ...current, stale: { since } }, {}, publicMaxAge(300), now);
  const res = buildResponse(current, {}, publicMaxAge(300), now);
  for (const name of ["Warning", "Age", "X-Tributary-Stale"]) t.false(name in res.headers, name);
});

test("a partial page (the store is being refilled after a loss) is no-store, with X-Tributary-Stale", (t) => {
  const rep = { ...published(), stale: { since, partial: true } };
  for (const res of [
    buildResponse(rep, {}, publicMaxAge(300), now),
    buildResponse(rep, { ifNoneMatch: rep.identity.etag }, publicMaxAge(300), now),
  ]) {
    t.like(res.headers, {
      "Cache-Control": "no-store",
      "X-Tributary-Stale": "2026-03-04T10:00:00.000Z",
      Warning: STALE_WARNING,
    });
  }
  // The same page once confirmed again has its max-age back.
  t.is(
    buildResponse(published(), {}, publicMaxAge(300), now).headers["Cache-Control"],
    "public, max-age=300",
  );
});

test("Age never goes negative when the clock is behind `since`", (t) => {
  t.is(staleHeaders(now, since).Age, "0");
});
